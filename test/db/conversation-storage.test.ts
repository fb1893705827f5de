// PostgreSQL keeps a conversation's row inline and uncompressed (migration 20261206100000): a report
// draft's state is over 2 KB, which PostgreSQL's default compresses on every save.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlOf } from '../../bot/db/client.ts';
import { conversationFromRow, saveConversationStatement } from '../../bot/core/conversation.ts';
import { REPORT_FIELD_DEFAULTS } from '../../commands/report/template.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('a conversation row on postgresql', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('postgresql', { seed: false });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('is stored uncompressed up to a page, and compressed beyond', async () => {
    const now = new Date('2026-11-03T02:00:00Z');
    const save = async (chatId: string, copies: number) => {
      const conversation = conversationFromRow(null, now);
      conversation.set('report', 'summary', { engine: 1, id: 'abcd1234', turn: 1, at: 'summary', data: { fields: Array(copies).fill(REPORT_FIELD_DEFAULTS), pointLabel: '莞城街道 某某社区', notes: ['“一百二”按 120 记录', '“约 176 小时”按 176 记录', '“二十二天”按 22 天记录', '“三场”按 3 场记录', '“两百”按 200 人次记录'] } });
      const { sql, params } = saveConversationStatement('telegram', chatId, conversation, now);
      expect(await sqlOf(test.db).execute(sql, params)).toBe(1);
      const [row] = await sqlOf(test.db).query<{ stored: number; length: number }>(
        'SELECT pg_column_size("state") AS "stored", octet_length("state") AS "length" FROM "Conversation" WHERE "chatId" = ?',
        [chatId],
      );
      return row!;
    };
    const draft = await save('900001', 1);
    expect(draft.length).toBeGreaterThan(2100); // as a real draft: over the 2 KB default
    expect(draft.stored).toBeGreaterThanOrEqual(draft.length);
    // past the 8,160-byte target PostgreSQL compresses (or moves) it as before
    const huge = await save('900002', 6);
    expect(huge.stored).toBeLessThan(huge.length);
  });
});
