import { VerdictReason } from '@truerun/shared-sim/protocol';

/**
 * Every kind of bot the load test runs. Honest kinds play fair, some over a bad network;
 * each cheating kind breaks exactly one rule the game server judges.
 */
export const BotKind = {
  /** Fair play on a good network. */
  HONEST: 'honest',
  /** Fair play; every message is delayed by a random 0–150 ms, so messages overtake. */
  HONEST_JITTER: 'honest-jitter',
  /** Fair play; the network stalls for 2.5 s, then the backlog arrives at once. */
  HONEST_STALL: 'honest-stall-burst',
  /** Fair play; batches carry only new ticks and every second pair arrives swapped. */
  HONEST_REORDER: 'honest-reorder',
  /** Fair play; the connection drops mid-run and the SDK reconnects to the same seat. */
  HONEST_RECONNECT: 'honest-reconnect',
  /** The client's clock runs twice as fast as real time. */
  FAST_CLOCK: 'cheat-fast-clock',
  /** Fair inputs, but the claim adds 500 points. */
  FORGED_CLAIM: 'cheat-forged-claim',
  /** The client's simulation ignores damage (health pinned at full) and claims its result. */
  MODIFIED_SIM: 'cheat-modified-sim',
  /** One input byte carries a bit outside the defined set. */
  UNDEFINED_BITS: 'cheat-undefined-bits',
  /** Replays an acknowledged batch with different inputs for the same ticks. */
  CONTRADICTING_REPLAY: 'cheat-contradicting-replay',
  /** Keeps sending inputs after its run ended (after death). */
  INPUTS_AFTER_END: 'cheat-inputs-after-end',
  /** Sends one batch longer than the protocol allows. */
  OVERSIZED_BATCH: 'cheat-oversized-batch',
  /** Sends an `inputs` message that is not an input batch. */
  MALFORMED: 'cheat-malformed',
  /** Sends hundreds of messages at once. */
  FLOODING: 'cheat-flooding',
} as const;

export type BotKind = (typeof BotKind)[keyof typeof BotKind];

/** What the load test expects the server to decide about a kind's runs. */
export interface KindSpec {
  honest: boolean;
  /** The verdict reason a run of this kind should get. */
  expectedReason: VerdictReason;
}

export const KIND_SPECS: Readonly<Record<BotKind, KindSpec>> = {
  [BotKind.HONEST]: { honest: true, expectedReason: VerdictReason.OK },
  [BotKind.HONEST_JITTER]: { honest: true, expectedReason: VerdictReason.OK },
  [BotKind.HONEST_STALL]: { honest: true, expectedReason: VerdictReason.OK },
  [BotKind.HONEST_REORDER]: { honest: true, expectedReason: VerdictReason.OK },
  [BotKind.HONEST_RECONNECT]: { honest: true, expectedReason: VerdictReason.OK },
  [BotKind.FAST_CLOCK]: { honest: false, expectedReason: VerdictReason.TOO_FAST },
  [BotKind.FORGED_CLAIM]: { honest: false, expectedReason: VerdictReason.CLAIM_MISMATCH },
  [BotKind.MODIFIED_SIM]: { honest: false, expectedReason: VerdictReason.CLAIM_MISMATCH },
  [BotKind.UNDEFINED_BITS]: { honest: false, expectedReason: VerdictReason.UNDEFINED_BITS },
  [BotKind.CONTRADICTING_REPLAY]: {
    honest: false,
    expectedReason: VerdictReason.CONTRADICTS_EARLIER,
  },
  [BotKind.INPUTS_AFTER_END]: { honest: false, expectedReason: VerdictReason.INPUTS_AFTER_END },
  [BotKind.OVERSIZED_BATCH]: { honest: false, expectedReason: VerdictReason.OVERSIZED },
  [BotKind.MALFORMED]: { honest: false, expectedReason: VerdictReason.MALFORMED },
  [BotKind.FLOODING]: { honest: false, expectedReason: VerdictReason.FLOODING },
};

export const ALL_KINDS = Object.values(BotKind);
export const HONEST_KINDS = ALL_KINDS.filter((kind) => KIND_SPECS[kind].honest);
export const BAD_NETWORK_KINDS = HONEST_KINDS.filter((kind) => kind !== BotKind.HONEST);
export const CHEAT_KINDS = ALL_KINDS.filter((kind) => !KIND_SPECS[kind].honest);

/** The smoke mix: six honest bots, four of them on bad networks, and one of each cheat. */
export const SMOKE_MIX: readonly BotKind[] = [
  BotKind.HONEST,
  BotKind.HONEST,
  ...BAD_NETWORK_KINDS,
  ...CHEAT_KINDS,
];

/**
 * The kinds of `bots` bots: `round(bots * cheaterShare)` cheaters spread evenly over the cheat
 * kinds, and among the honest ones `round(honest * badNetworkShare)` spread over the bad
 * networks. Deterministic, so two runs with the same options have the same mix.
 */
export function botMix(bots: number, cheaterShare: number, badNetworkShare: number): BotKind[] {
  const cheaters = Math.round(bots * cheaterShare);
  const honest = bots - cheaters;
  const badNetwork = Math.round(honest * badNetworkShare);
  const mix: BotKind[] = [];
  for (let i = 0; i < honest - badNetwork; i++) mix.push(BotKind.HONEST);
  for (let i = 0; i < badNetwork; i++) mix.push(BAD_NETWORK_KINDS[i % BAD_NETWORK_KINDS.length]!);
  for (let i = 0; i < cheaters; i++) mix.push(CHEAT_KINDS[i % CHEAT_KINDS.length]!);
  return interleave(mix);
}

/** Spreads each kind evenly over the start order, so cheaters do not all join last. */
function interleave(mix: BotKind[]): BotKind[] {
  const counts = new Map<BotKind, number>();
  for (const kind of mix) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const placed = [...counts].flatMap(([kind, count]) =>
    Array.from({ length: count }, (_, i) => ({ kind, at: (i + 0.5) / count })),
  );
  placed.sort((a, b) => a.at - b.at);
  return placed.map(({ kind }) => kind);
}
