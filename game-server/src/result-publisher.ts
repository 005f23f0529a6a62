import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type pg from 'pg';
import type { Logger } from '@truerun/services/lib/logger';
import { declareResultTopology, resultTopology } from '@truerun/shared-sim/protocol';

/** Where verified results go and how hard the publisher tries. */
export interface PublisherOptions {
  pool: pg.Pool;
  amqpUrl: string;
  exchange: string;
  routingKey: string;
  /** Durable queue bound to the exchange, so no result is unroutable before a consumer starts. */
  queue: string;
  log: Logger;
  /** Rows per transaction. Default 100. */
  batchSize?: number;
  /** How often to look for rows another process or a failed attempt left. Default 1000 ms. */
  pollIntervalMs?: number;
  /** First and largest delay between attempts while RabbitMQ is unreachable. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const SELECT_UNSENT = `
  SELECT id, run_id, payload::text AS payload FROM result_outbox
  WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const MARK_SENT = `
  UPDATE result_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)`;
const COUNT_UNSENT = `SELECT count(*)::int AS n FROM result_outbox WHERE sent_at IS NULL`;

/** A broker that stops answering must not hold the outbox rows locked forever. */
const CONFIRM_TIMEOUT_MS = 10_000;

interface OutboxRow {
  id: string;
  run_id: string;
  payload: string;
}

/**
 * Drains the result outbox to RabbitMQ: persistent messages on a confirm channel, the run id
 * as message id. Rows are locked while they are in flight, so several processes can drain one
 * outbox, and a row is marked sent only after RabbitMQ confirmed it. A crash between the
 * confirm and the mark publishes the row again: consumers drop duplicates by message id.
 */
export class ResultPublisher {
  private readonly options: Required<PublisherOptions>;
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private backoffMs: number;

  constructor(options: PublisherOptions) {
    this.options = {
      batchSize: 100,
      pollIntervalMs: 1_000,
      minBackoffMs: 200,
      maxBackoffMs: 5_000,
      ...options,
    };
    this.backoffMs = this.options.minBackoffMs;
  }

  /** True while a confirm channel is open. */
  get connected(): boolean {
    return this.channel !== null;
  }

  /** Starts draining in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks the loop to look at the outbox now, after a new row committed. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Rows not yet confirmed by RabbitMQ. */
  async backlog(): Promise<number> {
    const { rows } = await this.options.pool.query<{ n: number }>(COUNT_UNSENT);
    return rows[0]!.n;
  }

  /**
   * Publishes what waits, trying until the outbox is empty or `budgetMs` passes, then stops
   * the loop and closes the connection. Rows left unsent stay for the next process.
   */
  async stop(budgetMs = 5_000): Promise<void> {
    const deadline = Date.now() + budgetMs;
    while (Date.now() < deadline && this.running) {
      const sent = await this.drainOnce().catch(() => -1);
      if (sent === 0) break;
      if (sent < 0) await sleep(Math.min(this.backoffMs, Math.max(0, deadline - Date.now())));
    }
    this.running = false;
    this.wake();
    await this.loop;
    await this.disconnect();
    const unsent = await this.backlog().catch(() => -1);
    if (unsent !== 0) {
      this.options.log.warn({ unsent }, 'results left in the outbox for the next process');
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const sent = await this.drainOnce();
        this.backoffMs = this.options.minBackoffMs;
        if (sent === this.options.batchSize) continue;
        await this.idle(this.options.pollIntervalMs);
      } catch (err) {
        this.options.log.warn(
          { err: errorText(err), retryInMs: this.backoffMs },
          'result publishing failed',
        );
        await this.disconnect();
        await this.idle(this.backoffMs, false);
        this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
      }
    }
  }

  /** One transaction: lock a batch, publish it, wait for the confirms, mark it sent. */
  private async drainOnce(): Promise<number> {
    const db = await this.options.pool.connect();
    try {
      await db.query('BEGIN');
      const { rows } = await db.query<OutboxRow>(SELECT_UNSENT, [this.options.batchSize]);
      if (rows.length === 0) {
        await db.query('COMMIT');
        return 0;
      }
      const channel = await this.openChannel();
      for (const row of rows) {
        channel.publish(this.options.exchange, this.options.routingKey, Buffer.from(row.payload), {
          persistent: true,
          messageId: row.run_id,
          contentType: 'application/json',
        });
      }
      await withTimeout(channel.waitForConfirms(), CONFIRM_TIMEOUT_MS, 'publisher confirms');
      await db.query(MARK_SENT, [rows.map((row) => row.id)]);
      await db.query('COMMIT');
      this.options.log.info({ count: rows.length }, 'results published');
      return rows.length;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      db.release();
    }
  }

  private async openChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const { amqpUrl, exchange, queue, routingKey, log } = this.options;
    const connection = await amqp.connect(withHeartbeat(amqpUrl), { timeout: 3_000 });
    connection.on('error', (err: unknown) =>
      log.warn({ err: errorText(err) }, 'amqp connection error'),
    );
    connection.on('close', () => {
      if (this.connection === connection) {
        this.connection = null;
        this.channel = null;
      }
    });
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', (err: unknown) =>
        log.warn({ err: errorText(err) }, 'amqp channel error'),
      );
      channel.on('close', () => {
        if (this.channel === channel) this.channel = null;
      });
      await declareResultTopology(channel, resultTopology(exchange, queue, routingKey));
      this.connection = connection;
      this.channel = channel;
      log.info({ exchange, queue }, 'result publisher connected');
      return channel;
    } catch (err) {
      await connection.close().catch(() => {});
      throw err;
    }
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    this.channel = null;
    if (connection) await connection.close().catch(() => {});
  }

  /**
   * Waits `ms`, or less when woken. While backing off from a failure, a new row does not cut
   * the wait short (stopping still does).
   */
  private idle(ms: number, wakeOnNewRows = true): Promise<void> {
    if (!this.running || (wakeOnNewRows && this.pendingWake)) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = () => {
        if (wakeOnNewRows || !this.running) done();
      };
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Heartbeats let a dead broker connection be noticed within seconds. */
function withHeartbeat(url: string): string {
  if (url.includes('heartbeat=')) return url;
  return `${url}${url.includes('?') ? '&' : '?'}heartbeat=5`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
