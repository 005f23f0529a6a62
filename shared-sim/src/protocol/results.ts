/**
 * The contract between the game server, which publishes every verified run, and the
 * leaderboard worker, which ranks it. Messages are JSON, persistent, with the run id as the
 * AMQP message id, so a consumer can drop a duplicate delivery by id.
 */

/** Durable direct exchange the game server publishes verified results to. */
export const RESULTS_EXCHANGE = 'truerun.results';

/** Routing key of a verified run's result. */
export const VERIFIED_ROUTING_KEY = 'run.verified';

/** Durable queue the leaderboard worker consumes, bound to the exchange by the key above. */
export const LEADERBOARD_QUEUE = 'leaderboard.verified-results';

/** Version of the message body; a consumer rejects bodies of versions it does not know. */
export const RESULT_MESSAGE_VERSION = 1;

/** A verified run, as published. All numbers are the server's own, never the client's claim. */
export interface VerifiedResultMessage {
  v: typeof RESULT_MESSAGE_VERSION;
  /** UUID of the run, unique across the system; also the AMQP message id. */
  runId: string;
  /** Id of the player (the access token's `sub`). */
  userId: string;
  /** The season the run started in. */
  seasonId: string;
  ruleset: number;
  seed: number;
  score: number;
  distance: number;
  kills: number;
  coins: number;
  ticks: number;
  /** The simulation's outcome: finished, fell, defeated or timed_out. */
  outcome: string;
  /** When the server sent "start", ISO 8601 UTC. Decides the season and breaks score ties. */
  startedAt: string;
  /** When the server judged the run, ISO 8601 UTC. */
  endedAt: string;
  /** State hash after the last tick. */
  finalHash: string;
}
