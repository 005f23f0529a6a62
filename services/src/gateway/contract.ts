import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { z } from 'zod';
import { ApiError } from '../lib/http-errors.ts';
import type { Logger } from '../lib/logger.ts';

/**
 * Headers the gateway sets on every request it forwards. Services behind the gateway trust them
 * because only the gateway can reach them; the gateway strips any a client sends.
 */
export const ForwardedHeader = {
  USER_ID: 'x-user-id',
  USERNAME: 'x-username',
  SESSION_ID: 'x-session-id',
  REQUEST_ID: 'x-request-id',
} as const;

/** The player a forwarded request speaks for. */
export interface ForwardedIdentity {
  userId: string;
  username: string;
  sessionId: string | undefined;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID in its canonical text form. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/**
 * Gives every request an id and a child logger carrying it (`req.log`), and echoes the id in
 * the `x-request-id` response header. A well-formed id from the caller (the gateway, or a client)
 * is kept, so one id follows a request through every service; anything else is replaced.
 */
export function requestLogging(log: Logger): RequestHandler {
  const middleware = pinoHttp({
    logger: log,
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const offered = req.headers[ForwardedHeader.REQUEST_ID];
      const id =
        typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
      req.headers[ForwardedHeader.REQUEST_ID] = id;
      res.setHeader(ForwardedHeader.REQUEST_ID, id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
  });
  return (req, res, next) => middleware(req, res, next);
}

/**
 * Reads the identity the gateway forwarded. A request without one did not come through the
 * gateway's token check, so it is refused.
 */
export function forwardedIdentity(headers: IncomingMessage['headers']): ForwardedIdentity {
  const userId = headers[ForwardedHeader.USER_ID];
  const username = headers[ForwardedHeader.USERNAME];
  const sessionId = headers[ForwardedHeader.SESSION_ID];
  if (typeof userId !== 'string' || !isUuid(userId) || typeof username !== 'string') {
    throw new ApiError(401, 'auth/identity_missing', 'request carries no authenticated player');
  }
  return {
    userId,
    username,
    sessionId: typeof sessionId === 'string' ? sessionId : undefined,
  };
}

/**
 * Validates a request body, query or parameters against a schema. A mismatch is a 400 with the
 * given code and a message naming each field at fault, never the values sent.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code: string,
): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => {
    const path = issue.path.join('.') || 'body';
    return `${path}: ${issue.message}`;
  });
  throw new ApiError(400, code, fields.join('; '));
}
