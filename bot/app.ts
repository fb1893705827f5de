// Assembles the parts every entry point needs (the bot, the command line, tests): the database,
// migrated and seeded, and the core with every capability. Nothing here reads the environment.
import type { Logger } from 'pino';
import { openDatabase, parseDatabaseUrl, type Database, type OpenOptions } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { seedDatabase } from '../prisma/seed/index.ts';
import { createCore, type Core, type CoreServices } from './core/pipeline.ts';
import { createCapabilities } from '../commands/index.ts';
import type { Clock } from './time.ts';

export interface App {
  database: Database;
  core: Core;
  close(): Promise<void>;
}

export async function openPreparedDatabase(databaseUrl: string, log: Logger, options: OpenOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(databaseUrl);
  const result = await migrate(target);
  if (result.applied.length) log.info({ applied: result.applied, provider: target.provider }, 'database migrated');
  const database = openDatabase(target, options);
  await seedDatabase(database.db, database.sql);
  return database;
}

export function createAppCore(database: Database, clock: Clock, log: Logger, services?: Partial<CoreServices>): Core {
  return createCore({ db: database.db, clock, log, capabilities: createCapabilities(), services });
}
