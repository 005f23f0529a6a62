import { parseArgs } from 'node:util';

/** The load test's command line, parsed and checked. */
export interface CliOptions {
  /** The fixed smoke mix, one run per bot, strict gate. */
  smoke: boolean;
  bots: number;
  /** Share of bots that cheat, 0…1. */
  cheaters: number;
  /** Share of honest bots on a bad network, 0…1. */
  badNetwork: number;
  durationSec: number;
  rampUpSec: number;
  /** Seconds each run is steered before the bot only holds right; null plays whole courses. */
  playSec: number | null;
  maxRunsPerBot: number;
  /** Running system to load; null starts one. */
  gatewayUrl: string | null;
  gameServerUrl: string | null;
  allowRemote: boolean;
  /** Processes of a running system on this machine whose CPU and memory the report shows. */
  pids: { name: string; pid: number }[];
  /** Where report.json, report.html and system.log go; null picks artifacts/loadtest/<time>. */
  outDir: string | null;
  help: boolean;
}

/** A command line the load test refuses, with the reason to show. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const LIMITS = {
  bots: { min: 1, max: 2_000 },
  durationSec: { min: 1, max: 3_600 },
  rampUpSec: { min: 0, max: 600 },
  playSec: { min: 1, max: 360 },
  maxRunsPerBot: { min: 1, max: 1_000 },
} as const;

export const USAGE = `Usage: npm run loadtest -w loadtest -- [options]

Loads the whole Truerun system with bot players, honest and cheating, and writes a JSON and
an HTML report. Without --gateway/--game-server it starts the system on free loopback ports,
loads it and stops it.

  --smoke                 the smoke mix (6 honest incl. bad networks, one of each cheat),
                          one short run each; fails unless every verdict is the expected one
  --bots N                bots to run (default 50, at most ${LIMITS.bots.max})
  --cheaters F            share of cheating bots, 0..1 (default 0.1)
  --bad-network F         share of honest bots on a bad network, 0..1 (default 0.2)
  --duration S            seconds during which bots start runs (default 60,
                          at most ${LIMITS.durationSec.max})
  --ramp-up S             seconds over which bots join (default: a quarter of
                          --duration, at most 30)
  --play S|full           seconds a run is steered before the bot stops playing and falls
                          (default 20); "full" plays whole courses (about 2.5 minutes)
  --max-runs N            runs per bot at most (default 100)
  --gateway URL           REST gateway of a running system
  --game-server URL       game server (ws://...) of a running system
  --allow-remote          allow a target that is not a loopback address
  --pid NAME=PID          with a running system on this machine: a server process whose CPU
                          and memory the report shows (repeatable)
  --out DIR               report directory (default artifacts/loadtest/<time>)
  --help                  this text`;

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        smoke: { type: 'boolean', default: false },
        bots: { type: 'string' },
        cheaters: { type: 'string' },
        'bad-network': { type: 'string' },
        duration: { type: 'string' },
        'ramp-up': { type: 'string' },
        play: { type: 'string' },
        'max-runs': { type: 'string' },
        gateway: { type: 'string' },
        'game-server': { type: 'string' },
        'allow-remote': { type: 'boolean', default: false },
        pid: { type: 'string', multiple: true },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const durationSec = integer('--duration', v.duration, 60, LIMITS.durationSec);
  const gatewayUrl = v.gateway ?? null;
  const gameServerUrl = v['game-server'] ?? null;
  if ((gatewayUrl === null) !== (gameServerUrl === null)) {
    throw new UsageError('--gateway and --game-server go together: give both or neither');
  }
  return {
    smoke: v.smoke,
    bots: integer('--bots', v.bots, 50, LIMITS.bots),
    cheaters: share('--cheaters', v.cheaters, 0.1),
    badNetwork: share('--bad-network', v['bad-network'], 0.2),
    durationSec,
    rampUpSec: integer(
      '--ramp-up',
      v['ramp-up'],
      Math.min(30, Math.ceil(durationSec / 4)),
      LIMITS.rampUpSec,
    ),
    playSec: v.play === 'full' ? null : integer('--play', v.play, 20, LIMITS.playSec),
    maxRunsPerBot: integer('--max-runs', v['max-runs'], 100, LIMITS.maxRunsPerBot),
    gatewayUrl,
    gameServerUrl,
    allowRemote: v['allow-remote'],
    pids: (v.pid ?? []).map(namedPid),
    outDir: v.out ?? null,
    help: v.help,
  };
}

function namedPid(raw: string): { name: string; pid: number } {
  const match = /^([\w .()-]{1,40})=(\d{1,9})$/.exec(raw);
  if (!match) throw new UsageError(`--pid ${raw}: expected NAME=PID, e.g. game-server=1234`);
  return { name: match[1]!, pid: Number(match[2]) };
}

function integer(
  flag: string,
  raw: string | undefined,
  fallback: number,
  limits: { min: number; max: number },
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new UsageError(`${flag} must be a whole number from ${limits.min} to ${limits.max}`);
  }
  return value;
}

function share(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${flag} must be a number from 0 to 1`);
  }
  return value;
}
