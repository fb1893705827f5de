// The server may end an idle PostgreSQL connection (a restart, an administrator, a test dropping its
// database). The command line's own connection (openDirectSql) must take that as an error of the
// next statement, not as an uncaught 'error' event ending the process. (The pool's case is in
// direct-sql.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDirectSql } from '../../bot/db/direct-sql.ts';
import { createEmptyDatabase, PG_ADMIN_URL } from '../support/database.ts';

describe('a PostgreSQL connection of its own, ended by the server', () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const endBackends = async (application: string) => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [application]);
      return rowCount;
    } finally {
      await admin.end();
    }
  };
  const withName = (url: string, application: string) => {
    const u = new URL(url);
    u.searchParams.set('application_name', application);
    return u.toString();
  };

  beforeAll(async () => {
    empty = await createEmptyDatabase('postgresql');
  });
  afterAll(async () => empty.destroy());

  it('a connection of its own fails its next statement, and closes', async () => {
    const sql = openDirectSql({ provider: 'postgresql', location: withName(empty.target.location, 'gxgc_idle_session') });
    try {
      expect(await sql.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await endBackends('gxgc_idle_session')).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(sql.query('SELECT 2 AS two')).rejects.toThrow();
    } finally {
      await sql.close();
    }
  });
});
