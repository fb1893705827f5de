// Binding a chat to the directory: invitation codes (single use, 14 days, limited attempts) and
// Telegram's verified phone number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIND_ATTEMPTS } from '../../commands/bind.ts';
import { issueInvitations } from '../../bot/db/identity-store.ts';
import { CODE_ALPHABET, CODE_LENGTH, generateCode, normaliseCode } from '../../commands/directory/invitations.ts';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { silentLogger } from '../../bot/logger.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

describe('invitation codes', () => {
  it('are 8 characters from an alphabet without look-alikes (40 bits)', () => {
    const codes = new Set(Array.from({ length: 2000 }, generateCode));
    expect(codes.size).toBe(2000);
    for (const code of codes) expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
    expect(CODE_ALPHABET).not.toMatch(/[01IO]/);
    expect(Math.log2(CODE_ALPHABET.length) * CODE_LENGTH).toBe(40);
  });

  it('are read the way people type them', () => {
    expect(normaliseCode(' abcd-2345 ')).toBe('ABCD2345');
    expect(normaliseCode('ａｂｃｄ２３４５')).toBe('ABCD2345');
  });
});

describe.each(TEST_PROVIDERS)('binding on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot.close());

  const contactId = async (mobile: string) => (await bot.db.contact.findUniqueOrThrow({ where: { mobile } })).id;

  it('binds a chat with a code printed by the command line, once', async () => {
    const out: string[] = [];
    const code = await runDirectoryCli(['invite', '--mobile', DEMO.humenVillage], { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => out.push(l) });
    expect(code).toBe(0);
    expect(out[0]).toBe('镇街,服务点,联系人,手机,邀请码,有效期至');
    const [town, point, name, mobile, invitation, validUntil] = out[1]!.split(',');
    expect([town, point, name, mobile]).toEqual(['虎门镇', '示例三村', '陈村联', DEMO.humenVillage]);
    expect(validUntil).toBe('2026-11-16');

    const chat = { channel: 'wechat' as const, chatId: 'wx-chen' };
    const bound = await bot.core.handleMessage({ ...chat, text: `绑定 ${invitation!.toLowerCase()}` });
    expect(bound[0]!.text).toContain('绑定成功！您是：陈村联，虎门镇 示例三村（村级）的信息专报员');
    expect((await bot.core.handleMessage({ ...chat, text: '/whoami' }))[0]!.text).toContain('陈村联');
    const again = await bot.core.handleMessage({ channel: 'telegram', chatId: 'tg-other', text: `/bind ${invitation}` });
    expect(again[0]!.text).toContain('已经使用过了');
    const audit = await bot.db.auditLog.findFirst({ where: { action: 'chat.bind' } });
    expect(audit?.actor).toBe('wechat:wx-chen');
  });

  it('refuses an expired code', async () => {
    const [inv] = await issueInvitations(bot.db, [await contactId(DEMO.humenTown)], bot.clock.now());
    const later = bot.restart();
    later.clock.advance(15 * 24 * 3600_000);
    const reply = await later.core.handleMessage({ channel: 'wechat', chatId: 'wx-late', text: `/bind ${inv!.code}` });
    expect(reply[0]!.text).toContain('已过期');
    later.clock.advance(-15 * 24 * 3600_000);
  });

  it('asks for the code when it is missing', async () => {
    expect(await (await bot.chat()).say('/bind')).toContain('请在命令后写上邀请码');
  });

  it(`limits wrong codes to ${BIND_ATTEMPTS.failures} an hour per chat, even when the next one is right`, async () => {
    const [inv] = await issueInvitations(bot.db, [await contactId(DEMO.guanchengVillage2)], bot.clock.now());
    const chat = await bot.chat();
    for (let i = 0; i < BIND_ATTEMPTS.failures; i++) expect(await chat.say('/bind WRNG2345')).toContain('邀请码不正确');
    expect(await chat.say(`/bind ${inv!.code}`)).toContain('错误次数过多');
    bot.clock.advance(BIND_ATTEMPTS.windowMs + 1000);
    expect(await chat.say(`/bind ${inv!.code}`)).toContain('绑定成功');
  });

  it('binds by a phone number the platform vouches for, when it is in the directory', async () => {
    const ok = await bot.core.handleMessage({ channel: 'telegram', chatId: 'tg-sun', fact: { kind: 'sharedPhone', phone: `+86${DEMO.shilongTown}` } });
    expect(ok[0]!.text).toContain('绑定成功！您是：孙镇联');
    const unknown = await bot.core.handleMessage({ channel: 'telegram', chatId: 'tg-x', fact: { kind: 'sharedPhone', phone: '+8613999999999' } });
    expect(unknown[0]!.text).toContain('通信名录中没有这个手机号');
  });

  it('invites a whole town, or everyone', async () => {
    const out: string[] = [];
    const deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l: string) => out.push(l) };
    expect(await runDirectoryCli(['invite', '--town', '石龙镇'], deps)).toBe(0);
    expect(out.slice(1).map((l) => l.split(',')[0])).toEqual(['石龙镇', '石龙镇', '石龙镇', '石龙镇']);
    out.length = 0;
    expect(await runDirectoryCli(['invite', '--all'], deps)).toBe(0);
    expect(out).toHaveLength(13);
    out.length = 0;
    expect(await runDirectoryCli(['invite', '--mobile', '13999999999'], deps)).toBe(1);
    expect(out[0]).toContain('没有手机号为 13999999999');
  });
});
