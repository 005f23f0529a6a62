import type { Channel } from 'amqplib';
import { declareResultTopology } from '@truerun/shared-sim/protocol';
import type { ResultTopology } from '@truerun/shared-sim/protocol';

export type { ResultTopology };

/** Headers the worker sets on a message it retries or dead-letters. */
export const ResultHeader = {
  ATTEMPTS: 'x-truerun-attempts',
  REASON: 'x-truerun-reason',
  DETAIL: 'x-truerun-detail',
  FAILED_AT: 'x-truerun-failed-at',
} as const;

/**
 * Declares the exchanges and queues (idempotent). The results queue dead-letters to the
 * dead-letter exchange, so a message rejected by any consumer lands there too; the game
 * server declares the same topology from the same shared definition.
 */
export const declareTopology = declareResultTopology;

/** Deletes everything `declareTopology` created (tests). */
export async function deleteTopology(channel: Channel, topology: ResultTopology): Promise<void> {
  await channel.deleteQueue(topology.queue);
  await channel.deleteQueue(topology.deadLetterQueue);
  await channel.deleteExchange(topology.exchange);
  await channel.deleteExchange(topology.deadLetterExchange);
}
