import http from 'node:http';
import type { RequestListener } from 'node:http';

/**
 * Starts an HTTP server and resolves once it listens. A port that cannot be taken (in use,
 * not permitted) rejects with the system's error, so a service never reports itself
 * listening on a port that another process holds.
 */
export async function listen(
  app: RequestListener,
  port: number,
  host: string,
): Promise<http.Server> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
