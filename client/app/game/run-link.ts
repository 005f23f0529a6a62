import type {
  Claim,
  GhostView,
  InputAck,
  InputBatch,
  RunStart,
  VerdictMessage,
} from '@truerun/shared-sim/protocol';

/** What a link reports back to the game as the authority speaks. */
export interface RunLinkEvents {
  start(start: RunStart): void;
  acknowledged(ack: InputAck): void;
  checkpoint(tick: number, hash: string): void;
  judged(verdict: VerdictMessage): void;
  /** The other players in the room, as the server last described them. */
  ghosts(ghosts: readonly GhostView[]): void;
  /** The connection dropped and is being re-established; the run goes on meanwhile. */
  dropped(): void;
  reconnected(): void;
  /** A message was refused; `code` is a `ProtocolErrorCode`. */
  refused(code: string, message: string): void;
  /** The connection is gone for good; `code` is a stable reason shown to the player in words. */
  failed(code: string, message: string): void;
}

/**
 * The connection between a run in the browser and whoever judges it: the game server's room
 * for ranked runs, or nobody for practice. The game sends inputs, checkpoints and the claim
 * through it and learns the verdict from it; it never needs to know which kind it has.
 */
export interface RunLink {
  /** True when a server judges the run; false for practice. */
  readonly ranked: boolean;
  /** Connects and asks for a run; events arrive from now on. */
  open(events: RunLinkEvents): Promise<void>;
  sendInputs(batch: InputBatch): void;
  sendCheckpoint(tick: number, hash: string): void;
  sendClaim(claim: Claim): void;
  /** Leaves; a run still in progress ends as abandoned on the server. */
  close(): Promise<void>;
}
