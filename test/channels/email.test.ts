// E-mail end to end: notices and reminders to a contact with an address and no chat go through the
// real e-mail channel (nodemailer) to an SMTP server in this process, are parsed as a mail client
// would, and the acknowledgement link is opened and pressed in headless Chromium (Debian's).
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createEmailChannel, type EmailChannel } from '../../bot/channels/email.ts';
import { hashToken } from '../../bot/channels/email/ack-links.ts';
import { createHttpServer, type HttpServer } from '../../bot/http-server.ts';
import { silentLogger } from '../../bot/logger.ts';
import { createOutboxWorker, enqueueOutbox } from '../../scheduler/outbox.ts';
import { createNotice, releaseNotice } from '../../bot/db/notice-store.ts';
import { loadNoticeStatus, renderNoticeStatus } from '../../commands/notice/status.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { startSmtp, type TestSmtp } from './support/smtp.ts';

const CHROMIUM = process.env.GXGC_CHROMIUM ?? '/usr/bin/chromium';
const ADDRESS = { enterprise: 'chu@example.cn', school: 'zheng@example.cn' };

describe.each(TEST_PROVIDERS)('e-mail channel through a real SMTP server on %s', (provider) => {
  let bot: TestBot;
  let smtp: TestSmtp;
  let http: HttpServer;
  let email: EmailChannel;
  let browser: Browser;

  const worker = () => createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [email.sender], instanceId: `email-${provider}`, baseBackoffMs: 0 });
  const linkIn = (text: string) => /https?:\/\/\S+\/ack\/[A-Za-z0-9_-]+/.exec(text)?.[0];

  async function noticeTo(mobile: string, title: string) {
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile } });
    const notice = await createNotice(
      bot.db,
      { title, body: '请各服务点于截止日前到市支中心领取移动硬盘，或通过 VPN 下载。', fetchMethod: 'hardDisk', fetchAddress: null, deadline: '2026-11-20', audience: { kind: 'points', values: [contact.servicePointId] }, scheduledFor: null },
      null,
      bot.clock.now(),
    );
    await releaseNotice(bot.db, notice.id, bot.clock.now());
    return { noticeId: notice.id, contactId: contact.id };
  }

  beforeAll(async () => {
    bot = await createTestBot({ provider });
    await bot.db.contact.update({ where: { mobile: DEMO.humenEnterprise }, data: { email: ADDRESS.enterprise } });
    await bot.db.contact.update({ where: { mobile: DEMO.shilongSchool }, data: { email: ADDRESS.school } });
    smtp = await startSmtp();
    http = createHttpServer({ port: 0, log: silentLogger });
    await http.start();
    const publicUrl = `http://127.0.0.1:${http.address()!.port}`;
    email = createEmailChannel({ config: { smtpUrl: smtp.url, from: '东莞图书馆 <gxgc@dglib.cn>' }, db: bot.db, clock: bot.clock, log: silentLogger, http, publicUrl });
    await email.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await email?.stop();
    await http?.stop();
    await smtp?.stop();
    await bot?.close();
  });

  it('mails a notice to a contact with an address and no chat, in Chinese a mail client reads', async () => {
    const { noticeId } = await noticeTo(DEMO.humenEnterprise, '2026年第四季度数字资源下发');
    expect(await worker().runOnce()).toMatchObject({ delivered: 1 });
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual([ADDRESS.enterprise]);
    expect(mail.parsed.subject).toBe('【东莞市文化共享工程】资源发放通知：2026年第四季度数字资源下发');
    expect(mail.parsed.from?.text).toContain('东莞图书馆');
    // encoded so that clients which do not assume UTF-8 still decode it: RFC 2047 subject, charset on the body
    expect(mail.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(mail.raw).toMatch(/charset=utf-8/i);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('请各服务点于截止日前到市支中心领取移动硬盘');
    expect(text).toContain('领取截止：2026年11月20日');
    expect(text).not.toContain('回复“收到”');
    expect(linkIn(text)).toBeDefined();
    expect(String(mail.parsed.html)).toContain('确认收到');
    const row = await bot.db.outboxMessage.findFirstOrThrow({ where: { noticeId } });
    expect(row).toMatchObject({ status: 'delivered', channel: 'email', externalId: ADDRESS.enterprise });
    expect(renderNoticeStatus((await loadNoticeStatus(bot.db, noticeId))!)).toContain('按渠道送达：电子邮件 1');
  });

  it('keeps only a hash of the link’s token, which is long and random', async () => {
    const link = linkIn(smtp.received.at(-1)!.parsed.text ?? '')!;
    const token = link.split('/ack/')[1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await bot.db.ackLink.findMany();
    expect(stored.map((s) => s.tokenHash)).toContain(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('records the acknowledgement when the person presses the button on the link’s page in a browser', async () => {
    const link = linkIn(smtp.received.at(-1)!.parsed.text ?? '')!;
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenEnterprise } });
    const recipient = () => bot.db.noticeRecipient.findFirstOrThrow({ where: { contactId: contact.id } });
    const page = await browser.newPage();
    try {
      await page.goto(link);
      expect(await page.textContent('h1')).toBe('确认收到通知');
      expect(await page.textContent('body')).toContain('褚企联，请确认您已收到《2026年第四季度数字资源下发》');
      // opening the link alone (a mail scanner does) records nothing
      expect((await recipient()).acknowledgedAt).toBeNull();
      await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
      expect(await page.textContent('h1')).toBe('已确认收到');
      expect(await page.textContent('#result')).toContain('您已确认收到《2026年第四季度数字资源下发》');
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: `test-results/email-ack-${provider}.png` });
      expect((await recipient()).acknowledgedAt).not.toBeNull();
      // the link again: says so, changes nothing
      await page.goto(link);
      expect(await page.textContent('h1')).toBe('已确认收到');
    } finally {
      await page.close();
    }
  });

  it('refuses a changed token and, after the deadline, an expired link, in Chinese', async () => {
    await noticeTo(DEMO.shilongSchool, '过期测试通知');
    await worker().runOnce();
    const link = linkIn(smtp.received.at(-1)!.parsed.text ?? '')!;
    const page = await browser.newPage();
    try {
      const forged = link.slice(0, -4) + (link.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const response = await page.goto(forged);
      expect(response?.status()).toBe(404);
      expect(await page.textContent('h1')).toBe('链接无效');
      bot.clock.set('2026-11-21T00:00:00Z');
      expect((await page.goto(link))?.status()).toBe(410);
      expect(await page.textContent('body')).toContain('《过期测试通知》的确认链接已过期');
    } finally {
      await page.close();
      bot.clock.set('2026-11-02T02:00:00Z');
    }
  });

  it('mails a reporting reminder without a link, retries a 4xx and gives up on a refused address', async () => {
    const contacts = await bot.db.contact.findMany({ where: { mobile: { in: [DEMO.humenEnterprise, DEMO.shilongSchool] } } });
    const enterprise = contacts.find((c) => c.mobile === DEMO.humenEnterprise)!;
    const school = contacts.find((c) => c.mobile === DEMO.shilongSchool)!;
    smtp.refuse(ADDRESS.school, 450);
    await enqueueOutbox(
      bot.db,
      contacts.map((c) => ({ dedupeKey: `test:reminder:${c.id}`, contactId: c.id, purpose: 'reportReminder' as const, text: '【月报提醒】请在本月5日前报送2026年10月的数据。' })),
      bot.clock.now(),
    );
    expect(await worker().runOnce()).toMatchObject({ delivered: 1, retried: 1 });
    const reminder = smtp.received.at(-1)!;
    expect(reminder.to).toEqual([ADDRESS.enterprise]);
    expect(reminder.parsed.subject).toBe('【东莞市文化共享工程】月报提醒：请在本月5日前报送2026年10月的数据。');
    expect(linkIn(reminder.parsed.text ?? '')).toBeUndefined();
    expect(await bot.db.outboxMessage.findFirstOrThrow({ where: { dedupeKey: `test:reminder:${school.id}` } })).toMatchObject({ status: 'pending' });
    smtp.refuse(ADDRESS.school, 550);
    expect(await worker().runOnce()).toMatchObject({ unreachable: 1 });
    const row = await bot.db.outboxMessage.findFirstOrThrow({ where: { dedupeKey: `test:reminder:${school.id}` } });
    expect(row.status).toBe('unreachable');
    expect(row.lastError).toContain('550');
    expect(enterprise.id).not.toBe(school.id);
  });
});
