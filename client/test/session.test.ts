import { describe, expect, it } from 'vitest';
import {
  BotPolicy,
  DEFAULT_COURSE_LENGTH,
  Input,
  PLAYER,
  RULESET_VERSION,
  replay,
} from '@truerun/shared-sim';
import {
  CHECKPOINT_INTERVAL_TICKS,
  ROOM_PROTOCOL_VERSION,
  Verdict,
  VerdictReason,
} from '@truerun/shared-sim/protocol';
import type { Claim, InputBatch, RunStart, VerdictMessage } from '@truerun/shared-sim/protocol';
import { PracticeLink } from '../app/game/practice-link.ts';
import type { RunLink, RunLinkEvents } from '../app/game/run-link.ts';
import { GameSession, SessionPhase } from '../app/game/session.ts';
import type { HudState, SessionOutcome } from '../app/game/session.ts';

const TICK_MS = 1000 / 60;

/** A server stand-in that records what the session sends and speaks when told to. */
class RecordingLink implements RunLink {
  readonly ranked = true;
  events: RunLinkEvents | null = null;
  readonly batches: InputBatch[] = [];
  readonly checkpoints: { tick: number; hash: string }[] = [];
  readonly claims: Claim[] = [];

  async open(events: RunLinkEvents): Promise<void> {
    this.events = events;
  }
  sendInputs(batch: InputBatch): void {
    this.batches.push(batch);
  }
  sendCheckpoint(tick: number, hash: string): void {
    this.checkpoints.push({ tick, hash });
  }
  sendClaim(claim: Claim): void {
    this.claims.push(claim);
  }
  async close(): Promise<void> {}

  start(seed: number): void {
    const start: RunStart = {
      protocol: ROOM_PROTOCOL_VERSION,
      runId: 'run-1',
      seasonId: 'season-1',
      seed,
      ruleset: RULESET_VERSION,
      courseLength: DEFAULT_COURSE_LENGTH,
      checkpointInterval: CHECKPOINT_INTERVAL_TICKS,
      startedAt: new Date(0).toISOString(),
    };
    this.events!.start(start);
  }
}

/** Feeds the session frames 1/60 s apart until `until` holds or `maxFrames` pass. */
function play(session: GameSession, until: () => boolean, maxFrames = 30_000, startMs = 0): number {
  let now = startMs;
  let frames = 0;
  session.frame(now);
  while (!until() && frames < maxFrames) {
    now += TICK_MS;
    session.frame(now);
    frames++;
  }
  return now;
}

function holdRight(session: GameSession): void {
  session.hooks.beforeTick = () => session.controls.touch(Input.RIGHT, true);
}

describe('GameSession', () => {
  it('plays a practice run to the same result a replay of its inputs gives', async () => {
    const outcomes: SessionOutcome[] = [];
    const session = new GameSession({
      link: new PracticeLink(12345),
      userId: null,
      maxHp: PLAYER.maxHp,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await session.open();
    expect(session.phase).toBe(SessionPhase.RUNNING);
    const bot = new BotPolicy();
    session.hooks.beforeTick = (run) => {
      const bits = run.tick < 600 ? bot.decide(run) : Input.RIGHT;
      session.controls.releaseAll();
      for (const bit of [Input.LEFT, Input.RIGHT, Input.JUMP, Input.ATTACK]) {
        if (bits & bit) session.controls.touch(bit, true);
      }
    };
    play(session, () => session.phase === SessionPhase.JUDGED);

    expect(outcomes).toHaveLength(1);
    const outcome = outcomes[0]!;
    const expected = replay({ seed: 12345, ruleset: RULESET_VERSION, inputs: session.log.all });
    expect(outcome.ranked).toBe(false);
    expect(outcome.verdict).toBe(null);
    expect(outcome.local).toEqual({
      ticks: expected.ticks,
      score: expected.score,
      distance: expected.distance,
      kills: expected.kills,
      coins: expected.coins,
      outcome: expected.outcome,
      finalHash: expected.finalHash,
    });
    expect(expected.ticks).toBeGreaterThan(600);
  });

  it('streams from the first unacknowledged tick, sends checkpoints and one claim', async () => {
    const link = new RecordingLink();
    const session = new GameSession({ link, userId: 'me', maxHp: PLAYER.maxHp });
    await session.open();
    expect(session.phase).toBe(SessionPhase.WAITING);
    link.start(777);
    holdRight(session);

    // The first tick goes out at once; later ones at most every 100 ms, repeating unacked ones.
    play(session, () => session.run!.tick >= 3);
    expect(link.batches[0]).toEqual({ firstTick: 1, inputs: Uint8Array.from([Input.RIGHT]) });
    for (const batch of link.batches) expect(batch.firstTick).toBe(1);
    const acked = session.log.lastTick;
    link.events!.acknowledged({ tick: acked, processed: acked });
    const sentBeforeAck = link.batches.length;

    const end = play(session, () => session.phase === SessionPhase.CLAIMED, 30_000, 100);
    const run = session.run!;
    const later = link.batches.slice(sentBeforeAck).map((batch) => batch.firstTick);
    expect(later).toEqual(later.map(() => acked + 1));
    const last = link.batches[link.batches.length - 1]!;
    expect(last.firstTick + last.inputs.length - 1).toBe(run.tick);

    const expected = replay({ seed: 777, ruleset: RULESET_VERSION, inputs: session.log.all });
    expect(link.claims).toEqual([
      { finalTick: expected.ticks, score: expected.score, hash: expected.finalHash },
    ]);
    expect(link.checkpoints.map((c) => c.tick)).toEqual(
      Array.from({ length: Math.floor(run.tick / 60) }, (_, i) => (i + 1) * 60),
    );

    // Further frames send nothing new until the server's silence calls for a repeat.
    const sent = link.batches.length;
    session.frame(end + 100);
    expect(link.batches.length).toBe(sent);
    session.frame(end + 1_000);
    expect(link.batches.length).toBe(sent + 1);
  });

  it('flags the first checkpoint that disagrees and ends with the server verdict', async () => {
    const link = new RecordingLink();
    const huds: HudState[] = [];
    const outcomes: SessionOutcome[] = [];
    const session = new GameSession({
      link,
      userId: 'me',
      maxHp: PLAYER.maxHp,
      onHud: (hud) => huds.push(hud),
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await session.open();
    link.start(99);
    holdRight(session);
    play(session, () => session.run!.tick >= 130);

    const [first, second] = link.checkpoints;
    link.events!.checkpoint(first!.tick, first!.hash);
    link.events!.checkpoint(second!.tick, '0000000000000000');
    session.frame(10_000);
    expect(huds[huds.length - 1]!.checkpointsMatched).toBe(1);
    expect(huds[huds.length - 1]!.diverged).toBe(true);

    const verdict: VerdictMessage = {
      runId: 'run-1',
      verdict: Verdict.REJECTED,
      reason: VerdictReason.CLAIM_MISMATCH,
      ticks: 130,
      score: 1,
      distance: 2,
      kills: 0,
      coins: 0,
      outcome: 'fell',
      finalHash: 'ffffffffffffffff',
    };
    link.events!.judged(verdict);
    expect(session.phase).toBe(SessionPhase.JUDGED);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.verdict).toEqual(verdict);
    expect(outcomes[0]!.divergence).toEqual({
      tick: second!.tick,
      serverHash: '0000000000000000',
      clientHash: second!.hash,
    });
  });

  it('pauses without catching up afterwards', async () => {
    const session = new GameSession({ link: new PracticeLink(5), userId: null, maxHp: 5 });
    await session.open();
    session.frame(0);
    session.frame(100);
    const before = session.run!.tick;
    expect(before).toBe(6);
    session.pause('hidden');
    expect(session.phase).toBe(SessionPhase.PAUSED);
    expect(session.frame(60_000)).toBe(0);
    session.resume();
    expect(session.frame(60_001)).toBe(0);
    expect(session.frame(60_001 + 2 * TICK_MS + 1)).toBe(2);
    expect(session.run!.tick).toBe(before + 2);
  });

  it('shows a dropped connection in the HUD and keeps running meanwhile', async () => {
    const link = new RecordingLink();
    const huds: HudState[] = [];
    const session = new GameSession({ link, userId: 'me', maxHp: 5, onHud: (h) => huds.push(h) });
    await session.open();
    link.start(3);
    holdRight(session);
    play(session, () => session.run!.tick >= 10);
    link.events!.dropped();
    expect(huds[huds.length - 1]!.reconnecting).toBe(true);
    play(session, () => session.run!.tick >= 30, 100, 1_000);
    expect(session.phase).toBe(SessionPhase.RUNNING);
    link.events!.reconnected();
    expect(huds[huds.length - 1]!.reconnecting).toBe(false);
  });

  it('reports a link that fails as a failure, with no verdict', async () => {
    const outcomes: SessionOutcome[] = [];
    const link = new RecordingLink();
    const session = new GameSession({
      link,
      userId: 'me',
      maxHp: 5,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await session.open();
    link.events!.failed('join/unauthorized', 'token expired');
    expect(session.phase).toBe(SessionPhase.FAILED);
    expect(outcomes[0]!.failure).toEqual({ code: 'join/unauthorized', message: 'token expired' });
    expect(outcomes[0]!.verdict).toBe(null);
  });

  it('ends as a failure when the server refuses to start a run on an expired course', async () => {
    const outcomes: SessionOutcome[] = [];
    const link = new RecordingLink();
    const session = new GameSession({
      link,
      userId: 'me',
      maxHp: 5,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await session.open();
    link.events!.refused('protocol/rate_limited', 'slow down');
    expect(outcomes).toEqual([]);
    link.events!.refused('protocol/course_expired', 'the course changed; join anew');
    expect(session.phase).toBe(SessionPhase.FAILED);
    expect(outcomes[0]!.failure).toEqual({
      code: 'protocol/course_expired',
      message: 'the course changed; join anew',
    });
  });
});
