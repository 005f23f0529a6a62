import { randomBytes } from 'node:crypto';
import { Client } from '@colyseus/sdk';
import type { Room } from '@colyseus/sdk';
import { RULESET_VERSION } from '@truerun/shared-sim';
import {
  ROOM_PROTOCOL_VERSION,
  RUN_ROOM_NAME,
  RoomCloseCode,
  Verdict,
} from '@truerun/shared-sim/protocol';
import type { JoinOptions } from '@truerun/shared-sim/protocol';
import { KIND_SPECS } from './bot-kinds.ts';
import type { BotKind } from './bot-kinds.ts';
import { GatewayClient, GatewayError, sleep } from './gateway-client.ts';
import type { Session } from './gateway-client.ts';
import { LatencySeries } from './metrics.ts';
import type { LoadMetrics, RunEnding } from './metrics.ts';
import { playRun } from './run-player.ts';
import type { PlayResult } from './run-player.ts';
import { tacticsFor } from './tactics.ts';

export interface BotOptions {
  kind: BotKind;
  /** Unique among the bots of a load run; part of the bot's username. */
  index: number;
  /** Starts every username of the load run; letters and digits, at most 10 characters. */
  namePrefix: string;
  gatewayUrl: string;
  gameServerUrl: string;
  /** Ticks steered with the policy before the bot only holds right; Infinity plays it all. */
  playTicks: number;
  /** No run starts after this `performance.now()`. */
  startRunsUntil: number;
  maxRuns: number;
  /** How long the bot watches the season board for each new best, in ms. */
  rankTimeoutMs: number;
  metrics: LoadMetrics;
  /** Aborted when the load run must end now; the bot leaves its room at once. */
  signal: AbortSignal;
}

const RANK_POLL_MS = 100;
/** Extra time a run may take beyond its own length before the bot gives up waiting. */
const VERDICT_SLACK_MS = 45_000;
const JOIN_RETRY_MS = 1_000;
const JOIN_TIMEOUT_MS = 20_000;
const LEAVE_TIMEOUT_MS = 3_000;

/**
 * One player: signs up and logs in through the gateway, then plays runs until the load run
 * stops starting them: joins through matchmaking, plays, waits for the verdict, leaves, and
 * watches the season board for its verified runs.
 */
export async function runBot(options: BotOptions): Promise<void> {
  const { metrics, signal } = options;
  const gateway = new GatewayClient(options.gatewayUrl);
  const username = `${options.namePrefix}_${options.index}`;
  const password = randomBytes(12).toString('base64url');

  let session: Session;
  try {
    session = await timed(metrics, LatencySeries.REGISTER, () =>
      signUp(gateway, username, password),
    );
    session = await timed(metrics, LatencySeries.LOGIN, () =>
      gateway.login(username, password).catch(async (err: unknown) => {
        if (!retryable(err)) throw err;
        await sleep(JOIN_RETRY_MS);
        return gateway.login(username, password);
      }),
    );
    const me = await gateway.me(session);
    if (me.id !== session.userId) metrics.failure('auth/me answered another account');
  } catch (err) {
    metrics.failure(`account: ${describe(err)}`);
    return;
  }

  const rankWatches: Promise<void>[] = [];
  let best = -1;
  for (let runs = 0; runs < options.maxRuns; runs++) {
    if (signal.aborted || performance.now() >= options.startRunsUntil) break;
    try {
      if (performance.now() >= session.refreshAt) session = await gateway.refresh(session);
      const season = await gateway.currentSeason();
      const result = await playOneRun(options, session.accessToken);
      if (!result) {
        await sleep(JOIN_RETRY_MS);
        continue;
      }
      if (result.start.seed !== season.seed || result.start.seasonId !== season.seasonId) {
        metrics.failure('room course differs from the current season');
      }
      await timed(metrics, LatencySeries.BOARD_TOP, () => gateway.top(season.seasonId, 10));
      const verdict = result.verdict;
      if (verdict?.verdict === Verdict.VERIFIED && verdict.score > best) {
        best = verdict.score;
        const claimedAt = result.claimedAt ?? performance.now();
        rankWatches.push(
          watchRank(gateway, metrics, result.start.seasonId, session.userId, verdict.runId, {
            claimedAt,
            timeoutMs: options.rankTimeoutMs,
            signal,
          }),
        );
      }
    } catch (err) {
      metrics.failure(`run: ${describe(err)}`);
      await sleep(JOIN_RETRY_MS);
    }
  }
  await Promise.all(rankWatches);
}

/** A failure a player's client would retry: no answer at all, or a server-side error. */
function retryable(err: unknown): boolean {
  return !(err instanceof GatewayError) || err.status >= 500;
}

/**
 * Registers, retrying once when the connection failed or the server erred. A retry may find
 * the account already made by the first attempt; the bot then logs in to it.
 */
async function signUp(gateway: GatewayClient, username: string, password: string) {
  try {
    return await gateway.register(username, password);
  } catch (err) {
    if (!retryable(err)) throw err;
    await sleep(JOIN_RETRY_MS);
  }
  try {
    return await gateway.register(username, password);
  } catch (err) {
    if (err instanceof GatewayError && err.status === 409) return gateway.login(username, password);
    throw err;
  }
}

/** Joins a room, plays one run and counts how it ended; null when no seat was had. */
async function playOneRun(options: BotOptions, token: string): Promise<PlayResult | null> {
  const { metrics, kind, signal } = options;
  const join: JoinOptions = { token, protocol: ROOM_PROTOCOL_VERSION, ruleset: RULESET_VERSION };
  let room: Room;
  try {
    const client = new Client(options.gameServerUrl);
    const joining = client.joinOrCreate(RUN_ROOM_NAME, join);
    room = await timed(metrics, LatencySeries.JOIN, () =>
      withTimeout(joining, JOIN_TIMEOUT_MS, 'join timed out'),
    ).catch((err: unknown) => {
      // A seat that arrives after the bot gave up is left at once, not kept.
      joining.then((late) => leave(late)).catch(() => {});
      throw err;
    });
  } catch (err) {
    metrics.failure(`join: ${describe(err)}`);
    return null;
  }

  // The SDK may reconnect as soon as the socket drops, however young the seat.
  room.reconnection.minUptime = 0;
  metrics.seated++;
  const abort = () => void leave(room);
  signal.addEventListener('abort', abort, { once: true });
  try {
    const tactics = tacticsFor(kind);
    const runMs = (Math.min(options.playTicks, 21_600) * 1000) / 60 / tactics.clockRate;
    const readyAt = performance.now();
    const pending = playRun(room, {
      tactics,
      playTicks: options.playTicks,
      startTimeoutMs: 10_000,
      verdictTimeoutMs: runMs + VERDICT_SLACK_MS,
      onAckLatency:
        tactics.network.jitterMs === 0 &&
        tactics.network.stall === null &&
        !tactics.network.reorder &&
        tactics.network.dropAtMs === null
          ? (ms) => metrics.record(LatencySeries.INPUT_ACK, ms)
          : undefined,
    });
    const result = await started(pending, metrics, readyAt);
    if (result.failure) metrics.failure(`bot: ${result.failure}`);
    if (KIND_SPECS[kind].honest && result.divergentCheckpoints > 0) {
      metrics.failure('honest run diverged from the server checkpoints');
    }
    metrics.runEnded(kind, ending(result), reasonOf(result), result.reconnected);
    if (result.verdict && result.claimedAt !== null) {
      metrics.record(LatencySeries.VERDICT, performance.now() - result.claimedAt);
    }
    return result;
  } finally {
    signal.removeEventListener('abort', abort);
    metrics.seated--;
    await leave(room);
  }
}

/**
 * Leaves the room, consented. A room the server already closed never answers the leave, so
 * the wait is bounded.
 */
async function leave(room: Room): Promise<void> {
  if (!room.connection.isOpen && !room.reconnection.isReconnecting) return;
  room.reconnection.enabled = false;
  await withTimeout(room.leave(true), LEAVE_TIMEOUT_MS, 'leave timed out').catch(() => {});
}

/** Counts the run as running from `start` until it resolves. */
async function started(
  pending: Promise<PlayResult>,
  metrics: LoadMetrics,
  readyAt: number,
): Promise<PlayResult> {
  metrics.running++;
  metrics.runsStarted++;
  try {
    const result = await pending;
    metrics.record(LatencySeries.START, result.startedAt - readyAt);
    return result;
  } finally {
    metrics.running--;
  }
}

function ending(result: PlayResult): RunEnding {
  if (result.verdict) return result.verdict.verdict;
  if (
    result.closeCode === RoomCloseCode.FLOODING ||
    result.closeCode === RoomCloseCode.PROTOCOL_VIOLATION
  ) {
    return 'disconnected';
  }
  return 'no_verdict';
}

function reasonOf(result: PlayResult): string {
  if (result.verdict) return result.verdict.reason;
  if (result.closeCode !== null) return `close/${result.closeCode}`;
  return 'timeout';
}

/** Polls the player's board row until it shows `runId`, and records how long that took. */
async function watchRank(
  gateway: GatewayClient,
  metrics: LoadMetrics,
  seasonId: string,
  userId: string,
  runId: string,
  watch: { claimedAt: number; timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  metrics.rankExpected++;
  const deadline = watch.claimedAt + watch.timeoutMs;
  while (performance.now() < deadline && !watch.signal.aborted) {
    try {
      const entry = await gateway.boardEntry(seasonId, userId);
      if (entry?.runId === runId) {
        metrics.rankSeen++;
        metrics.record(LatencySeries.RANK_VISIBLE, performance.now() - watch.claimedAt);
        return;
      }
    } catch (err) {
      metrics.failure(`board: ${describe(err)}`);
    }
    await sleep(RANK_POLL_MS);
  }
}

async function timed<T>(
  metrics: LoadMetrics,
  series: LatencySeries,
  call: () => Promise<T>,
): Promise<T> {
  const at = performance.now();
  const value = await call();
  metrics.record(series, performance.now() - at);
  return value;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** A short, stable description of a failure for the report's failure counts. */
function describe(err: unknown): string {
  if (err instanceof GatewayError) return `${err.status} ${err.code}`;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return code !== undefined ? `${String(code)} ${message.slice(0, 80)}` : message.slice(0, 80);
}
