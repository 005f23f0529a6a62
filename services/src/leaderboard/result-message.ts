import { z } from 'zod';
import { RESULT_MESSAGE_VERSION } from '@truerun/shared-sim/protocol';
import type { VerifiedResultMessage } from '@truerun/shared-sim/protocol';
import { MAX_SCORE } from './rank-order.ts';

/** Why a verified-result message went to the dead-letter queue. */
export const DeadLetterReason = {
  MALFORMED_JSON: 'result/malformed_json',
  UNKNOWN_VERSION: 'result/unknown_version',
  INVALID_BODY: 'result/invalid_body',
  MESSAGE_ID_MISMATCH: 'result/message_id_mismatch',
  UNKNOWN_SEASON: 'result/unknown_season',
  OUTSIDE_SEASON: 'result/outside_season',
  SEED_NOT_IN_SEASON: 'result/seed_not_in_season',
  FAILED_REPEATEDLY: 'result/failed_repeatedly',
} as const;

export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

/** A verified run as the leaderboard keeps it: the message's fields, times in ms since epoch. */
export type VerifiedRun = Omit<VerifiedResultMessage, 'v' | 'startedAt' | 'endedAt'> & {
  startedAtMs: number;
  endedAtMs: number;
};

const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/)
  .transform((id) => id.toLowerCase());
const count = z.number().int().min(0).max(2_147_483_647);
const instant = z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso));

const bodySchema = z.object({
  v: z.literal(RESULT_MESSAGE_VERSION),
  runId: uuid,
  userId: uuid,
  seasonId: z.string().min(1).max(64),
  ruleset: count,
  seed: z.number().int().min(0).max(0xffffffff),
  score: z
    .number()
    .int()
    .min(0)
    .max(MAX_SCORE - 1),
  distance: z.number().finite().min(0),
  kills: count,
  coins: count,
  ticks: count,
  outcome: z.string().min(1).max(32),
  startedAt: instant,
  endedAt: instant,
  finalHash: z.string().regex(/^[0-9a-f]{16}$/),
});

/** The outcome of reading one message body: a run, or the reason it is dead on arrival. */
export type DecodedResult =
  { ok: true; run: VerifiedRun } | { ok: false; reason: DeadLetterReason; detail: string };

/**
 * Parses and validates a verified-result body. The AMQP message id, when present, must be the
 * run id, since it is what the publisher promised to deduplicate by.
 */
export function decodeResult(content: Buffer, messageId: string | undefined): DecodedResult {
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, reason: DeadLetterReason.MALFORMED_JSON, detail: 'body is not JSON' };
  }

  const version = (json as { v?: unknown } | null)?.v;
  if (version !== RESULT_MESSAGE_VERSION) {
    const detail = `body version ${JSON.stringify(version) ?? 'missing'} is not supported`;
    return { ok: false, reason: DeadLetterReason.UNKNOWN_VERSION, detail };
  }

  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason: DeadLetterReason.INVALID_BODY, detail };
  }

  const body = parsed.data;
  if (messageId !== undefined && messageId.toLowerCase() !== body.runId) {
    const detail = 'message id is not the run id';
    return { ok: false, reason: DeadLetterReason.MESSAGE_ID_MISMATCH, detail };
  }
  if (body.endedAt < body.startedAt) {
    return {
      ok: false,
      reason: DeadLetterReason.INVALID_BODY,
      detail: 'run ends before it starts',
    };
  }

  const { startedAt, endedAt, v: _v, ...rest } = body;
  return { ok: true, run: { ...rest, startedAtMs: startedAt, endedAtMs: endedAt } };
}
