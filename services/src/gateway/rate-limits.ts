import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../lib/http-errors.ts';

/** At most `points` requests per `durationSec` seconds (whole seconds, at least 1). */
export interface RateRule {
  points: number;
  durationSec: number;
}

/** Every client IP; every authenticated player; log in and register per client IP. */
export interface RateRules {
  ip: RateRule;
  user: RateRule;
  credentials: RateRule;
}

export const DEFAULT_RATE_RULES: RateRules = {
  ip: { points: 600, durationSec: 60 },
  user: { points: 300, durationSec: 60 },
  credentials: { points: 10, durationSec: 60 },
};

export const RATE_LIMITED = 'request/rate_limited';

export type RateLimitKind = keyof RateRules;

/**
 * Fixed-window counters in Redis, shared by every gateway replica. When Redis cannot answer,
 * each replica falls back to counting in its own memory, so limits stay in force (per replica)
 * rather than failing open or refusing everyone.
 */
export function createRateLimits(redis: Redis, keyPrefix: string, rules: RateRules) {
  const limiters = {} as Record<RateLimitKind, RateLimiterRedis>;
  for (const kind of Object.keys(rules) as RateLimitKind[]) {
    const { points, durationSec } = rules[kind];
    limiters[kind] = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}ratelimit:${kind}`,
      points,
      duration: durationSec,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: durationSec }),
    });
  }

  /** Counts one request under `kind` for `key`; rejects with a 429 once over the limit. */
  const check = async (kind: RateLimitKind, key: string, req: Request, res: Response) => {
    try {
      await limiters[kind].consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        req.log.error({ err: rejection, kind }, 'rate limiter failed');
        return;
      }
      const retryAfterSec = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      res.setHeader('retry-after', String(retryAfterSec));
      req.log.info({ kind, retryAfterSec }, 'rate limited');
      throw new ApiError(429, RATE_LIMITED, `too many requests; retry in ${retryAfterSec} s`);
    }
  };

  return {
    check,
    /** The same check as middleware, keyed by `keyOf`. */
    middleware(kind: RateLimitKind, keyOf: (req: Request) => string): RequestHandler {
      return async (req, res, next) => {
        await check(kind, keyOf(req), req, res);
        next();
      };
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
