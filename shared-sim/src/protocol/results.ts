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

/**
 * The RabbitMQ names of the results path. The game server (publisher) and the leaderboard
 * worker (consumer) both declare them, and RabbitMQ refuses a second declaration of a queue
 * with other arguments, so both take them from here.
 */
export interface ResultTopology {
  /** Durable direct exchange the game server publishes to. */
  exchange: string;
  routingKey: string;
  /** Durable queue the workers share; it dead-letters to `deadLetterExchange`. */
  queue: string;
  /** Durable fanout exchange for results that cannot be ranked. */
  deadLetterExchange: string;
  /** Durable queue holding them. */
  deadLetterQueue: string;
}

/** The topology for an exchange and a queue name; dead-letter names derive from them. */
export function resultTopology(
  exchange: string,
  queue: string,
  routingKey: string = VERIFIED_ROUTING_KEY,
): ResultTopology {
  return {
    exchange,
    routingKey,
    queue,
    deadLetterExchange: `${exchange}.dead-letter`,
    deadLetterQueue: `${queue}.dead-letter`,
  };
}

export const DEFAULT_RESULT_TOPOLOGY: ResultTopology = resultTopology(
  RESULTS_EXCHANGE,
  LEADERBOARD_QUEUE,
);

/** The part of an AMQP channel that declaring needs (amqplib's Channel has it). */
export interface TopologyChannel {
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  assertQueue(
    name: string,
    options: { durable: boolean; deadLetterExchange?: string },
  ): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
}

/** Declares the exchanges, queues and bindings of a topology; idempotent. */
export async function declareResultTopology(
  channel: TopologyChannel,
  topology: ResultTopology,
): Promise<void> {
  await channel.assertExchange(topology.exchange, 'direct', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true });
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, '');
  await channel.assertQueue(topology.queue, {
    durable: true,
    deadLetterExchange: topology.deadLetterExchange,
  });
  await channel.bindQueue(topology.queue, topology.exchange, topology.routingKey);
}
