import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.ts';

/**
 * An error a client caused, answered with its status and a stable, namespaced code such as
 * `auth/invalid_credentials`. Anything else that reaches the error handler is a 500.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; requestId?: string };
}

/** Answers requests no route matched. */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new ApiError(404, 'request/not_found', 'no such route'));
};

/**
 * Turns errors into JSON answers. Body-parser failures become 400 or 413; client errors are
 * logged at info, anything unexpected once at error, and no stack trace reaches the client.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    const id = (req as { id?: unknown }).id;
    const requestId = typeof id === 'string' ? id : undefined;
    if (apiError.status >= 500) log.error({ err, requestId }, 'request failed');
    else log.info({ code: apiError.code, status: apiError.status, requestId }, 'request rejected');
    if (res.headersSent) return;
    const body: ErrorBody = {
      error: { code: apiError.code, message: apiError.message, requestId },
    };
    res.status(apiError.status).json(body);
  };
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number };
  if (e?.type === 'entity.too.large') {
    return new ApiError(413, 'request/too_large', 'request body is too large');
  }
  if (e?.type === 'entity.parse.failed') {
    return new ApiError(400, 'request/malformed_json', 'request body is not valid JSON');
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new ApiError(415, 'request/unsupported_encoding', 'request encoding is not supported');
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 'request/invalid', 'request could not be processed');
  }
  return new ApiError(500, 'internal', 'internal error');
}
