/**
 * The load test's command line: `npm run loadtest -w loadtest -- --bots 200 --cheaters 0.1
 * --duration 60`, or `--smoke` for the small mix CI runs. Exits 0 when the gate holds, 1 when
 * it does not, 2 on a bad command line.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, USAGE, UsageError } from './args.ts';
import type { CliOptions } from './args.ts';
import { SMOKE_MIX, botMix } from './bot-kinds.ts';
import { runLoad } from './load-run.ts';
import type { LoadPlan, LoadProgress } from './load-run.ts';
import { startLocalSystem } from './local-system.ts';
import type { LocalSystem } from './local-system.ts';
import { spawnedServers } from './process-stats.ts';
import { gateProblems, writeReport } from './report.ts';
import type { LoadReport } from './report.ts';
import { checkTarget } from './target.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The smoke run: every bot joins within 2 s and plays one short run, started within 40 s. */
const SMOKE = { playSec: 8, durationSec: 40, rampUpSec: 2, hardStopSec: 40, rankSec: 10 } as const;

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`loadtest: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let target: { gatewayUrl: string; gameServerUrl: string } | null = null;
  try {
    if (options.gatewayUrl !== null && options.gameServerUrl !== null) {
      target = {
        gatewayUrl: checkTarget(
          '--gateway',
          options.gatewayUrl,
          ['http', 'https'],
          options.allowRemote,
        ),
        gameServerUrl: checkTarget(
          '--game-server',
          options.gameServerUrl,
          ['ws', 'wss'],
          options.allowRemote,
        ),
      };
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`loadtest: ${err.message}\n`);
    return 2;
  }

  const outDir = options.outDir ?? join(ROOT, 'artifacts', 'loadtest', timestamp());
  mkdirSync(outDir, { recursive: true });
  const systemLog = createWriteStream(join(outDir, 'system.log'));
  const say = (line: string) => process.stderr.write(`${line}\n`);

  let system: LocalSystem | null = null;
  const stopping = new AbortController();
  const onSignal = () => {
    if (stopping.signal.aborted) process.exit(130);
    say('loadtest: stopping (a second Ctrl-C exits at once)');
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (target === null) {
      say('loadtest: starting the system on free loopback ports...');
      try {
        system = await startLocalSystem((line) => systemLog.write(`${line}\n`));
      } catch (err) {
        say(`loadtest: the system did not start: ${(err as Error).message}`);
        say(`loadtest: its output is in ${join(outDir, 'system.log')}`);
        return 1;
      }
      target = { gatewayUrl: system.gatewayUrl, gameServerUrl: system.gameServerUrl };
      say(`loadtest: gateway ${target.gatewayUrl}, game server ${target.gameServerUrl}`);
    }
    const report = await runLoad(planFor(options, target, system !== null, stopping.signal));
    const paths = writeReport(report, outDir);
    const problems = gateProblems(report, options.smoke);
    printSummary(report, say);
    say(`loadtest: report ${paths.html}`);
    say(`loadtest: data   ${paths.json}`);
    if (problems.length > 0) {
      for (const problem of problems) say(`loadtest: FAILED: ${problem}`);
      return 1;
    }
    say('loadtest: passed');
    return 0;
  } finally {
    if (system) {
      say('loadtest: stopping the system...');
      await system.stop();
    }
    await new Promise((resolve) => systemLog.end(resolve));
  }
}

function planFor(
  options: CliOptions,
  target: { gatewayUrl: string; gameServerUrl: string },
  local: boolean,
  signal: AbortSignal,
): LoadPlan {
  const smoke = options.smoke;
  const playSec = smoke ? SMOKE.playSec : options.playSec;
  const kinds = smoke ? SMOKE_MIX : botMix(options.bots, options.cheaters, options.badNetwork);
  return {
    kinds,
    ...target,
    durationSec: smoke ? SMOKE.durationSec : options.durationSec,
    rampUpSec: smoke ? SMOKE.rampUpSec : options.rampUpSec,
    playTicks: playSec === null ? Infinity : playSec * 60,
    maxRunsPerBot: smoke ? 1 : options.maxRunsPerBot,
    rankTimeoutMs: (smoke ? SMOKE.rankSec : 30) * 1000,
    // A run steered for playSec ends a few seconds later; a whole course takes up to 6 min.
    hardStopSec: smoke ? SMOKE.hardStopSec : (playSec ?? 360) + 90,
    processes: local ? spawnedServers() : options.pids,
    onProgress: progressPrinter(),
    signal,
    target: { mode: local ? 'started' : 'running', ...target },
    options: smoke
      ? { smoke: true, bots: kinds.length, playSec }
      : {
          bots: options.bots,
          cheaters: options.cheaters,
          badNetwork: options.badNetwork,
          durationSec: options.durationSec,
          rampUpSec: options.rampUpSec,
          playSec: playSec ?? 'full',
          maxRunsPerBot: options.maxRunsPerBot,
        },
  };
}

/** One status line a second, rewritten in place on a terminal, every 5 s otherwise. */
function progressPrinter(): (progress: LoadProgress) => void {
  const tty = process.stderr.isTTY;
  return (p) => {
    const line =
      `t=${p.elapsedSec}s bots ${p.botsStarted - p.botsDone} active/${p.botsDone} done, ` +
      `seated ${p.seated}, in run ${p.running}, runs ${p.runsStarted}: ` +
      `verified ${p.verified} rejected ${p.rejected} other ${p.other} | ` +
      `honest rejected ${p.honestRejected}, cheaters accepted ${p.cheatersAccepted}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (p.elapsedSec % 5 === 0) process.stderr.write(`${line}\n`);
  };
}

function printSummary(report: LoadReport, say: (line: string) => void): void {
  if (process.stderr.isTTY) say('');
  const l = report.latency;
  say(
    `loadtest: ${report.runs} runs, peak ${report.peakSeated} seated; verified ` +
      `${report.verdicts.verified}, rejected ${report.verdicts.rejected}, unranked ` +
      `${report.verdicts.unranked}, abandoned ${report.verdicts.abandoned}, ` +
      `none ${report.verdicts.none}`,
  );
  say(
    `loadtest: join p50/p99 ${l.join.p50}/${l.join.p99} ms, input ack p50/p99 ` +
      `${l.inputAck.p50}/${l.inputAck.p99} ms, rank visible p50/p99 ${l.rankVisible.p50}/` +
      `${l.rankVisible.p99} ms (${report.rankVisibility.seen}/${report.rankVisibility.expected})`,
  );
  for (const row of report.detection) {
    say(
      `loadtest:   ${row.kind.padEnd(28)} runs ${row.runs}, rejected ${row.rejected}, ` +
        `accepted ${row.accepted}, other ${row.unranked + row.abandoned + row.noVerdict}`,
    );
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

// Exit explicitly: a connection a bot left half-open must not keep a CI job waiting.
process.exit(await main());
