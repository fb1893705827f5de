// The migration that lets a contact have a landline and no mobile rebuilds SQLite's Contact table.
// With foreign keys on, dropping the old table would have cascaded into chat bindings, invitations
// and reports: a directory with data keeps every row across it, on both databases.
import { describe, expect, it } from 'vitest';
import { openDirectSql } from '../../bot/db/direct-sql.ts';
import { listMigrations, migrate } from '../../bot/db/migrate.ts';
import { createEmptyDatabase, TEST_PROVIDERS } from '../support/database.ts';

const LANDLINE = '20261202150000_contact_landline';

describe.each(TEST_PROVIDERS)('the contact landline migration on %s', (provider) => {
  it('keeps contacts, their chats and invitations, and then takes a contact without a mobile', async () => {
    const empty = await createEmptyDatabase(provider);
    try {
      const all = listMigrations(provider);
      const index = all.findIndex((m) => m.name === LANDLINE);
      expect(index).toBeGreaterThan(0);
      await migrate(empty.target, all.slice(0, index));
      const sql = openDirectSql(empty.target);
      try {
        const now = new Date('2026-11-01T00:00:00Z');
        await sql.execute(`INSERT INTO "ServicePoint" ("id", "town", "name", "level", "createdAt", "updatedAt") VALUES (1, '石龙镇', '示例一村', 'village', ?, ?)`, [now, now]);
        await sql.execute(`INSERT INTO "Contact" ("servicePointId", "name", "role", "mobile", "updatedAt") VALUES (1, '周村联', 'liaison', '13800002101', ?)`, [now]);
        const [{ id } = { id: 0 }] = await sql.query<{ id: number }>(`SELECT "id" FROM "Contact"`);
        await sql.execute(`INSERT INTO "ChannelIdentity" ("channel", "externalId", "contactId", "lastSeenAt") VALUES ('telegram', '42', ?, ?)`, [id, now]);
        await sql.execute(`INSERT INTO "Invitation" ("codeHash", "contactId", "expiresAt") VALUES ('h', ?, ?)`, [id, now]);
        await migrate(empty.target);
        expect(await sql.query(`SELECT "contactId" FROM "ChannelIdentity"`)).toEqual([{ contactId: id }]);
        expect(await sql.query(`SELECT "contactId" FROM "Invitation"`)).toEqual([{ contactId: id }]);
        expect(await sql.query(`SELECT "id", "mobile", "landline" FROM "Contact"`)).toEqual([{ id, mobile: '13800002101', landline: null }]);
        await sql.execute(`INSERT INTO "Contact" ("servicePointId", "name", "role", "landline", "updatedAt") VALUES (1, '郑村联', 'liaison', '0769-22834125', ?)`, [now]);
        await sql.execute(`INSERT INTO "Contact" ("servicePointId", "name", "role", "landline", "updatedAt") VALUES (1, '王村联', 'liaison', '0769-22834126', ?)`, [now]);
        // new ids continue after the old ones
        expect((await sql.query<{ id: number }>(`SELECT "id" FROM "Contact" ORDER BY "id"`)).map((r) => Number(r.id))).toEqual([Number(id), Number(id) + 1, Number(id) + 2]);
      } finally {
        await sql.close();
      }
    } finally {
      await empty.destroy();
    }
  });
});
