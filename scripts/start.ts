/**
 * `npm start`: builds the client if it has not been built, starts every deployable against the
 * local PostgreSQL, Redis and RabbitMQ, and prints the URL to open. Ctrl-C stops everything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSystem } from './system.ts';

const ROOT = join(import.meta.dirname, '..');
const clientBuilt = join(ROOT, 'client', '.output', 'public', 'index.html');

if (existsSync(join(ROOT, 'client', 'nuxt.config.ts')) && !existsSync(clientBuilt)) {
  console.log('building the client (first start only)...');
  const build = spawnSync('npm', ['run', 'build', '-w', 'client'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const system = await startSystem();
console.log('');
console.log(`Truerun is running. Open ${system.urls.client}`);
console.log(`  REST gateway  ${system.urls.gateway}`);
console.log(`  game server   ${system.urls.gameServer}`);
console.log('Press Ctrl-C to stop.');

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(1);
  stopping = true;
  await system.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
