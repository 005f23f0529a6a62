import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Logger } from '@truerun/services/lib/logger';

/** Where the page finds the backend; answered at `/truerun-endpoints.json`. */
export interface PublicEndpoints {
  gatewayUrl: string;
  gameServerUrl: string;
}

/** Options of `createStaticServer`. */
export interface StaticServerOptions {
  /** Directory written by `nuxt generate`. */
  root: string;
  endpoints: PublicEndpoints;
  log: Logger;
}

/** Path of the endpoints document; the client reads it at start-up. */
export const ENDPOINTS_PATH = '/truerun-endpoints.json';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Types worth compressing; images are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt']);

/** Hashed build assets never change under the same name. */
const IMMUTABLE_PREFIX = '/_nuxt/';

interface CachedBody {
  mtimeMs: number;
  gzip: Buffer;
}

/**
 * Serves the generated single-page app: files under `root`, `200.html` for every other path
 * (the router takes it from there), gzip when the browser accepts it, and the deployment's
 * endpoints at `ENDPOINTS_PATH`. Only GET and HEAD; nothing outside `root` is reachable.
 */
export function createStaticServer(options: StaticServerOptions): Server {
  const { root, log } = options;
  const endpointsBody = Buffer.from(JSON.stringify(options.endpoints));
  const gzipCache = new Map<string, CachedBody>();

  const gzipped = async (file: string, mtimeMs: number): Promise<Buffer> => {
    const cached = gzipCache.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.gzip;
    const body = gzipSync(await readFile(file), { level: 9 });
    gzipCache.set(file, { mtimeMs, gzip: body });
    return body;
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, file: string) => {
    const info = await stat(file);
    const ext = extname(file);
    const path = req.url ?? '/';
    res.setHeader('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader(
      'cache-control',
      path.startsWith(IMMUTABLE_PREFIX) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.setHeader('vary', 'accept-encoding');

    if (COMPRESSIBLE.has(ext) && acceptsGzip(req)) {
      const body = await gzipped(file, info.mtimeMs);
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.setHeader('content-length', info.size);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed');
      return;
    }
    const path = decodePath(req.url ?? '/');
    if (path === null) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
      return;
    }
    if (path === ENDPOINTS_PATH) {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'content-length': endpointsBody.length,
      });
      res.end(req.method === 'HEAD' ? undefined : endpointsBody);
      return;
    }

    const file = await resolveFile(root, path);
    if (file) return serveFile(req, res, file);
    if (path.startsWith(IMMUTABLE_PREFIX) || extname(path) !== '') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    await serveFile(req, res, join(root, '200.html'));
  };

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err, path: req.url }, 'static request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
  });
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  return typeof header === 'string' && /\bgzip\b/.test(header);
}

/** The URL's path, decoded, or null when it is malformed or tries to climb out. */
function decodePath(url: string): string | null {
  const raw = url.split('?')[0]!.split('#')[0]!;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0')) return null;
  const normal = normalize(path).split(sep).join('/');
  return normal.split('/').includes('..') ? null : normal;
}

/** The file under `root` for a path: the file itself, or a directory's `index.html`. */
async function resolveFile(root: string, path: string): Promise<string | null> {
  const candidate = join(root, path);
  if (!candidate.startsWith(root)) return null;
  for (const file of [candidate, join(candidate, 'index.html')]) {
    const info = await stat(file).catch(() => null);
    if (info?.isFile()) return file;
  }
  return null;
}
