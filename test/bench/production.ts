// The bot's modules as `npm start` runs them: the tsc build in dist/, not the sources through tsx.
// tsx compiles with esbuild's keepNames, which wraps every inner named function in a __name() call
// made each time the outer function runs (botApiFetch's two handlers, for one): a cost production
// never pays. The types are the sources'; the code is the build's, rebuilt first if it is stale.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Telegram from '../../bot/channels/telegram.ts';
import type * as Client from '../../bot/db/client.ts';
import type * as Migrate from '../../bot/db/migrate.ts';
import type * as Pipeline from '../../bot/core/pipeline.ts';
import type * as Identity from '../../bot/core/identity.ts';
import type * as Time from '../../bot/time.ts';
import type * as Capabilities from '../../commands/index.ts';
import type * as DirectoryStore from '../../bot/db/directory-store.ts';
import type * as Seed from '../../prisma/seed/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const root = join(import.meta.dirname, '..', '..');

function ensureBuilt(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
}

const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'dist', path)).href) as Promise<T>;

export async function productionModules() {
  ensureBuilt();
  const [telegram, client, migrate, pipeline, identity, time, capabilities, directoryStore, seed] = await Promise.all([
    load<typeof Telegram>('bot/channels/telegram.js'),
    load<typeof Client>('bot/db/client.js'),
    load<typeof Migrate>('bot/db/migrate.js'),
    load<typeof Pipeline>('bot/core/pipeline.js'),
    load<typeof Identity>('bot/core/identity.js'),
    load<typeof Time>('bot/time.js'),
    load<typeof Capabilities>('commands/index.js'),
    load<typeof DirectoryStore>('bot/db/directory-store.js'),
    load<typeof Seed>('prisma/seed/index.js'),
  ]);
  /** createTestDatabase on the build's modules: migrated, opened as bot/main.ts opens it, seeded */
  const createDatabase = (provider: Client.Provider, options: Client.OpenOptions = {}): Promise<TestDatabase> =>
    createTestDatabase(provider, options, { migrate: migrate.migrate, openDatabase: client.openDatabase, seedDatabase: seed.seedDatabase });
  return { telegram, client, pipeline, identity, time, capabilities, directoryStore, createDatabase };
}
