/** The services behind the gateway, by public path prefix. */
export type Upstream = 'auth' | 'player' | 'leaderboard';

/** `public` routes pass without a token; `token` routes need a valid one with a live session. */
export type Access = 'public' | 'token';

export interface Route {
  upstream: Upstream;
  access: Access;
  /** Log in and register: the stricter per-IP limit applies. */
  credentials: boolean;
}

const PUBLIC_AUTH = new Set([
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/logout',
  'GET /auth/.well-known/jwks.json',
  'GET /auth/health',
]);

const CREDENTIAL_ROUTES = new Set(['POST /auth/register', 'POST /auth/login']);

// Leaderboard reads are public except those about the caller, whose paths name them.
const PERSONAL_SEGMENT = /\/(me|around-me|friends)(\/|$)/i;

const hasPrefix = (path: string, prefix: string) =>
  path === prefix || path.startsWith(`${prefix}/`);

/**
 * Which service a request goes to and what it needs; null when no service serves the path.
 * Anything under a prefix not listed as public needs a token, so a new route is protected until
 * it is deliberately opened.
 */
export function routeFor(method: string, path: string): Route | null {
  const verb = method === 'HEAD' ? 'GET' : method;
  const key = `${verb} ${path.replace(/\/+$/, '') || '/'}`;

  if (hasPrefix(path, '/auth')) {
    return {
      upstream: 'auth',
      access: PUBLIC_AUTH.has(key) ? 'public' : 'token',
      credentials: CREDENTIAL_ROUTES.has(key),
    };
  }
  if (hasPrefix(path, '/player'))
    return { upstream: 'player', access: 'token', credentials: false };
  if (hasPrefix(path, '/leaderboard')) {
    const open = verb === 'GET' && !PERSONAL_SEGMENT.test(path);
    return { upstream: 'leaderboard', access: open ? 'public' : 'token', credentials: false };
  }
  return null;
}
