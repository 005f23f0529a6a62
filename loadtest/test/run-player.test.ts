import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Room } from '@colyseus/sdk';
import { RULESET_VERSION } from '@truerun/shared-sim';
import {
  ClientMessage,
  INPUT_BATCH_INTERVAL_MS,
  ServerMessage,
  Verdict,
  VerdictReason,
} from '@truerun/shared-sim/protocol';
import type { InputBatch, RunStart } from '@truerun/shared-sim/protocol';
import { BotKind } from '../src/bot-kinds.ts';
import { playRun } from '../src/run-player.ts';
import type { PlayResult } from '../src/run-player.ts';
import { tacticsFor } from '../src/tactics.ts';

/** A room that records what the bot sends; the test plays the server. */
class ScriptedRoom {
  readonly sent: { at: number; type: string; payload: unknown }[] = [];
  private readonly handlers = new Map<string, (payload: unknown) => void>();
  readonly connection = { isOpen: true, transport: { ws: { close: vi.fn() } } };
  readonly reconnection = { isReconnecting: false, enabled: true };
  onLeave = { once: (_cb: (code: number) => void) => {} };
  onReconnect = { once: (_cb: () => void) => {} };

  onMessage(type: string, cb: (payload: unknown) => void): () => void {
    this.handlers.set(type, cb);
    return () => this.handlers.delete(type);
  }

  send(type: string, payload?: unknown): void {
    this.sent.push({ at: performance.now(), type, payload });
    if (type === ClientMessage.READY)
      queueMicrotask(() => this.deliver(ServerMessage.START, START));
  }

  deliver(type: string, payload: unknown): void {
    this.handlers.get(type)?.(payload);
  }

  batches(): (InputBatch & { at: number })[] {
    return this.sent
      .filter((m) => m.type === ClientMessage.INPUTS)
      .map((m) => ({ at: m.at, ...(m.payload as InputBatch) }));
  }
}

const START: RunStart = {
  protocol: 1,
  runId: '00000000-0000-4000-8000-000000000001',
  seasonId: 'test-season',
  seed: 7,
  ruleset: RULESET_VERSION,
  courseLength: 36_000,
  checkpointInterval: 60,
  startedAt: '2026-12-04T10:00:00.000Z',
};

function play(room: ScriptedRoom, kind: BotKind, playTicks = 120): Promise<PlayResult> {
  return playRun(room as unknown as Room, {
    tactics: tacticsFor(kind),
    playTicks,
    startTimeoutMs: 1_000,
    verdictTimeoutMs: 120_000,
  });
}

/** Every tick from 1 to `last` sent at least once, and always with the same byte. */
function coverage(batches: InputBatch[]): Map<number, number> {
  const bytes = new Map<number, number>();
  for (const batch of batches) {
    batch.inputs.forEach((byte, i) => {
      const tick = batch.firstTick + i;
      const earlier = bytes.get(tick);
      if (earlier !== undefined) expect(byte).toBe(earlier);
      bytes.set(tick, byte);
    });
  }
  return bytes;
}

describe('a bot streaming a run', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'],
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  test('sends real-time batches from the last ack, its checkpoints, then its claim', async () => {
    const room = new ScriptedRoom();
    const pending = play(room, BotKind.HONEST);
    await vi.advanceTimersByTimeAsync(1_000);

    // One second of a 60 Hz clock in 100 ms batches, each repeating everything unacknowledged.
    const early = room.batches();
    expect(early).toHaveLength(10);
    expect(early.every((b) => b.firstTick === 1)).toBe(true);
    expect(early.at(-1)!.inputs).toHaveLength(60);
    expect(room.sent.filter((m) => m.type === ClientMessage.CHECKPOINT)).toHaveLength(1);

    room.deliver(ServerMessage.ACK, { tick: 60, processed: 60 });
    await vi.advanceTimersByTimeAsync(INPUT_BATCH_INTERVAL_MS);
    expect(room.batches().at(-1)!.firstTick).toBe(61);

    // Steered for two seconds, then holding right until the run ends by itself.
    await vi.advanceTimersByTimeAsync(60_000);
    const claim = room.sent.find((m) => m.type === ClientMessage.CLAIM);
    expect(claim).toBeDefined();
    const { finalTick } = claim!.payload as { finalTick: number };
    const bytes = coverage(room.batches());
    expect(bytes.size).toBe(finalTick);
    expect(Math.max(...bytes.keys())).toBe(finalTick);

    room.deliver(ServerMessage.VERDICT, { verdict: Verdict.VERIFIED, reason: VerdictReason.OK });
    const result = await pending;
    expect(result.verdict?.verdict).toBe(Verdict.VERIFIED);
    expect(result.localTicks).toBe(finalTick);
    expect(result.failure).toBeNull();
  });

  test('a reordering network sends every tick once, with pairs of batches swapped', async () => {
    const room = new ScriptedRoom();
    void play(room, BotKind.HONEST_REORDER);
    await vi.advanceTimersByTimeAsync(1_000);
    const firsts = room.batches().map((b) => b.firstTick);
    const ordered = [...firsts].sort((a, b) => a - b);
    expect(firsts).not.toEqual(ordered);
    const bytes = coverage(room.batches());
    const sentTicks = room.batches().reduce((n, b) => n + b.inputs.length, 0);
    expect(sentTicks).toBe(bytes.size);
    expect(bytes.size).toBeGreaterThanOrEqual(57);
  });

  test('a stalled network sends nothing for 2.5 s, then the whole backlog at once', async () => {
    const room = new ScriptedRoom();
    void play(room, BotKind.HONEST_STALL, 600);
    await vi.advanceTimersByTimeAsync(3_000);
    room.deliver(ServerMessage.ACK, { tick: 170, processed: 170 });
    const beforeStall = room.batches().length;
    await vi.advanceTimersByTimeAsync(2_450);
    expect(room.batches()).toHaveLength(beforeStall);

    await vi.advanceTimersByTimeAsync(100);
    const burst = room.batches().at(-1)!;
    expect(burst.firstTick).toBe(171);
    expect(burst.firstTick + burst.inputs.length - 1).toBeGreaterThanOrEqual(5.5 * 60 - 3);
  });

  test('the reconnecting bot drops its socket as a lost connection three seconds in', async () => {
    const room = new ScriptedRoom();
    void play(room, BotKind.HONEST_RECONNECT, 600);
    await vi.advanceTimersByTimeAsync(2_950);
    expect(room.connection.transport.ws.close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(room.connection.transport.ws.close).toHaveBeenCalledWith(4010, 'network lost');
  });

  test('the sped-up clock sends two ticks of input per real tick', async () => {
    const room = new ScriptedRoom();
    void play(room, BotKind.FAST_CLOCK, 600);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(room.batches().at(-1)!.inputs).toHaveLength(120);
  });
});
