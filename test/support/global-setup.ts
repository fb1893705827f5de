// Before any test: the PostgreSQL server the database tests use must answer. On this project's
// machines it can be started from here; elsewhere the message says what to set.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { PG_ADMIN_URL } from './database.ts';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(): Promise<void> {
  if (await reachable()) return;
  if (existsSync('/etc/postgresql')) {
    const version = readdirSync('/etc/postgresql')[0];
    try {
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'ignore' });
    } catch {
      // reported below if it still does not answer
    }
    for (let i = 0; i < 30 && !(await reachable()); i++) await new Promise((r) => setTimeout(r, 1000));
    if (await reachable()) return;
  }
  throw new Error(`The database tests need PostgreSQL at ${PG_ADMIN_URL} (a user that may create databases). Start it, or set GXGC_TEST_PG_URL.`);
}
