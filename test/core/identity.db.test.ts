// Every message marks its chat seen while reading who it is: lastSeenAt (precise to five minutes,
// it only chooses the channel for proactive messages), a block lifted, a new display name, on
// SQLite and PostgreSQL alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveChat } from '../../bot/core/identity.ts';
import { createTestDatabase, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';

describe.each(TEST_PROVIDERS)('resolving a chat on %s', (provider) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(provider, { seed: false });
  });
  afterAll(async () => test.drop());

  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 3, 2, minutes));
  // the write of lastSeenAt is handed back in flight (the core awaits it before committing)
  const resolve = async (channel: 'telegram', chatId: string, now: Date, displayName?: string) => {
    const chat = await resolveChat(test.db, channel, chatId, now, displayName);
    await chat.touched;
    return chat;
  };
  const identity = (chatId: string) => test.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'telegram', externalId: chatId } } });

  it('creates a chat seen for the first time, with its name', async () => {
    const { actor, conversation } = await resolve('telegram', 'first', at(0), '王五');
    expect(actor.role).toBe('unknown');
    expect(conversation).toBeNull();
    expect(await identity('first')).toMatchObject({ displayName: '王五', lastSeenAt: at(0), blockedAt: null });
  });

  it('marks it seen again only after five minutes, or at once when it was blocked or has a new name', async () => {
    await resolve('telegram', 'again', at(0), '张三');
    expect((await resolveChat(test.db, 'telegram', 'again', at(4))).touched).toBeNull();
    expect(await identity('again')).toMatchObject({ lastSeenAt: at(0), displayName: '张三' });
    await resolve('telegram', 'again', at(5));
    expect(await identity('again')).toMatchObject({ lastSeenAt: at(5), displayName: '张三' });

    await resolve('telegram', 'again', at(6), '张三');
    expect((await identity('again')).lastSeenAt).toEqual(at(5));
    await resolve('telegram', 'again', at(7), '张三丰');
    expect(await identity('again')).toMatchObject({ lastSeenAt: at(7), displayName: '张三丰' });

    await test.db.channelIdentity.update({ where: { id: (await identity('again')).id }, data: { blockedAt: at(8) } });
    await resolve('telegram', 'again', at(9));
    expect(await identity('again')).toMatchObject({ lastSeenAt: at(9), blockedAt: null, displayName: '张三丰' });
  });

  it('answers with the row as it was read, and the chat’s conversation', async () => {
    const created = await resolve('telegram', 'conversing', at(0));
    await test.db.conversation.create({
      data: { channel: 'telegram', chatId: 'conversing', flow: 'report', step: 'confirm', state: '{"a":1}', choices: '[]', updatedAt: at(1), expiresAt: at(60), version: 3 },
    });
    const again = await resolve('telegram', 'conversing', at(30), '李四');
    expect(again.actor).toEqual(created.actor);
    expect(again.conversation).toEqual({ flow: 'report', step: 'confirm', state: '{"a":1}', choices: '[]', expiresAt: at(60), version: 3 });
    expect(await identity('conversing')).toMatchObject({ lastSeenAt: at(30), displayName: '李四' });
  });
});
