// The WeChat channel end to end through Wechaty and wechaty-puppet-mock: mock contacts write to the
// bot account, the real core answers, and what the bot says arrives at the mock contacts. Pacing
// runs on an injected timer, so the test is fast and the gaps it asks for can be checked exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { types } from 'wechaty';
import { FileBox } from 'file-box';
import iconv from 'iconv-lite';
import { rulesToTable } from '../../commands/standards/rulesFile.ts';
import { createWechatChannel, invitationCodeIn, type WechatChannel } from '../../bot/channels/wechat.ts';
import { DeliveryError } from '../../bot/core/types.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { contactByMobile, invitationFor, releaseNoticeToPointOf, waitFor } from './support/fixtures.ts';

import { captureLogs } from '../support/log-capture.ts';

// every log line and console write of this file, checked at the end for the token and the codes issued
const capture = captureLogs();
afterAll(() => {
  capture.stop();
  capture.expectNoSecrets([]);
});

type ContactMock = ReturnType<mock.Mocker['createContact']>;
interface MockMessage {
  talker(): { id: string };
  text(): string | undefined;
  payload: { id: string };
}
/** ContactMock is an event emitter whose typings do not resolve here */
function onMessage(contact: ContactMock, listener: (message: MockMessage) => void): void {
  (contact as unknown as { on(event: 'message', listener: (message: MockMessage) => void): void }).on('message', listener);
}

describe('invitation codes in a friend request greeting', () => {
  it.each([
    ['石龙镇 张三 ABCD2345', 'ABCD2345'],
    ['我的邀请码是 abcd-2345，谢谢', 'ABCD2345'],
    ['ＡＢＣＤ２３４５', 'ABCD2345'],
    ['我是石龙镇的张三', null],
    ['ABCD23456789', null],
    // 0, 1, O and I are not in the alphabet
    ['ABCD1O00', null],
  ])('%s → %s', (hello, code) => {
    expect(invitationCodeIn(hello)).toBe(code);
  });
});

describe.each(TEST_PROVIDERS)('WeChat channel through wechaty-puppet-mock on %s', (provider) => {
  let bot: TestBot;
  let mocker: mock.Mocker;
  let puppet: PuppetMock;
  let channel: WechatChannel;
  let self: ContactMock;
  const printed: string[] = [];
  const sleeps: number[] = [];
  let fakeNow = 1_000_000;
  let outboxWakes = 0;

  /** a person on WeChat who writes to the bot and collects what the bot says to them */
  function person(name: string) {
    const contact = mocker.createContact({ name });
    const inbox: string[] = [];
    const files: string[] = [];
    onMessage(contact, (message) => {
      if (message.talker().id !== self.id) return;
      const text = message.text();
      if (text !== undefined) inbox.push(text);
      else files.push(message.payload.id);
    });
    return {
      contact,
      inbox,
      files,
      /** says something to the bot and returns everything the bot answered */
      async say(text: string): Promise<string> {
        const before = inbox.length;
        contact.say(text).to(self);
        await waitFor(() => inbox.length > before, `a reply to “${text}”`);
        await channel.idle();
        return inbox.slice(before).join('\n');
      },
    };
  }

  beforeAll(async () => {
    bot = await createTestBot({ provider, services: { wakeOutbox: () => void outboxWakes++ } });
    mocker = new mock.Mocker();
    puppet = new PuppetMock({ mocker });
    channel = createWechatChannel({
      config: { puppet: 'wechaty-puppet-mock' },
      core: bot.core,
      log: capture.log,
      puppet,
      pacing: { minMs: 2000, maxMs: 4000 },
      random: () => 0.5,
      timer: {
        now: () => fakeNow,
        async sleep(ms) {
          sleeps.push(ms);
          fakeNow += ms;
        },
      },
      relogin: { firstDelayMs: 20, maxDelayMs: 40 },
      printQr: (text) => printed.push(text),
    });
    await channel.start();
    mocker.scan('https://login.weixin.qq.com/l/mock-qr', types.ScanStatus.Waiting);
    self = mocker.createContact({ name: '东莞图书馆服务助手' });
    mocker.login(self);
    await waitFor(() => channel.status().loggedIn, 'the mock login');
  });

  afterAll(async () => {
    await channel?.stop();
    await bot?.close();
  });

  it('prints the login QR code with its URL', async () => {
    const text = await waitFor(() => printed.join(''), 'the QR code to be printed');
    expect(text).toContain('扫描下方二维码登录');
    expect(text).toContain(`https://wechaty.js.org/qrcode/${encodeURIComponent('https://login.weixin.qq.com/l/mock-qr')}`);
  });

  it('answers /help to a stranger, and binds them with an invitation code', async () => {
    const zhang = person('张三');
    expect(await zhang.say('/help')).toContain('您的身份：未绑定用户');
    const code = await invitationFor(bot.db, DEMO.shilongVillage1, bot.clock.now());
    expect(await zhang.say(`绑定 ${code}`)).toContain('绑定成功');
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'wechat', externalId: zhang.contact.id } }, include: { contact: true } });
    expect(identity.contact?.mobile).toBe(DEMO.shilongVillage1);
    expect(await zhang.say('我是谁')).toContain('村（居）/学校/企业服务点联系人');
  });

  it('offers choices as numbered options and takes the number as the choice', async () => {
    const li = person('李四');
    const code = await invitationFor(bot.db, DEMO.shilongVillage2, bot.clock.now());
    await li.say(`/bind ${code}`);
    const summary = await li.say('本月无新增');
    expect(summary).toMatch(/1\. 确认提交/);
    expect(summary).toContain('回复数字选择');
    const confirmed = await li.say('1');
    expect(confirmed).not.toContain('失效');
    const contact = await contactByMobile(bot.db, DEMO.shilongVillage2);
    const stored = await bot.db.monthlyReport.findFirst({ where: { servicePointId: contact.servicePointId, month: '2026-10' } });
    expect(stored).not.toBeNull();
  });

  it('delivers a proactive notice through its sender, and “1” acknowledges it', async () => {
    const wang = person('王五');
    const code = await invitationFor(bot.db, DEMO.humenVillage, bot.clock.now());
    await wang.say(`/bind ${code}`);
    const noticeId = await releaseNoticeToPointOf(bot.db, DEMO.humenVillage, bot.clock.now());
    const before = wang.inbox.length;
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: capture.log, senders: [channel.sender], instanceId: 'wechat-test' });
    const summary = await worker.runOnce();
    expect(summary.delivered).toBeGreaterThanOrEqual(1);
    await waitFor(() => wang.inbox.length > before, 'the notice');
    const notice = wang.inbox.slice(before).join('\n');
    expect(notice).toContain('2026年第四季度数字资源下发');
    expect(notice).toContain('1. 收到');
    expect(await wang.say('1')).toContain('已确认收到');
    const contact = await contactByMobile(bot.db, DEMO.humenVillage);
    const recipient = await bot.db.noticeRecipient.findUniqueOrThrow({ where: { noticeId_contactId: { noticeId, contactId: contact.id } } });
    expect(recipient.acknowledgedAt).not.toBeNull();
  });

  it('sends the year’s summary as a file and its chart as an image', async () => {
    const chen = person('陈管理');
    const code = await invitationFor(bot.db, DEMO.operator, bot.clock.now());
    await chen.say(`/bind ${code}`);
    const before = chen.files.length;
    expect(await chen.say('/assessment 2026')).toContain('文化共享工程建设与服务情况');
    await waitFor(() => chen.files.length >= before + 2, 'the summary and the chart');
    const sent = await Promise.all(chen.files.slice(before).map((id) => puppet.messagePayload(id)));
    // the mock types a file by its extension: .xlsx is none it knows, .png an image
    expect(sent.map((m) => m.type)).toEqual([types.Message.Unknown, types.Message.Image]);
    const names = await Promise.all(chen.files.slice(before).map(async (id) => (await puppet.messageFile(id)).name));
    expect(names).toEqual(['评估-2026.xlsx', '评估-2026.png']);
  });

  it('takes a file an operator sends: the rules table previewed, imported after “1”', async () => {
    const liu = person('刘值班');
    const code = await invitationFor(bot.db, DEMO.operator2, bot.clock.now());
    await liu.say(`/bind ${code}`);
    const rules = await bot.db.rule.findMany({ orderBy: [{ level: 'asc' }, { sortOrder: 'asc' }] });
    const table = rulesToTable(rules).map((row) => row.map((c) => (c == null ? '' : String(c))));
    const at = (name: string) => table[0]!.indexOf(name);
    const row = table.findIndex((r) => r[at('级别')] === '镇级' && r[at('项目')] === '电脑');
    table[row]![at('数量')] = '20';
    const csv = table.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const before = liu.inbox.length;
    // as WeChat delivers a file: an Attachment message whose file the puppet serves. The mock's own
    // contact.say(FileBox) types a file by its MIME type and makes .csv and .xlsx "Unknown", so the
    // message is made here with the mock's own parts
    const box = FileBox.fromBase64(iconv.encode(csv, 'gbk').toString('base64'), '配置及服务标准.csv');
    const id = `file-${Date.now()}`;
    mocker.cacheFileBoxPayload.set(id, box.toJSON());
    const message = mocker.MessageMock.create({ id, talkerId: liu.contact.id, listenerId: self.id, timestamp: Date.now(), type: types.Message.Attachment } as never);
    puppet.emit('message', { messageId: message.id });
    await waitFor(() => liu.inbox.length > before, 'the preview of the sent file');
    await channel.idle();
    const preview = liu.inbox.slice(before).join('\n');
    expect(preview).toContain('收到规则表“配置及服务标准.csv”');
    expect(preview).toMatch(/1\. 确认导入/);
    expect(await liu.say('1')).toMatch(/已导入 \d+ 条规则/);
    expect((await bot.db.rule.findFirstOrThrow({ where: { level: 'town', item: '电脑' } })).quantity).toBe(20);
  });

  it('accepts a friend request and binds at once when the greeting carries an invitation code', async () => {
    const zhao = mocker.createContact({ name: '赵六' });
    const inbox: string[] = [];
    onMessage(zhao, (message) => void (message.talker().id === self.id && inbox.push(message.text() ?? '')));
    const code = await invitationFor(bot.db, DEMO.humenEnterprise, bot.clock.now());
    const accepted: string[] = [];
    const accept = puppet.friendshipAccept.bind(puppet);
    puppet.friendshipAccept = async (id: string) => {
      accepted.push(id);
      return accept(id);
    };
    await puppet.friendshipPayload('friendship-zhao', { id: 'friendship-zhao', contactId: zhao.id, hello: `虎门 赵六 ${code}`, type: types.Friendship.Receive, timestamp: Date.now() } as never);
    puppet.emit('friendship', { friendshipId: 'friendship-zhao' });
    await waitFor(() => inbox.length > 0, 'the answer to the friend request');
    await channel.idle();
    expect(accepted).toEqual(['friendship-zhao']);
    expect(inbox.join('\n')).toContain('绑定成功');
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'wechat', externalId: zhao.id } }, include: { contact: true } });
    expect(identity.contact?.mobile).toBe(DEMO.humenEnterprise);
  });

  it('counts a friend request with a wrong code as a failed bind attempt, and still accepts it', async () => {
    const wu = mocker.createContact({ name: '吴九' });
    const inbox: string[] = [];
    onMessage(wu, (message) => void (message.talker().id === self.id && inbox.push(message.text() ?? '')));
    await puppet.friendshipPayload('friendship-wu', { id: 'friendship-wu', contactId: wu.id, hello: '石龙 吴九 WRNG2345', type: types.Friendship.Receive, timestamp: Date.now() } as never);
    puppet.emit('friendship', { friendshipId: 'friendship-wu' });
    await waitFor(() => inbox.length > 0, 'the answer to the friend request');
    await channel.idle();
    expect(inbox.join('\n')).toContain('邀请码不正确');
    const window = await bot.db.rateLimitWindow.findUniqueOrThrow({ where: { key: `bind:wechat:${wu.id}` } });
    expect(window.count).toBe(1);
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'wechat', externalId: wu.id } } });
    expect(identity.contactId).toBeNull();
  });

  it('says what arrived when a voice message or a picture comes, and asks for text', async () => {
    const qian = person('钱八');
    const replies = async (file: FileBox) => {
      const before = qian.inbox.length;
      qian.contact.say(file).to(self);
      await waitFor(() => qian.inbox.length > before, 'a reply to a file');
      await channel.idle();
      return qian.inbox.slice(before).join('\n');
    };
    expect(await replies(FileBox.fromUrl('https://example.invalid/voice.sil', { name: 'voice.sil' }))).toContain('暂时听不了语音，请打字发送');
    expect(await replies(FileBox.fromUrl('https://example.invalid/photo.png', { name: 'photo.png' }))).toContain('收到一张图片');
    expect(qian.inbox.join('\n')).not.toContain('空消息');
  });

  it('ignores group messages that do not mention it', async () => {
    const sun = person('孙七');
    const room = mocker.createRoom({ topic: '石龙镇服务点群', memberIdList: [self.id, sun.contact.id] });
    sun.contact.say('/help').to(room);
    // a private message afterwards is answered; the group one before it was not
    expect(await sun.say('/help')).toContain('您的身份');
    expect(sun.inbox.filter((t) => t.includes('您的身份'))).toHaveLength(1);
  });

  it('paces every outgoing message 2–4 s apart (here 3 s, with the injected randomness)', () => {
    expect(sleeps.length).toBeGreaterThan(5);
    for (const ms of sleeps) expect(ms).toBe(3000);
  });

  it('alerts the operators through the outbox after a logout, restarts the puppet, and the sender waits meanwhile', async () => {
    await puppet.logout();
    await waitFor(() => !channel.status().loggedIn, 'the logout');
    const alerts = await waitFor(async () => {
      const rows = await bot.db.outboxMessage.findMany({ where: { purpose: 'alert' }, include: { contact: { include: { servicePoint: true } } } });
      return rows.length >= 2 ? rows : null;
    }, 'alert rows');
    expect(alerts.every((a) => a.contact.servicePoint.level === 'subCenter')).toBe(true);
    expect(alerts[0]!.text).toContain('退出登录');
    expect(alerts[0]!.dedupeKey).toMatch(/^alert:wechat-logout:/);
    await expect(channel.sender.send('anyone', { text: '测试' })).rejects.toMatchObject({ kind: 'transient' } satisfies Partial<DeliveryError>);
    await waitFor(() => channel.status().restarts >= 1, 'a puppet restart');
    mocker.login(self);
    await waitFor(() => channel.status().loggedIn, 'the second login');
    const zhou = person('周八');
    expect(await zhou.say('/help')).toContain('您的身份');
  });

  it('records the logout once in the audit log, wakes the outbox once, and alerts once a minute however often it drops', async () => {
    const operators = await bot.db.contact.count({ where: { active: true, servicePoint: { level: 'subCenter', active: true } } });
    const logouts = () => bot.db.auditLog.findMany({ where: { action: 'channel.loggedOut' }, orderBy: { id: 'asc' } });
    const [first] = await waitFor(async () => ((await logouts()).length === 1 ? logouts() : null), 'the audit row of the first logout');
    expect(first!.entityId).toBe('wechat');
    expect(JSON.parse(first!.detail)).toMatchObject({ alerted: operators });
    await waitFor(() => outboxWakes === 1, 'the outbox woken');
    // logged out again within the same minute (the test's clock stands still): audited, no new alert rows
    await puppet.logout();
    await waitFor(() => !channel.status().loggedIn, 'the second logout');
    const second = await waitFor(async () => ((await logouts()).length === 2 ? logouts() : null), 'the audit row of the second logout');
    expect(JSON.parse(second[1]!.detail)).toMatchObject({ alerted: 0 });
    expect(await bot.db.outboxMessage.count({ where: { purpose: 'alert' } })).toBe(operators);
    expect(outboxWakes).toBe(1);
    await waitFor(() => channel.status().restarts >= 2, 'another puppet restart');
    mocker.login(self);
    await waitFor(() => channel.status().loggedIn, 'the third login');
  });
});
