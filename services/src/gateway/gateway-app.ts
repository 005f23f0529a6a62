import { Agent } from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import {
  createProxyMiddleware,
  debugProxyErrorsPlugin,
  proxyEventsPlugin,
} from 'http-proxy-middleware';
import { ApiError, errorHandler, notFound } from '../lib/http-errors.ts';
import type { ErrorBody } from '../lib/http-errors.ts';
import type { Logger } from '../lib/logger.ts';
import { TokenError, TokenErrorCode } from '../lib/token-verifier.ts';
import type { TokenSubject, TokenVerifier } from '../lib/token-verifier.ts';
import { ForwardedHeader, requestLogging } from './contract.ts';
import type { RateLimits } from './rate-limits.ts';
import { routeFor } from './routes.ts';
import type { Upstream } from './routes.ts';
import type { SessionChecker } from './session-checker.ts';

/** Stable error codes the gateway answers with itself. */
export const GatewayErrorCode = {
  SESSION_REVOKED: 'auth/session_revoked',
  KEYS_UNAVAILABLE: 'gateway/keys_unavailable',
  INVALID_PATH: 'request/invalid_path',
  TOO_LARGE: 'request/too_large',
  UPSTREAM_UNAVAILABLE: 'gateway/upstream_unavailable',
  UPSTREAM_TIMEOUT: 'gateway/upstream_timeout',
} as const;

export interface GatewayAppDeps {
  log: Logger;
  verifier: TokenVerifier;
  sessions: SessionChecker;
  rateLimits: RateLimits;
  /** Base URLs of the services, e.g. `http://127.0.0.1:8081`. */
  upstreams: Record<Upstream, string>;
  /** Browser origins allowed to call the API. Default the local client. */
  corsOrigins?: string[];
  /** Largest request body accepted, in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** Express's `trust proxy` setting, for the client IP behind a load balancer. Default off. */
  trustProxy?: boolean | number | string;
  /** How long a service may take to answer, in milliseconds. Default 10 s. */
  upstreamTimeoutMs?: number;
}

const IDENTITY_HEADERS = [
  ForwardedHeader.USER_ID,
  ForwardedHeader.USERNAME,
  ForwardedHeader.SESSION_ID,
] as const;

// Dot segments and encoded slashes could make a service see a different path than the one the
// gateway judged, so such paths never pass.
const UNSAFE_PATH = /(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\/i;

/**
 * The public REST entry. Per request: an id and log context, security headers, CORS, a body
 * size cap, per-IP limits (stricter on log in and register), then on protected routes the
 * access token (ES256, pinned claims) and its session, a per-player limit, and the identity
 * headers; finally the request is streamed unchanged to its service.
 */
export function createGatewayApp(deps: GatewayAppDeps): express.Express {
  const { log, verifier, sessions, rateLimits } = deps;
  const maxBodyBytes = deps.maxBodyBytes ?? 16 * 1024;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  // Liveness for probes, answered before logging and rate limits.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(requestLogging(log));
  app.use(helmet());
  app.use(
    cors({
      origin: deps.corsOrigins ?? ['http://localhost:3000'],
      exposedHeaders: [ForwardedHeader.REQUEST_ID, 'retry-after'],
      maxAge: 600,
    }),
  );

  app.use((req, _res, next) => {
    for (const header of IDENTITY_HEADERS) delete req.headers[header];
    if (UNSAFE_PATH.test(req.path) || UNSAFE_PATH.test(req.url.split('?')[0] ?? '')) {
      throw new ApiError(400, GatewayErrorCode.INVALID_PATH, 'path is not allowed');
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > maxBodyBytes) {
      throw new ApiError(413, GatewayErrorCode.TOO_LARGE, 'request body is too large');
    }
    next();
  });

  const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
  app.use(rateLimits.middleware('ip', clientIp));

  const proxies = createProxies(deps);
  app.use(async (req, res, next) => {
    const route = routeFor(req.method, req.path);
    if (!route) {
      next();
      return;
    }
    if (route.credentials) await rateLimits.check('credentials', clientIp(req), req, res);

    if (route.access === 'token') {
      const subject = await authenticate(req);
      await rateLimits.check('user', subject.userId, req, res);
      req.headers[ForwardedHeader.USER_ID] = subject.userId;
      req.headers[ForwardedHeader.USERNAME] = subject.username;
      req.headers[ForwardedHeader.SESSION_ID] = subject.sessionId;
      req.log = req.log.child({ userId: subject.userId });
    }

    // Services trust the identity headers, so they never need the token itself.
    delete req.headers.authorization;
    proxies[route.upstream](req, res, next);
  });

  /** Verifies the bearer token and that its session is still active. */
  const authenticate = async (req: Request): Promise<TokenSubject> => {
    const token = bearerToken(req.headers.authorization);
    let subject: TokenSubject;
    try {
      subject = await verifier.verify(token);
    } catch (err) {
      if (err instanceof TokenError) throw new ApiError(401, err.code, err.message);
      req.log.error({ err }, 'token verification keys unavailable');
      throw new ApiError(503, GatewayErrorCode.KEYS_UNAVAILABLE, 'cannot verify tokens; retry');
    }
    const context = { log: req.log, requestId: String(req.id) };
    if (!(await sessions.isActive(subject.sessionId, context))) {
      throw new ApiError(401, GatewayErrorCode.SESSION_REVOKED, 'the session has ended');
    }
    return subject;
  };

  app.use(notFound);
  app.use(withAuthenticateChallenge);
  app.use(errorHandler(log));
  return app;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none. */
function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match)
    throw new ApiError(401, TokenErrorCode.INVALID, 'authorization is not a bearer token');
  return match[1];
}

const withAuthenticateChallenge = (
  err: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
) => {
  if (err instanceof ApiError && err.status === 401) res.setHeader('www-authenticate', 'Bearer');
  next(err);
};

/** One streaming proxy per service, over kept-alive connections. */
function createProxies(deps: GatewayAppDeps): Record<Upstream, RequestHandler> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const timeout = deps.upstreamTimeoutMs ?? 10_000;
  const proxyFor = (target: string): RequestHandler =>
    createProxyMiddleware({
      target,
      agent,
      xfwd: true,
      proxyTimeout: timeout,
      ejectPlugins: true,
      plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
      on: { proxyReq: noteTimeout, proxyRes: hideServerDetails, error: upstreamError(deps.log) },
    }) as RequestHandler;
  return {
    auth: proxyFor(deps.upstreams.auth),
    player: proxyFor(deps.upstreams.player),
    leaderboard: proxyFor(deps.upstreams.leaderboard),
  };
}

// helmet hides the gateway's own framework; a service's answer must not name its own either.
function hideServerDetails(proxyRes: IncomingMessage) {
  delete proxyRes.headers['x-powered-by'];
  delete proxyRes.headers.server;
}

const timedOutRequests = new WeakSet<IncomingMessage>();

// The proxy destroys a request to a service that is too slow; remember why, so the error that
// follows is answered as a timeout.
function noteTimeout(proxyReq: ClientRequest, req: IncomingMessage) {
  proxyReq.once('timeout', () => timedOutRequests.add(req));
}

/** A service that cannot be reached or does not answer in time gets a JSON 502 or 504. */
function upstreamError(log: Logger) {
  return (err: Error, req: IncomingMessage, res: ServerResponse | unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    const timedOut = timedOutRequests.has(req);
    const requestId = req.headers[ForwardedHeader.REQUEST_ID];
    log.warn({ err, code, timedOut, requestId, url: req.url }, 'upstream request failed');
    if (!isResponse(res)) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = timedOut ? 504 : 502;
    const body: ErrorBody = {
      error: {
        code:
          status === 504
            ? GatewayErrorCode.UPSTREAM_TIMEOUT
            : GatewayErrorCode.UPSTREAM_UNAVAILABLE,
        message: 'the service is not available; retry',
        requestId: typeof requestId === 'string' ? requestId : undefined,
      },
    };
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
}

function isResponse(res: unknown): res is ServerResponse {
  return typeof (res as ServerResponse | undefined)?.writeHead === 'function';
}
