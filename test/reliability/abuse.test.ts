// Issue 7, item 9: abuse. One chat flooding the bot is rate limited with exactly one polite warning
// (test/core/pipeline.test.ts, "rate limits a flooding chat with exactly one polite warning"); here,
// many chats flooding at once, each on its own count, while a quiet chat is still answered.
// Invitation codes: their 40 bits and the per-chat limit of wrong codes are in test/core/bind.test.ts;
// here, a flood of guesses from many chats at the real code space and the real number of live
// codes binds no one, a chat sending its guesses all at once gets no more than the limit, and the
// limit holds across two instances. (The burst is also a new chat's first messages arriving at
// once, which once failed on PostgreSQL creating the chat's identity twice.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOOD_LIMIT } from '../../bot/core/pipeline.ts';
import { BIND_ATTEMPTS } from '../../commands/bind.ts';
import { issueInvitations } from '../../bot/db/identity-store.ts';
import { CODE_ALPHABET, CODE_LENGTH } from '../../commands/directory/invitations.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { broadcastDirectory } from './support/broadcast.ts';
import { seededRandom, type Random } from './support/random.ts';

const WARNING = '您发送得太快了';

function guess(random: Random): string {
  return Array.from({ length: CODE_LENGTH }, () => random.pick([...CODE_ALPHABET])).join('');
}

describe('many chats flooding at once', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider: 'sqlite' });
  });
  afterAll(async () => bot?.close());

  it('each flooder gets one warning of its own, and a quiet chat is still answered', async () => {
    const flooders = Array.from({ length: 30 }, (_, i) => ({ channel: i % 2 ? ('telegram' as const) : ('wechat' as const), chatId: String(5000 + Math.floor(i / 2)) }));
    const quiet = await bot.chat(DEMO.humenVillage);
    const perChat = new Map<string, string[]>();
    const quietReplies: string[] = [];
    const rounds = FLOOD_LIMIT.messages + 10;
    for (let round = 0; round < rounds; round++) {
      for (const f of flooders) {
        const replies = await bot.core.handleMessage({ ...f, text: '/whoami' });
        const key = `${f.channel}:${f.chatId}`;
        perChat.set(key, [...(perChat.get(key) ?? []), replies.map((r) => r.text).join('\n')]);
      }
      if (round % 5 === 0) quietReplies.push(await quiet.say('/whoami'));
    }
    // the same chat id on two channels is two chats
    expect(perChat.size).toBe(30);
    for (const [key, replies] of perChat) {
      expect(replies.slice(0, FLOOD_LIMIT.messages).every((r) => r.includes('还没有绑定')), key).toBe(true);
      expect(replies.filter((r) => r.includes(WARNING)), key).toHaveLength(1);
      expect(replies[FLOOD_LIMIT.messages], key).toContain(WARNING);
      expect(replies.slice(FLOOD_LIMIT.messages + 1).every((r) => r === ''), key).toBe(true);
    }
    expect(quietReplies.every((r) => r.includes('陈村联')), quietReplies.join('|')).toBe(true);
    // the window passes for everyone
    bot.clock.advance(FLOOD_LIMIT.windowMs + 1);
    expect((await bot.core.handleMessage({ ...flooders[0]!, text: '/whoami' }))[0]!.text).toContain('还没有绑定');
  });
});

describe('guessing invitation codes', () => {
  let bot: TestBot;
  const LIVE = 600;
  const CHATS = 300;
  beforeAll(async () => {
    bot = await createTestBot({ provider: 'sqlite', directory: broadcastDirectory(LIVE) });
  });
  afterAll(async () => bot?.close());

  it(`a flood of random codes from ${CHATS} chats binds no one while ${LIVE} codes are live`, async () => {
    const contacts = await bot.db.contact.findMany({ where: { active: true }, select: { id: true } });
    const issued = await issueInvitations(bot.db, contacts.map((c) => c.id), bot.clock.now());
    expect(issued).toHaveLength(LIVE);
    const random = seededRandom(40);
    const replies = { wrong: 0, limited: 0, other: [] as string[] };
    let guesses = 0;
    for (let attempt = 0; attempt <= BIND_ATTEMPTS.failures; attempt++) {
      for (let chat = 0; chat < CHATS; chat++) {
        const text = (await bot.core.handleMessage({ channel: 'telegram', chatId: String(80_000 + chat), text: `/bind ${guess(random)}` }))[0]!.text;
        if (text.includes('邀请码不正确')) replies.wrong++;
        else if (text.includes('错误次数过多')) replies.limited++;
        else replies.other.push(text);
        guesses++;
      }
      bot.clock.advance(1000);
    }
    const chance = (replies.wrong * LIVE) / CODE_ALPHABET.length ** CODE_LENGTH;
    console.log(`[abuse] ${guesses} guesses from ${CHATS} chats at ${LIVE} live codes: ${replies.wrong} tried, ${replies.limited} refused by the limit; chance that any could have hit: ${chance.toExponential(1)}`);
    expect(replies.other).toEqual([]);
    expect(replies.wrong).toBe(CHATS * BIND_ATTEMPTS.failures);
    expect(replies.limited).toBe(CHATS);
    expect(await bot.db.channelIdentity.count({ where: { contactId: { not: null } } })).toBe(0);
    expect(await bot.db.invitation.count({ where: { usedAt: { not: null } } })).toBe(0);
    expect(chance).toBeLessThan(1e-5);
  });
});

describe.each(TEST_PROVIDERS)('the invitation limit on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot?.close());

  it('guesses sent all at once from one chat are tried no more often than the limit allows', async () => {
    const random = seededRandom(41);
    const chat = { channel: 'wechat' as const, chatId: 'wx-burst' };
    // fewer than the flood limit, so that only the invitation limit can stop them
    const burst = FLOOD_LIMIT.messages - 1;
    const texts = (await Promise.all(Array.from({ length: burst }, () => bot.core.handleMessage({ ...chat, text: `/bind ${guess(random)}` })))).map((r) => r[0]!.text);
    expect(texts.filter((t) => t.includes('邀请码不正确'))).toHaveLength(BIND_ATTEMPTS.failures);
    expect(texts.filter((t) => t.includes('错误次数过多')), texts.join('\n')).toHaveLength(burst - BIND_ATTEMPTS.failures);
  });

  it('the limit is shared by every instance on the database', async () => {
    const random = seededRandom(42);
    const instances = [bot, bot.restart()];
    const chat = { channel: 'telegram' as const, chatId: '99001' };
    const texts: string[] = [];
    for (let i = 0; i <= BIND_ATTEMPTS.failures; i++) texts.push((await instances[i % 2]!.core.handleMessage({ ...chat, text: `/bind ${guess(random)}` }))[0]!.text);
    expect(texts.slice(0, BIND_ATTEMPTS.failures).every((t) => t.includes('邀请码不正确'))).toBe(true);
    expect(texts.at(-1)).toContain('错误次数过多');
  });
});
