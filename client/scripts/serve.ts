import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseConfig, port } from '@truerun/services/lib/config';
import { createLogger } from '@truerun/services/lib/logger';
import { onShutdown } from '@truerun/services/lib/shutdown';
import { createStaticServer } from './static-server.ts';

const here = dirname(fileURLToPath(import.meta.url));

const Config = z.object({
  PORT: port(3000),
  HOST: z.string().default('127.0.0.1'),
  /** Directory written by `npm run build -w client`. */
  CLIENT_ROOT: z.string().default(join(here, '..', '.output', 'public')),
  /** The gateway as the browser reaches it. */
  GATEWAY_URL: z.url().default('http://127.0.0.1:8080'),
  /** The game server as the browser reaches it. */
  GAME_SERVER_URL: z.url().default('ws://127.0.0.1:2567'),
});

const config = parseConfig(Config);
const log = createLogger('client');
const root = resolve(config.CLIENT_ROOT);

if (!existsSync(join(root, '200.html'))) {
  log.fatal({ root }, 'client build missing; run npm run build -w client first');
  process.exit(1);
}

const server = createStaticServer({
  root,
  log,
  endpoints: {
    gatewayUrl: config.GATEWAY_URL,
    gameServerUrl: config.GAME_SERVER_URL,
  },
});

server.listen(config.PORT, config.HOST, () => {
  const { port: bound } = server.address() as AddressInfo;
  // The gateway allows the client by its localhost origin, so that is the address to open.
  const host = config.HOST === '127.0.0.1' ? 'localhost' : config.HOST;
  const url = `http://${host}:${bound}/`;
  log.info({ url, root }, 'client listening');
  process.stdout.write(`Truerun is ready: open ${url}\n`);
});

onShutdown(log, [
  {
    name: 'stop serving',
    run: () => new Promise<void>((done) => server.close(() => done())),
  },
]);
