import { Input, PLAYER } from '@truerun/shared-sim';
import type { Run } from '@truerun/shared-sim';
import { ClientMessage, MAX_BATCH_TICKS } from '@truerun/shared-sim/protocol';
import type { Claim } from '@truerun/shared-sim/protocol';
import { BotKind } from './bot-kinds.ts';

/** How the network between a bot and the game server misbehaves. */
export interface NetworkProfile {
  /** Every message waits a uniform random 0…jitterMs before it leaves; later ones may overtake. */
  jitterMs: number;
  /** Nothing leaves from `atMs` after the start for `forMs`; the backlog then goes at once. */
  stall: { atMs: number; forMs: number } | null;
  /** Batches carry only new ticks, and every second pair leaves in swapped order. */
  reorder: boolean;
  /** The connection drops this long after the start; the SDK reconnects to the same seat. */
  dropAtMs: number | null;
}

export const GOOD_NETWORK: NetworkProfile = {
  jitterMs: 0,
  stall: null,
  reorder: false,
  dropAtMs: null,
};

/** What a misbehaving bot may do at a moment of its run, besides its normal stream. */
export interface RunActionContext {
  /** Highest tick the server has acknowledged as received contiguously. */
  readonly ackTick: number;
  /** Input bytes the bot has sent so far, tick 1 at index 0. */
  readonly inputs: Uint8Array;
  /** The client's own hash after tick 60, if its simulation got there. */
  readonly firstCheckpointHash: string | null;
  send(type: string, payload: unknown): void;
}

/** A one-off action at `atMs` after the start; `ready` can hold it until the state allows. */
export interface RunAction {
  atMs: number;
  ready?(context: RunActionContext): boolean;
  run(context: RunActionContext): void;
}

/**
 * Everything about how a bot plays a run besides the shared-sim bot policy: its clock, the
 * changes it makes to its own simulation, inputs and claim, and its network.
 */
export interface RunTactics {
  /** The bot's clock rate against real time; 1 for everyone but the sped-up-clock cheat. */
  clockRate: number;
  /** Runs before every local tick; a modified client changes its simulation here. */
  beforeStep: ((run: Run) => void) | null;
  /** The input byte sent for `tick`, given the one the policy chose. */
  input: ((tick: number, chosen: number) => number) | null;
  /** Ticks of input the bot goes on producing after its run ended. */
  ticksAfterEnd: number;
  /** The claim sent, given the client's own result. */
  claim: (own: Claim) => Claim;
  actions: readonly RunAction[];
  network: NetworkProfile;
}

const FAIR: RunTactics = {
  clockRate: 1,
  beforeStep: null,
  input: null,
  ticksAfterEnd: 0,
  claim: (own) => own,
  actions: [],
  network: GOOD_NETWORK,
};

/** A bit outside `INPUT_MASK`. */
const UNDEFINED_BIT = 0x10;
/** When the one-off cheats act, in ms after the start. */
const CHEAT_AT_MS = 1_500;
const REPLAY_AT_MS = 3_000;
const NETWORK_TROUBLE_AT_MS = 3_000;
const FLOOD_MESSAGES = 300;

/** The tactics of each bot kind. */
export function tacticsFor(kind: BotKind): RunTactics {
  switch (kind) {
    case BotKind.HONEST:
      return FAIR;
    case BotKind.HONEST_JITTER:
      return { ...FAIR, network: { ...GOOD_NETWORK, jitterMs: 150 } };
    case BotKind.HONEST_STALL:
      return {
        ...FAIR,
        network: { ...GOOD_NETWORK, stall: { atMs: NETWORK_TROUBLE_AT_MS, forMs: 2_500 } },
      };
    case BotKind.HONEST_REORDER:
      return { ...FAIR, network: { ...GOOD_NETWORK, reorder: true } };
    case BotKind.HONEST_RECONNECT:
      return { ...FAIR, network: { ...GOOD_NETWORK, dropAtMs: NETWORK_TROUBLE_AT_MS } };
    case BotKind.FAST_CLOCK:
      return { ...FAIR, clockRate: 2 };
    case BotKind.FORGED_CLAIM:
      return { ...FAIR, claim: (own) => ({ ...own, score: own.score + 500 }) };
    case BotKind.MODIFIED_SIM:
      return { ...FAIR, beforeStep: ignoreDamage };
    case BotKind.UNDEFINED_BITS:
      return { ...FAIR, input: (tick, chosen) => (tick === 90 ? chosen | UNDEFINED_BIT : chosen) };
    case BotKind.CONTRADICTING_REPLAY:
      return { ...FAIR, actions: [contradictingReplay] };
    case BotKind.INPUTS_AFTER_END:
      return { ...FAIR, ticksAfterEnd: 30 };
    case BotKind.OVERSIZED_BATCH:
      return { ...FAIR, actions: [oversizedBatch] };
    case BotKind.MALFORMED:
      return { ...FAIR, actions: [malformedBatch] };
    case BotKind.FLOODING:
      return { ...FAIR, actions: [flood] };
  }
}

/** A client build whose player never loses health: the same inputs give another state. */
function ignoreDamage(run: Run): void {
  (run as unknown as { hp: number }).hp = PLAYER.maxHp;
}

/** Sends the last acknowledged second again with the jump bit of every tick flipped. */
const contradictingReplay: RunAction = {
  atMs: REPLAY_AT_MS,
  ready: (context) => context.ackTick >= 60,
  run(context) {
    const first = context.ackTick - 59;
    const replayed = context.inputs.slice(first - 1, context.ackTick).map((b) => b ^ Input.JUMP);
    context.send(ClientMessage.INPUTS, { firstTick: first, inputs: replayed });
  },
};

const oversizedBatch: RunAction = {
  atMs: CHEAT_AT_MS,
  run(context) {
    const inputs = new Uint8Array(MAX_BATCH_TICKS + 1).fill(Input.RIGHT);
    context.send(ClientMessage.INPUTS, { firstTick: context.ackTick + 1, inputs });
  },
};

const malformedBatch: RunAction = {
  atMs: CHEAT_AT_MS,
  run(context) {
    context.send(ClientMessage.INPUTS, { firstTick: 'next', inputs: [Input.RIGHT] });
  },
};

/** Hundreds of well-formed checkpoint messages at once: only their rate breaks a rule. */
const flood: RunAction = {
  atMs: CHEAT_AT_MS,
  ready: (context) => context.firstCheckpointHash !== null,
  run(context) {
    const checkpoint = { tick: 60, hash: context.firstCheckpointHash };
    for (let i = 0; i < FLOOD_MESSAGES; i++) context.send(ClientMessage.CHECKPOINT, checkpoint);
  },
};
