// Platform facts as the core routes them: a chat's facts (a shared phone, a friend request with or
// without its invitation code) to the capability that takes them, with /bind's attempt limit; a
// channel's facts (logged out) to the capability that answers with effects, which the core applies
// in one batch (outbox rows, the audit row) before it wakes the outbox once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../bot/core/pipeline.ts';
import { createCapabilities } from '../../commands/index.ts';
import { BIND_ATTEMPTS } from '../../commands/bind.ts';
import { silentLogger } from '../../bot/logger.ts';
import type { Capability } from '../../bot/core/capability.ts';
import type { ChannelFact, PlatformFact } from '../../bot/core/types.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { invitationFor } from '../channels/support/fixtures.ts';

const LOGGED_OUT: ChannelFact = { kind: 'loggedOut', channel: 'wechat', account: '东莞图书馆服务助手', recovery: 'scanQr' };

describe.each(TEST_PROVIDERS)('platform facts in the core on %s', (provider) => {
  let bot: TestBot;
  let core: Core;
  let wakes = 0;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
    core = createCore({ db: bot.db, clock: bot.clock, log: silentLogger, capabilities: createCapabilities(), services: { wakeOutbox: () => void wakes++ } });
  });
  afterAll(async () => bot.close());

  const fresh = async (code: 'valid' | 'used' | 'wrong' | 'none', mobile: string): Promise<string | null> => {
    if (code === 'none') return null;
    if (code === 'wrong') return 'WRNG2345';
    const valid = await invitationFor(bot.db, mobile, bot.clock.now());
    if (code === 'used') await core.handleMessage({ channel: 'wechat', chatId: `first-${mobile}`, text: `/bind ${valid}` });
    return valid;
  };

  it.each<[string, (mobile: string) => Promise<PlatformFact>, string, string, boolean]>([
    ['a shared phone in the directory', async (m) => ({ kind: 'sharedPhone', phone: `+86${m}` }), DEMO.shilongTown, '绑定成功！您是：', true],
    ['a shared phone not in the directory', async () => ({ kind: 'sharedPhone', phone: '+8613999999999' }), DEMO.humenTown, '通信名录中没有这个手机号', false],
    ['a friend request with a valid code', async (m) => ({ kind: 'friendRequest', code: await fresh('valid', m) }), DEMO.humenEnterprise, '绑定成功！您是：', true],
    ['a friend request with a used code', async (m) => ({ kind: 'friendRequest', code: await fresh('used', m) }), DEMO.guanchengVillage1, '已经使用过了', false],
    ['a friend request with a wrong code', async (m) => ({ kind: 'friendRequest', code: await fresh('wrong', m) }), DEMO.guanchengVillage2, '邀请码不正确', false],
    ['a friend request without a code', async (m) => ({ kind: 'friendRequest', code: await fresh('none', m) }), DEMO.shilongSchool, '您好！这里是东莞市文化共享工程市支中心的服务助手', false],
  ])('%s', async (name, factFor, mobile, reply, binds) => {
    const chatId = `fact-${name.length}-${mobile}`;
    const replies = await core.handleMessage({ channel: 'wechat', chatId, fact: await factFor(mobile) });
    expect(replies.map((r) => r.text).join('\n')).toContain(reply);
    const identity = await bot.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: 'wechat', externalId: chatId } }, include: { contact: true } });
    expect(identity?.contact?.mobile ?? null).toBe(binds ? mobile : null);
  });

  it('counts a friend request’s wrong code as a failed bind attempt, against the same limit as /bind', async () => {
    const chatId = 'fact-guesser';
    const code = await invitationFor(bot.db, DEMO.shilongVillage2, bot.clock.now());
    const key = `bind:wechat:${chatId}`;
    const count = async () => (await bot.db.rateLimitWindow.findUnique({ where: { key } }))?.count ?? 0;
    for (let i = 0; i < BIND_ATTEMPTS.failures - 1; i++) {
      expect((await core.handleMessage({ channel: 'wechat', chatId, fact: { kind: 'friendRequest', code: 'WRNG2345' } }))[0]!.text).toContain('邀请码不正确');
    }
    expect(await count()).toBe(BIND_ATTEMPTS.failures - 1);
    expect((await core.handleMessage({ channel: 'wechat', chatId, text: '/bind WRNG2346' }))[0]!.text).toContain('邀请码不正确');
    // over the limit: the right code is refused, by friend request and by /bind alike
    expect((await core.handleMessage({ channel: 'wechat', chatId, fact: { kind: 'friendRequest', code } }))[0]!.text).toContain('错误次数过多');
    expect((await core.handleMessage({ channel: 'wechat', chatId, text: `/bind ${code}` }))[0]!.text).toContain('错误次数过多');
    // a greeting without a code tries nothing and is not counted
    const before = await count();
    expect((await core.handleMessage({ channel: 'wechat', chatId, fact: { kind: 'friendRequest', code: null } }))[0]!.text).toContain('您的身份：未绑定用户');
    expect(await count()).toBe(before);
    bot.clock.advance(BIND_ATTEMPTS.windowMs + 1000);
    expect((await core.handleMessage({ channel: 'wechat', chatId, fact: { kind: 'friendRequest', code } }))[0]!.text).toContain('绑定成功');
    // a success gives its attempt back
    expect(await count()).toBe(0);
  });

  it('answers a fact no capability takes without acting on it', async () => {
    const bare = createCore({ db: bot.db, clock: bot.clock, log: silentLogger, capabilities: [] });
    const replies = await bare.handleMessage({ channel: 'wechat', chatId: 'fact-nobody', fact: { kind: 'friendRequest', code: 'ABCD2345' } });
    expect(replies).toEqual([{ text: '收到了，但这条消息我处理不了。发送 /help 查看可以做什么。' }]);
  });

  it('routes a fact to the first handler that takes it', async () => {
    const seen: string[] = [];
    const handler = (name: string, takes: (code: string | null) => boolean): Capability => ({
      name,
      facts: [{ kind: 'friendRequest', takes: (fact) => takes(fact.code), handle: async () => (seen.push(name), [{ text: name }]) }],
    });
    const routed = createCore({ db: bot.db, clock: bot.clock, log: silentLogger, capabilities: [handler('withCode', (c) => c !== null), handler('any', () => true), handler('never', () => true)] });
    expect((await routed.handleMessage({ channel: 'wechat', chatId: 'fact-r1', fact: { kind: 'friendRequest', code: 'ABCD2345' } }))[0]!.text).toBe('withCode');
    expect((await routed.handleMessage({ channel: 'wechat', chatId: 'fact-r2', fact: { kind: 'friendRequest', code: null } }))[0]!.text).toBe('any');
    expect(seen).toEqual(['withCode', 'any']);
  });

  describe('a channel logged out', () => {
    const operatorIds = async () =>
      (await bot.db.contact.findMany({ where: { active: true, servicePoint: { level: 'subCenter', active: true } }, select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id);
    const alerts = () => bot.db.outboxMessage.findMany({ where: { purpose: 'alert' }, orderBy: { id: 'asc' } });
    const audits = () => bot.db.auditLog.findMany({ where: { action: 'channel.loggedOut' }, orderBy: { id: 'asc' } });

    it.each<[string, number, number, number]>([
      // [when, minutes advanced before, new rows per operator, wakes after]
      ['the first time: every operator alerted, the outbox woken once', 0, 1, 1],
      ['again in the same minute: nothing new, not woken', 0, 0, 1],
      ['a minute later: alerted again', 1, 1, 2],
    ])('%s', async (_, minutes, perOperator, wakesAfter) => {
      bot.clock.advance(minutes * 60_000);
      const operators = await operatorIds();
      expect(operators.length).toBeGreaterThanOrEqual(2);
      const before = (await alerts()).length;
      const auditsBefore = (await audits()).length;
      await core.handleChannelFact(LOGGED_OUT);
      const rows = (await alerts()).slice(before);
      expect(rows.map((r) => r.contactId)).toEqual(perOperator ? operators : []);
      for (const row of rows) {
        expect(row.dedupeKey).toBe(`alert:wechat-logout:${bot.clock.now().toISOString().slice(0, 16)}:${row.contactId}`);
        expect(row.text).toContain('【系统提醒】微信机器人账号“东莞图书馆服务助手”于');
        expect(row.text).toContain('退出登录，微信上的消息暂时收发不了');
        expect(row.text).toContain('登录二维码');
        expect(row.status).toBe('pending');
      }
      const audit = (await audits()).slice(auditsBefore);
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor).toBe('system');
      expect(audit[0]!.entityId).toBe('wechat');
      expect(JSON.parse(audit[0]!.detail)).toEqual({ account: '东莞图书馆服务助手', alerted: rows.length });
      expect(wakes).toBe(wakesAfter);
    });

    it('writes nothing when no capability takes the fact, and does not throw', async () => {
      const bare = createCore({ db: bot.db, clock: bot.clock, log: silentLogger, capabilities: [], services: { wakeOutbox: () => void wakes++ } });
      bot.clock.advance(60_000);
      const before = [(await alerts()).length, (await audits()).length, wakes];
      await bare.handleChannelFact(LOGGED_OUT);
      expect([(await alerts()).length, (await audits()).length, wakes]).toEqual(before);
    });
  });
});
