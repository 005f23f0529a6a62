import { parseArgs } from 'node:util';
import { createLogger } from '../lib/logger.ts';
import { loadLeaderboardConfig } from './config.ts';
import { checkSeason, rebuildSeason } from './rebuild.ts';
import { SeasonError, toSeasonView } from './seasons.ts';
import type { Season } from './seasons.ts';
import { openStores } from './wiring.ts';
import type { LeaderboardStores } from './wiring.ts';

const USAGE = `usage: node src/leaderboard/cli.ts <command>
  rebuild <seasonId> | --all [--force]   copy bests from PostgreSQL into Redis
  check <seasonId> | --all               compare Redis with PostgreSQL (exit 1 if they differ)
  seasons                                list seasons
  add-season --id ID --name NAME --starts ISO --ends ISO --seeds N[,N...]`;

/**
 * Operator commands for the leaderboard, against the databases of the environment
 * (DATABASE_URL, REDIS_URL, LEADERBOARD_REDIS_PREFIX). Prints JSON lines; exits 0 on success,
 * 1 when a check finds a difference or a command fails, 2 on bad usage.
 */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      id: { type: 'string' },
      name: { type: 'string' },
      starts: { type: 'string' },
      ends: { type: 'string' },
      seeds: { type: 'string' },
    },
  });
  const [command, seasonId] = positionals;
  if (!command || !['rebuild', 'check', 'seasons', 'add-season'].includes(command)) {
    console.error(USAGE);
    return 2;
  }

  const config = loadLeaderboardConfig();
  const log = createLogger('leaderboard-cli', process.env.LOG_LEVEL ?? 'warn');
  const stores = await openStores(
    {
      databaseUrl: config.DATABASE_URL,
      redisUrl: config.REDIS_URL,
      redisPrefix: config.LEADERBOARD_REDIS_PREFIX,
    },
    log,
  );
  try {
    if (command === 'seasons') {
      for (const season of await stores.seasons.list()) print(toSeasonView(season));
      return 0;
    }
    if (command === 'add-season') return await addSeason(stores, values);

    const targets = await chooseSeasons(stores, values.all ?? false, seasonId);
    if (!targets) {
      console.error(USAGE);
      return 2;
    }
    let code = 0;
    for (const season of targets) {
      if (command === 'rebuild') {
        const { copied } = await rebuildSeason(stores.pool, stores.index, season, values.force);
        print({ seasonId: season.id, rebuilt: true, copied, force: values.force ?? false });
      } else {
        const report = await checkSeason(stores.pool, stores.index, season);
        print(report);
        if (!report.equal) code = 1;
      }
    }
    return code;
  } finally {
    await stores.close();
  }
}

async function chooseSeasons(
  stores: LeaderboardStores,
  all: boolean,
  seasonId: string | undefined,
): Promise<Season[] | null> {
  if (all) return stores.seasons.list();
  if (!seasonId) return null;
  const season = await stores.seasons.byId(seasonId);
  if (!season) throw new Error(`no season ${seasonId}`);
  return [season];
}

async function addSeason(
  stores: LeaderboardStores,
  values: { id?: string; name?: string; starts?: string; ends?: string; seeds?: string },
): Promise<number> {
  const { id, name, starts, ends, seeds } = values;
  if (!id || !name || !starts || !ends || !seeds) {
    console.error(USAGE);
    return 2;
  }
  const season: Season = {
    id,
    name,
    startsAtMs: Date.parse(starts),
    endsAtMs: Date.parse(ends),
    seeds: seeds.split(',').map((seed) => Number(seed.trim())),
  };
  try {
    print(toSeasonView(await stores.seasons.create(season)));
    return 0;
  } catch (err) {
    if (!(err instanceof SeasonError)) throw err;
    print({ error: { code: err.code, message: err.message } });
    return 1;
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
