/**
 * How many concurrently running players one game-server core holds.
 *
 * Starts `src/main.ts` pinned to one core (taskset) against a throwaway database and its own
 * exchange and queue, and drives bots from this process pinned to another core. Every bot
 * plays a full-length course: its inputs and checkpoint hashes come from `BotPolicy`, played
 * once offline, and stream in real time as the browser client sends them: a batch every
 * BENCH_SEND_INTERVAL_MS (default `INPUT_BATCH_INTERVAL_MS`, 100 ms) and a checkpoint every
 * `CHECKPOINT_INTERVAL_TICKS` ticks.
 * Players are added in steps; each step prints the p50 and p99 input-to-ack latency, the
 * backlog of unacknowledged ticks, the server's CPU time per player-second and the bots' CPU
 * use, and, to tell where a tail comes from, the server's event-loop delay p99 and share of
 * time in garbage collection (from its `/metrics`) and the bots' own event-loop delay p99.
 * The answer is the largest step, counting up from the first, with p99 under 50 ms and
 * no growing backlog.
 *
 * Environment: BENCH_STEPS (comma-separated player counts, default 100,200,...,900),
 * BENCH_STEP_SEC (measured seconds per step, default 15), BENCH_SERVER_CPU / BENCH_BOT_CPU
 * (cores, default 0 and 1), BENCH_KEEP_GOING=1 (measure every step even after one fails),
 * BENCH_PROFILE_DIR (write a CPU profile of the server there), BENCH_SERVER_NODE_FLAGS (flags
 * for the server's Node, space-separated, such as `--trace-gc`). The whole run stops by itself
 * within BENCH_MAX_SEC (default 300) and removes its database, exchange and queue.
 *
 * Latency figures are only meaningful on otherwise idle cores: any other process scheduled on
 * the pinned cores shows up directly in the p99.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from '@colyseus/sdk';
import type { Room } from '@colyseus/sdk';
import { createTestDatabase, uniqueName } from '@truerun/services/test-support/databases';
import { createTestSigner } from '@truerun/services/test-support/tokens';
import { DEFAULT_COURSE_LENGTH, RULESET_VERSION, TICK_RATE } from '@truerun/shared-sim';
import {
  CHECKPOINT_INTERVAL_TICKS,
  ClientMessage,
  INPUT_BATCH_INTERVAL_MS,
  MAX_BATCH_TICKS,
  ProtocolErrorCode,
  ROOM_PROTOCOL_VERSION,
  RUN_ROOM_NAME,
  ServerMessage,
} from '@truerun/shared-sim/protocol';
import type {
  InputAck,
  ProtocolError,
  RunStart,
  VerdictMessage,
} from '@truerun/shared-sim/protocol';
import { deleteAmqpNames } from '../test/support/harness.ts';
import { startGameProcess, startJwksServer } from '../test/support/game-process.ts';
import { recordBotRun } from '../test/support/run-client.ts';
import type { RecordedRun } from '../test/support/run-client.ts';

const SERVER_CPU = process.env.BENCH_SERVER_CPU ?? '0';
const BOT_CPU = process.env.BENCH_BOT_CPU ?? '1';
const STEPS = (process.env.BENCH_STEPS ?? '100,200,300,400,500,600,700,800,900')
  .split(',')
  .map(Number);
const STEP_SEC = Number(process.env.BENCH_STEP_SEC ?? 15);
const MAX_SEC = Number(process.env.BENCH_MAX_SEC ?? 300);
/** Measure every step even after one fails, to see the whole curve. */
const KEEP_GOING = process.env.BENCH_KEEP_GOING === '1';
const SEND_INTERVAL_MS = Number(process.env.BENCH_SEND_INTERVAL_MS ?? INPUT_BATCH_INTERVAL_MS);
const SEED = 1;
const P99_LIMIT_MS = 50;
/** Unacknowledged ticks per player above which the server is falling behind (two batches). */
const BACKLOG_LIMIT_TICKS = 6;
/** The table's headers; every cell is right-aligned under its header. */
const COLUMNS = [
  'players',
  'p50 ms',
  'p99 ms',
  'backlog/player',
  'server cpu',
  'cpu ms/player-s',
  'bot cpu',
  'verdict',
  'server loop p99 ms',
  'server gc',
  'bot loop p99 ms',
];

/**
 * What the run must undo however it ends (the database, the exchange and queue, the servers),
 * in the order it was made; `cleanUp` undoes it once, newest first.
 */
const undo: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | null = null;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of undo.reverse()) await step().catch(() => {});
  })();
  return cleaning;
}

function exitAfterCleanUp(code: number): void {
  void cleanUp().finally(() => process.exit(code));
}

/** One bot: a player streaming the recorded run and timing each batch to its ack. */
class Bot {
  private room: Room | null = null;
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private sentTick = 0;
  private ackTick = 0;
  private checkpointsSent = 0;
  /** Last tick and send time of batches not yet acknowledged, oldest first. */
  private readonly pending: { tick: number; at: number }[] = [];
  private readonly url: string;
  private readonly token: string;
  private readonly course: RecordedRun;
  private readonly stats: Stats;
  stopped = false;

  constructor(url: string, token: string, course: RecordedRun, stats: Stats) {
    this.url = url;
    this.token = token;
    this.course = course;
    this.stats = stats;
  }

  get backlog(): number {
    return this.room ? this.sentTick - this.ackTick : 0;
  }

  async start(): Promise<void> {
    const room = await new Client(this.url).joinOrCreate(RUN_ROOM_NAME, {
      token: this.token,
      protocol: ROOM_PROTOCOL_VERSION,
      ruleset: RULESET_VERSION,
    });
    this.room = room;
    room.onMessage(ServerMessage.ACK, (ack: InputAck) => this.onAck(ack));
    room.onMessage(ServerMessage.CHECKPOINT, () => {});
    room.onMessage(ServerMessage.ERROR, (error: ProtocolError) => {
      // Batches in flight when a verdict goes out are answered as late; that is expected.
      if (error.code === ProtocolErrorCode.RUN_OVER) this.stats.lateBatches++;
      else this.stats.errors++;
    });
    room.onMessage(ServerMessage.VERDICT, (verdict: VerdictMessage) => {
      const key = `${verdict.verdict}:${verdict.reason}`;
      this.stats.verdicts.set(key, (this.stats.verdicts.get(key) ?? 0) + 1);
      this.stopTimer();
      void room.leave(true).catch(() => {});
      this.room = null;
      if (!this.stopped) void this.start().catch(() => this.stats.joinFailures++);
    });
    room.onMessage(ServerMessage.START, (_start: RunStart) => {
      this.t0 = performance.now();
      this.sentTick = 0;
      this.ackTick = 0;
      this.checkpointsSent = 0;
      this.pending.length = 0;
      this.timer = setInterval(() => this.send(), SEND_INTERVAL_MS);
    });
    room.send(ClientMessage.READY);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer();
    await this.room?.leave(true).catch(() => {});
    this.room = null;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private send(): void {
    const room = this.room;
    if (!room) return;
    const { inputs, checkpoints, claim } = this.course;
    const now = performance.now();
    const target = Math.min(inputs.length, Math.floor(((now - this.t0) * TICK_RATE) / 1000));
    if (target > this.ackTick) {
      // A backlog longer than one batch goes as consecutive batches, as the protocol asks.
      for (let first = this.ackTick + 1; first <= target; first += MAX_BATCH_TICKS) {
        const last = Math.min(target, first + MAX_BATCH_TICKS - 1);
        room.send(ClientMessage.INPUTS, {
          firstTick: first,
          inputs: inputs.subarray(first - 1, last),
        });
      }
      if (target > this.sentTick) {
        this.pending.push({ tick: target, at: now });
        this.sentTick = target;
      }
    }
    // The browser sends its own hash as its simulation passes each checkpoint tick.
    while (
      this.checkpointsSent < checkpoints.length &&
      (this.checkpointsSent + 1) * CHECKPOINT_INTERVAL_TICKS <= target
    ) {
      const tick = (this.checkpointsSent + 1) * CHECKPOINT_INTERVAL_TICKS;
      room.send(ClientMessage.CHECKPOINT, { tick, hash: checkpoints[this.checkpointsSent]! });
      this.checkpointsSent++;
    }
    if (target === inputs.length && this.ackTick === target) {
      room.send(ClientMessage.CLAIM, claim);
      this.stopTimer();
    }
  }

  private onAck(ack: InputAck): void {
    if (ack.tick <= this.ackTick) return;
    this.ackTick = ack.tick;
    const now = performance.now();
    while (this.pending.length > 0 && this.pending[0]!.tick <= ack.tick) {
      this.stats.latencies.push(now - this.pending.shift()!.at);
    }
  }
}

interface Stats {
  latencies: number[];
  verdicts: Map<string, number>;
  errors: number;
  lateBatches: number;
  joinFailures: number;
}

async function main(): Promise<void> {
  const startedAt = Date.now();

  // A full-length run played once by the bot; every player streams it.
  const course = recordBotRun(SEED, DEFAULT_COURSE_LENGTH);
  const ticks = course.claim.finalTick;
  console.log(`course: seed ${SEED}, ${ticks} ticks (${(ticks / TICK_RATE).toFixed(0)} s)`);

  const db = await createTestDatabase('game_server_bench');
  undo.push(() => db.drop());
  const exchange = uniqueName('gs-bench');
  const queue = uniqueName('gs-bench-verified');
  undo.push(() => deleteAmqpNames(exchange, queue));
  const signer = createTestSigner();
  const jwks = await startJwksServer(signer);
  undo.push(() => jwks.close());
  const server = await startGameProcess(
    {
      DATABASE_URL: db.url,
      AUTH_URL: jwks.url,
      LEADERBOARD_URL: 'http://127.0.0.1:9',
      COURSE_SEED: String(SEED),
      SEASON_ID: 'bench',
      RESULTS_EXCHANGE: exchange,
      RESULTS_QUEUE: queue,
      SHUTDOWN_GRACE_SEC: '1',
      ...(process.env.BENCH_PROFILE_DIR
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}` }
        : {}),
    },
    {
      prefix: ['taskset', '-c', SERVER_CPU],
      nodeFlags: process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [],
    },
  );
  undo.push(() => server.stop('SIGTERM'));
  // Whatever happens, the run ends within MAX_SEC and leaves nothing behind.
  const hardStop = setTimeout(() => {
    console.error(`bench: stopped after ${MAX_SEC} s`);
    void server.stop('SIGKILL').finally(() => exitAfterCleanUp(2));
  }, MAX_SEC * 1000);
  hardStop.unref();
  const url = `ws://127.0.0.1:${server.port}`;
  console.log(`server pid ${server.pid} on cpu ${SERVER_CPU}, bots on cpu ${BOT_CPU}`);
  console.log(COLUMNS.map((column) => column.padStart(column.length)).join('  '));
  const metricsUrl = `http://127.0.0.1:${server.metricsPort}/metrics`;
  const botLoop = monitorEventLoopDelay({ resolution: 5 });
  botLoop.enable();

  const stats: Stats = {
    latencies: [],
    verdicts: new Map(),
    errors: 0,
    lateBatches: 0,
    joinFailures: 0,
  };
  const bots: Bot[] = [];
  let best = 0;
  let previous = 0;
  try {
    for (const players of STEPS) {
      if ((Date.now() - startedAt) / 1000 + STEP_SEC + 10 > MAX_SEC) break;
      // Add players, spreading the joins so their batches do not all land together.
      while (bots.length < players) {
        const token = signer.sign({ userId: crypto.randomUUID(), username: 'bench' });
        const bot = new Bot(url, token, course, stats);
        bots.push(bot);
        await bot.start().catch(() => stats.joinFailures++);
        await sleep(2);
      }
      await sleep(3_000);

      // Measure.
      stats.latencies.length = 0;
      const cpuBefore = processCpuMs(server.pid);
      const botCpuBefore = process.cpuUsage();
      const backlogStart = meanBacklog(bots);
      // A scrape resets the server's event-loop delay histogram: the next one covers the step.
      const serverBefore = await scrape(metricsUrl);
      botLoop.reset();
      const t0 = performance.now();
      await sleep(STEP_SEC * 1000);
      const elapsedSec = (performance.now() - t0) / 1000;
      const serverAfter = await scrape(metricsUrl);
      const botLoopP99 = botLoop.percentile(99) / 1e6;
      const cpuMs = processCpuMs(server.pid) - cpuBefore;
      const botCpu = process.cpuUsage(botCpuBefore);
      const botCpuMs = (botCpu.user + botCpu.system) / 1000;
      const backlogEnd = meanBacklog(bots);
      const sorted = Float64Array.from(stats.latencies).sort();
      const p50 = percentile(sorted, 0.5);
      const p99 = percentile(sorted, 0.99);
      const growing = backlogEnd > BACKLOG_LIMIT_TICKS && backlogEnd > backlogStart;
      const pass = p99 < P99_LIMIT_MS && !growing && sorted.length > 0;
      const gcShare = (gcSeconds(serverAfter) - gcSeconds(serverBefore)) / elapsedSec;
      const serverLoopP99 = (serverAfter.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000;
      const cells = [
        String(players),
        p50.toFixed(1),
        p99.toFixed(1),
        backlogEnd.toFixed(1),
        `${((cpuMs / (elapsedSec * 1000)) * 100).toFixed(0)}%`,
        (cpuMs / (players * elapsedSec)).toFixed(3),
        `${((botCpuMs / (elapsedSec * 1000)) * 100).toFixed(0)}%`,
        pass ? 'ok' : 'over',
        serverLoopP99.toFixed(1),
        `${(gcShare * 100).toFixed(1)}%`,
        botLoopP99.toFixed(1),
      ];
      console.log(cells.map((cell, i) => cell.padStart(COLUMNS[i]!.length)).join('  '));
      // The answer is the last step of the unbroken run of passing steps from the first.
      if (pass && best === previous) best = players;
      previous = players;
      if (!pass && !KEEP_GOING) break;
    }
  } finally {
    clearTimeout(hardStop);
    await Promise.all(bots.map((bot) => bot.stop()));
    await cleanUp();
  }

  console.log(`verdicts: ${JSON.stringify(Object.fromEntries(stats.verdicts))}`);
  console.log(
    `protocol errors: ${stats.errors}, batches after a verdict: ${stats.lateBatches}, ` +
      `join failures: ${stats.joinFailures}`,
  );
  console.log(
    `result: ${best} concurrently running players on one core with p99 input-to-ack < ` +
      `${P99_LIMIT_MS} ms and no growing backlog`,
  );
  process.exit(0);
}

/** A Prometheus text page as a map from series (name and labels) to value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

/** Seconds spent in garbage collection of every kind since the server started. */
function gcSeconds(series: Map<string, number>): number {
  let total = 0;
  for (const [name, value] of series) {
    if (name.startsWith('nodejs_gc_duration_seconds_sum')) total += value;
  }
  return total;
}

function meanBacklog(bots: Bot[]): number {
  let total = 0;
  for (const bot of bots) total += bot.backlog;
  return bots.length === 0 ? 0 : total / bots.length;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** User plus system CPU time of a process, in ms, from /proc. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Bots run on their own core: re-run this script under taskset once. The pinned run cleans up
// on Ctrl-C, on a signal and on a crash; this one only passes signals on and waits for it.
if (process.env.BENCH_PINNED !== '1') {
  const child = spawn('taskset', ['-c', BOT_CPU, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  // Ctrl-C reaches the whole process group, the pinned run included.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  process.on('SIGINT', () => exitAfterCleanUp(130));
  process.on('SIGTERM', () => exitAfterCleanUp(143));
  process.on('uncaughtException', (err) => {
    console.error(err);
    exitAfterCleanUp(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    exitAfterCleanUp(1);
  });
  await main().catch((err: unknown) => {
    console.error(err);
    exitAfterCleanUp(1);
  });
}
