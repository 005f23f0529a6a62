import amqp from 'amqplib';
import type { ChannelModel, Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '../lib/logger.ts';
import type { IndexGuard } from './rebuild.ts';
import type { RedisRankIndex } from './rank-index.ts';
import { DeadLetterReason, decodeResult } from './result-message.ts';
import type { VerifiedRun } from './result-message.ts';
import type { ResultStore, SeasonBest } from './result-store.ts';
import { seasonContains } from './seasons.ts';
import type { Season } from './seasons.ts';
import { ResultHeader, declareTopology } from './topology.ts';
import { isTransient } from './transient-errors.ts';
import type { ResultTopology } from './topology.ts';

/** Looks a season up by id (the season store, or a stand-in). */
export interface SeasonLookup {
  byId(id: string): Promise<Season | null>;
}

export interface ResultWorkerOptions {
  amqpUrl: string;
  topology: ResultTopology;
  store: ResultStore;
  seasons: SeasonLookup;
  index: RedisRankIndex;
  guard: IndexGuard;
  log: Logger;
  /** Most results in one PostgreSQL transaction. Default 200. */
  batchSize?: number;
  /** Unacknowledged deliveries the broker may send ahead. Default twice the batch size. */
  prefetch?: number;
  /** How long a partial batch waits for more results, ms. Default 10. */
  lingerMs?: number;
  /** Attempts before a result that keeps failing is dead-lettered. Default 3. */
  maxAttempts?: number;
  /** First and largest pause between retries after an infrastructure error, ms. */
  retryDelayMs?: { first: number; max: number };
  /** Called once when the broker connection fails while running. */
  onFatal?: (err: Error) => void;
}

/** A delivery that decoded into a run. */
interface RankableDelivery {
  msg: ConsumeMessage;
  run: VerifiedRun;
}

/** A delivery that cannot be ranked, and why. */
interface DeadDelivery {
  msg: ConsumeMessage;
  reason: DeadLetterReason;
  detail: string;
  /** Attempts made, for a result that kept failing. */
  attempts?: number;
}

class StoppedError extends Error {
  constructor() {
    super('worker stopped while retrying');
    this.name = 'StoppedError';
  }
}

type WorkerState = 'idle' | 'running' | 'stopping' | 'stopped';

class IndexNotReadyError extends Error {
  constructor(seasonId: string) {
    super(`index of season ${seasonId} is not ready after a rebuild`);
    this.name = 'IndexNotReadyError';
  }
}

/**
 * The leaderboard worker. It consumes verified results with manual acks and a bounded
 * prefetch, and handles them in batches:
 *
 * 1. Decode and validate every body; check its season against its start. A result that fails
 *    here is dead-lettered at once with its reason.
 * 2. One PostgreSQL transaction records the new runs (idempotent by run id) and raises each
 *    player's season best by the tie rule.
 * 3. The players' bests, returned by that transaction, are offered to the Redis set; the
 *    offer keeps the better run, so a redelivery or a racing worker cannot move a rank back.
 * 4. Only then are the batch's deliveries acked.
 *
 * An infrastructure error retries the batch with backoff. Any other error splits the batch
 * and retries each result alone; a result that fails alone is published again with its attempt
 * count and dead-lettered after `maxAttempts`, so it never blocks the results behind it.
 */
export class ResultWorker {
  private readonly options: ResultWorkerOptions;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelay: { first: number; max: number };

  private state: WorkerState = 'idle';
  private connection: ChannelModel | null = null;
  private consumer: Channel | null = null;
  private publisher: ConfirmChannel | null = null;
  private consumerTag: string | null = null;
  private buffer: ConsumeMessage[] = [];
  private linger: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private wakeRetry: (() => void) | null = null;

  constructor(options: ResultWorkerOptions) {
    this.options = options;
    this.log = options.log.child({ component: 'result-worker' });
    this.batchSize = options.batchSize ?? 200;
    this.lingerMs = options.lingerMs ?? 10;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelay = options.retryDelayMs ?? { first: 200, max: 5_000 };
  }

  /** Connects, declares the topology and starts consuming. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`worker cannot start when ${this.state}`);
    this.state = 'running';
    const { topology } = this.options;

    const connection = await amqp.connect(this.options.amqpUrl);
    this.connection = connection;
    connection.on('error', (err: Error) => this.log.warn({ err }, 'broker connection error'));
    connection.on('close', () => this.onConnectionLost());

    this.publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    this.consumer = consumer;
    await declareTopology(consumer, topology);
    await consumer.prefetch(this.options.prefetch ?? this.batchSize * 2);
    const { consumerTag } = await consumer.consume(topology.queue, (msg) => this.onDelivery(msg), {
      noAck: false,
    });
    this.consumerTag = consumerTag;
    this.log.info({ queue: topology.queue, batchSize: this.batchSize }, 'worker consuming');
  }

  /**
   * Stops consuming, finishes the results already received (unless an infrastructure error
   * holds them, in which case the broker redelivers them), then closes the connection.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    if (wasRunning && this.consumer && this.consumerTag) {
      await this.consumer.cancel(this.consumerTag).catch(() => undefined);
    }
    if (this.linger) clearTimeout(this.linger);
    this.wakeRetry?.();
    this.pump();
    await this.pumping;
    await this.connection?.close().catch(() => undefined);
    this.state = 'stopped';
    this.log.info({}, 'worker stopped');
  }

  private onConnectionLost(): void {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    const err = new Error('broker connection closed');
    this.log.error({ err }, 'worker lost the broker');
    this.options.onFatal?.(err);
  }

  private onDelivery(msg: ConsumeMessage | null): void {
    if (!msg) {
      this.log.warn({}, 'consumer cancelled by the broker');
      return;
    }
    this.buffer.push(msg);
    if (this.buffer.length >= this.batchSize) this.pump();
    else this.linger ??= setTimeout(() => this.pump(), this.lingerMs);
  }

  /** Handles buffered deliveries one batch at a time until the buffer is empty. */
  private pump(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (this.pumping) return;
    this.pumping = (async () => {
      while (this.buffer.length > 0 && this.state !== 'stopped') {
        const batch = this.buffer.splice(0, this.batchSize);
        try {
          await this.handleBatch(batch);
        } catch (err) {
          if (err instanceof StoppedError) {
            // Left unacked: the broker redelivers them once this channel closes.
            this.buffer = [];
            return;
          }
          this.log.error({ err, size: batch.length }, 'batch abandoned, returned to the queue');
          await this.requeue(batch);
        }
      }
    })().finally(() => {
      this.pumping = null;
      if (this.buffer.length >= this.batchSize && this.state === 'running') this.pump();
      else if (this.buffer.length > 0 && this.state === 'running') {
        this.linger ??= setTimeout(() => this.pump(), this.lingerMs);
      }
    });
  }

  /** Hands an abandoned batch back to the broker, after a pause so a fault cannot spin. */
  private async requeue(batch: ConsumeMessage[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.retryDelay.max));
    for (const msg of batch) {
      try {
        this.consumer?.nack(msg, false, true);
      } catch {
        return; // The channel is gone; the broker requeues everything unacked.
      }
    }
  }

  private async handleBatch(batch: ConsumeMessage[]): Promise<void> {
    const { rankable, dead } = await this.withRetry(() => this.sort(batch));
    await this.deadLetter(dead);
    await this.rankAll(rankable);
    const last = batch[batch.length - 1];
    if (last) this.consumer?.ack(last, true);
    this.log.debug({ size: batch.length, dead: dead.length }, 'batch ranked');
  }

  /** Splits deliveries into runs to rank and results that are dead on arrival. */
  private async sort(batch: ConsumeMessage[]) {
    const rankable: RankableDelivery[] = [];
    const dead: DeadDelivery[] = [];
    for (const msg of batch) {
      const decoded = decodeResult(msg.content, msg.properties.messageId);
      if (!decoded.ok) {
        dead.push({ msg, reason: decoded.reason, detail: decoded.detail });
        continue;
      }
      const refusal = await this.checkSeason(decoded.run);
      if (refusal) dead.push({ msg, ...refusal });
      else rankable.push({ msg, run: decoded.run });
    }
    return { rankable, dead };
  }

  private async checkSeason(
    run: VerifiedRun,
  ): Promise<{ reason: DeadLetterReason; detail: string } | null> {
    const season = await this.options.seasons.byId(run.seasonId);
    if (!season) {
      return { reason: DeadLetterReason.UNKNOWN_SEASON, detail: `no season ${run.seasonId}` };
    }
    if (!seasonContains(season, run.startedAtMs)) {
      const detail = `run started outside season ${season.id}`;
      return { reason: DeadLetterReason.OUTSIDE_SEASON, detail };
    }
    if (!season.seeds.includes(run.seed)) {
      const detail = `seed ${run.seed} is not a seed of season ${season.id}`;
      return { reason: DeadLetterReason.SEED_NOT_IN_SEASON, detail };
    }
    return null;
  }

  /** Ranks the batch in one transaction; on a failure of the data, each result alone. */
  private async rankAll(deliveries: RankableDelivery[]): Promise<void> {
    const [only] = deliveries;
    if (only === undefined) return;
    try {
      await this.withRetry(() => this.rank(deliveries.map((d) => d.run)));
      return;
    } catch (err) {
      if (err instanceof StoppedError) throw err;
      if (deliveries.length === 1) return this.failed(only, err);
      this.log.warn({ err, size: deliveries.length }, 'batch failed, ranking results one by one');
    }

    for (const delivery of deliveries) {
      try {
        await this.withRetry(() => this.rank([delivery.run]));
      } catch (err) {
        if (err instanceof StoppedError) throw err;
        await this.failed(delivery, err);
      }
    }
  }

  private async rank(runs: VerifiedRun[]): Promise<void> {
    const bests = await this.options.store.record(runs);
    const bySeason = new Map<string, SeasonBest[]>();
    for (const best of bests) {
      const list = bySeason.get(best.seasonId) ?? [];
      list.push(best);
      bySeason.set(best.seasonId, list);
    }

    for (const [seasonId, seasonBests] of bySeason) {
      const season = await this.options.seasons.byId(seasonId);
      if (!season) throw new Error(`season ${seasonId} vanished`);
      if ((await this.options.index.push(season, seasonBests, true)) !== 'not_ready') continue;

      // The set was flushed or never built: rebuild it from PostgreSQL (which already holds
      // this batch) and offer the batch again.
      await this.options.guard.rebuild(season);
      if ((await this.options.index.push(season, seasonBests, true)) === 'not_ready') {
        throw new IndexNotReadyError(seasonId);
      }
    }
  }

  /** Runs `step`, retrying infrastructure errors with capped backoff until it works or stops. */
  private async withRetry<T>(step: () => Promise<T>): Promise<T> {
    let delay = this.retryDelay.first;
    for (;;) {
      try {
        return await step();
      } catch (err) {
        if (!isTransient(err)) throw err;
        if (this.state !== 'running') throw new StoppedError();
        this.log.warn({ err, delayMs: delay }, 'infrastructure error, retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = null;
        if (this.state !== 'running') throw new StoppedError();
        delay = Math.min(delay * 2, this.retryDelay.max);
      }
    }
  }

  /** Publishes a failing result again with one more attempt, or dead-letters it. */
  private async failed(delivery: RankableDelivery, err: unknown): Promise<void> {
    const { msg, run } = delivery;
    const attempts = Number(msg.properties.headers?.[ResultHeader.ATTEMPTS] ?? 0) + 1;
    const detail = err instanceof Error ? err.message.slice(0, 500) : String(err);
    if (attempts >= this.maxAttempts) {
      const reason = DeadLetterReason.FAILED_REPEATEDLY;
      await this.deadLetter([{ msg, reason, detail, attempts }]);
      return;
    }
    this.log.warn({ runId: run.runId, attempts, err }, 'result failed, retrying later');
    await this.publish('', this.options.topology.queue, msg, {
      [ResultHeader.ATTEMPTS]: attempts,
      [ResultHeader.DETAIL]: detail,
    });
  }

  private async deadLetter(dead: DeadDelivery[]): Promise<void> {
    const at = new Date().toISOString();
    await Promise.all(
      dead.map(({ msg, reason, detail, attempts }) => {
        const runId = msg.properties.messageId as string | undefined;
        this.log.warn({ runId, reason, detail }, 'result dead-lettered');
        return this.publish(this.options.topology.deadLetterExchange, '', msg, {
          [ResultHeader.REASON]: reason,
          [ResultHeader.DETAIL]: detail,
          [ResultHeader.FAILED_AT]: at,
          ...(attempts === undefined ? {} : { [ResultHeader.ATTEMPTS]: attempts }),
        });
      }),
    );
  }

  /** Publishes a copy of a delivery with extra headers and waits for the broker's confirm. */
  private publish(
    exchange: string,
    routingKey: string,
    msg: ConsumeMessage,
    headers: Record<string, unknown>,
  ): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return Promise.reject(new Error('worker is not connected'));
    const { properties } = msg;
    const options: Options.Publish = {
      persistent: true,
      messageId: properties.messageId,
      contentType: properties.contentType,
      timestamp: properties.timestamp,
      headers: { ...properties.headers, ...headers },
    };
    return new Promise((resolve, reject) => {
      publisher.publish(exchange, routingKey, msg.content, options, (err) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    });
  }
}
