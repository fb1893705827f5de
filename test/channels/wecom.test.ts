// The WeCom channel end to end: the adapter built as in production, on the bot's HTTP server, talks
// to the WeCom stand-in over HTTP (gettoken, message/send, media/upload), and the stand-in posts
// signed, encrypted callbacks to /wecom/callback as WeCom does. The real core answers.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomChannel, type WecomChannel } from '../../bot/channels/wecom.ts';
import { createHttpServer, type HttpServer } from '../../bot/http-server.ts';
import { createLogger } from '../../bot/logger.ts';
import { silentLogger } from '../../bot/logger.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createNotice, releaseNotice } from '../../bot/db/notice-store.ts';
import { loadNoticeStatus, renderNoticeStatus } from '../../commands/notice/status.ts';
import { directoryOverview, formatOverview } from '../../commands/directory/store.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { callbackPoster, startWecomStandin, STANDIN_APP, type CallbackPoster, type WecomStandin } from './support/wecom-standin.ts';
import { contactByMobile, invitationFor, releaseNoticeToPointOf, waitFor } from './support/fixtures.ts';

const USERS = { stranger: 'wangwu', village: 'zhangsan', byColumn: 'LiSi', operator: 'admin01', town: 'zhaoliu' };

describe.each(TEST_PROVIDERS)('WeCom channel against the WeCom stand-in on %s', (provider) => {
  let standin: WecomStandin;
  let bot: TestBot;
  let http: HttpServer;
  let channel: WecomChannel;
  let wecom: CallbackPoster;
  const logs: string[] = [];

  const repliesTo = (user: string) => standin.to(user);
  async function nextReplies(user: string, before: number, count = 1) {
    await waitFor(() => repliesTo(user).length >= before + count, `${count} more message(s) to ${user}`);
    await channel.idle();
    return repliesTo(user).slice(before);
  }
  async function say(user: string, text: string, count = 1) {
    const before = repliesTo(user).length;
    expect((await wecom.text(user, text)).status).toBe(200);
    return nextReplies(user, before, count);
  }
  const texts = (messages: { msgtype: string; body: Record<string, unknown> }[]) => messages.map((m) => standin.textOf(m as never)).join('\n');

  beforeAll(async () => {
    standin = await startWecomStandin({ members: Object.values(USERS).map((u) => u.toLowerCase()) });
    bot = await createTestBot({ provider });
    const sink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
    const log = createLogger({ level: 'info', destination: sink });
    http = createHttpServer({ port: 0, log });
    channel = createWecomChannel({ config: { ...STANDIN_APP, apiRoot: standin.apiRoot }, core: bot.core, db: bot.db, clock: bot.clock, log, http });
    await channel.start();
    wecom = callbackPoster(`http://127.0.0.1:${http.address()!.port}/wecom/callback`);
  });

  afterAll(async () => {
    await channel?.stop();
    await http?.stop();
    await standin?.stop();
    await bot?.close();
  });

  it('passes WeCom’s URL verification by decrypting echostr', async () => {
    const answer = await wecom.verifyUrl();
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toBe(answer.echo);
  });

  it('answers /help', async () => {
    const text = texts(await say(USERS.stranger, '/help'));
    expect(text).toContain('您的身份：未绑定用户');
    expect(text).toContain('/bind');
  });

  it('binds by invitation code through /bind', async () => {
    const code = await invitationFor(bot.db, DEMO.shilongVillage1, bot.clock.now());
    expect(texts(await say(USERS.village, `/bind ${code}`))).toContain('绑定成功');
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'wecom', externalId: USERS.village } }, include: { contact: true } });
    expect(identity.contact?.mobile).toBe(DEMO.shilongVillage1);
  });

  it('binds a member whose directory row names their WeCom account on first contact, whatever the case', async () => {
    await bot.db.contact.update({ where: { mobile: DEMO.humenVillage }, data: { wecomUserId: 'lisi' } });
    expect(texts(await say(USERS.byColumn, '/whoami'))).toContain('您是：');
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'wecom', externalId: USERS.byColumn } }, include: { contact: true } });
    expect(identity.contact?.mobile).toBe(DEMO.humenVillage);
  });

  it('takes a monthly report confirmed with a card button, and marks the pressed card', async () => {
    const summary = await say(USERS.village, '本月无新增', 2);
    const card = summary.find((m) => m.msgtype === 'template_card')!;
    const confirm = standin.buttonsOf(card).find((b) => b.text === '确认提交');
    expect(confirm?.text).toBe('确认提交');
    const before = repliesTo(USERS.village).length;
    expect((await wecom.pressButton(USERS.village, confirm!.key)).status).toBe(200);
    expect(texts(await nextReplies(USERS.village, before))).not.toContain('失效');
    const contact = await contactByMobile(bot.db, DEMO.shilongVillage1);
    expect(await bot.db.monthlyReport.findFirst({ where: { servicePointId: contact.servicePointId, month: '2026-10' } })).not.toBeNull();
    await waitFor(() => standin.cardUpdates.length > 0, 'the pressed card updated');
    expect(standin.cardUpdates[0]).toMatchObject({ userids: [USERS.village], button: { replace_name: '已选择' } });
  });

  it('delivers a notice through the outbox with its 收到 button, which records the acknowledgement', async () => {
    const noticeId = await releaseNoticeToPointOf(bot.db, DEMO.shilongVillage1, bot.clock.now());
    const before = repliesTo(USERS.village).length;
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [channel.sender], instanceId: 'wecom-test' });
    expect((await worker.runOnce()).delivered).toBe(1);
    const delivered = repliesTo(USERS.village).slice(before);
    expect(texts(delivered)).toContain('2026年第四季度数字资源下发');
    const ack = delivered.flatMap((m) => standin.buttonsOf(m)).find((b) => b.text === '收到');
    expect(ack?.key).toBe(`notice:ack:${noticeId}`);
    const afterNotice = repliesTo(USERS.village).length;
    await wecom.pressButton(USERS.village, ack!.key);
    expect(texts(await nextReplies(USERS.village, afterNotice))).toContain('已确认收到');
    const contact = await contactByMobile(bot.db, DEMO.shilongVillage1);
    const recipient = await bot.db.noticeRecipient.findUniqueOrThrow({ where: { noticeId_contactId: { noticeId, contactId: contact.id } } });
    expect(recipient.acknowledgedAt).not.toBeNull();
  });

  it('sends a notice to many members in one call per message, each recipient’s outcome from invaliduser', async () => {
    // three contacts known only by the directory column (never wrote to the app); one of them is not in the app’s visible range
    const towns = await bot.db.contact.findMany({ where: { mobile: { in: [DEMO.guanchengTown, DEMO.shilongTown, DEMO.humenTown] } }, orderBy: { mobile: 'asc' } });
    const ids = ['zhaoliu', 'notamember1', 'zhaoliu2'];
    standin.members.add('zhaoliu2');
    for (const [i, contact] of towns.entries()) await bot.db.contact.update({ where: { id: contact.id }, data: { wecomUserId: ids[i] } });
    const notice = await createNotice(bot.db, { title: '镇级资源下发', body: '请各镇按时领取。', fetchMethod: null, fetchAddress: null, deadline: null, audience: { kind: 'level', values: ['town'] }, scheduledFor: null }, null, bot.clock.now());
    await releaseNotice(bot.db, notice.id, bot.clock.now());
    const callsBefore = standin.sendCalls.length;
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [channel.sender], instanceId: 'wecom-batch' });
    const summary = await worker.runOnce();
    expect(summary).toMatchObject({ delivered: 2, unreachable: 1 });
    const calls = standin.sendCalls.slice(callsBefore);
    // the notice's text, then its card: one call each, for all three
    expect(calls.map((c) => c.touser.length)).toEqual(calls.map(() => 3));
    const rows = await bot.db.outboxMessage.findMany({ where: { noticeId: notice.id }, include: { contact: true } });
    expect(rows.find((r) => r.contact.wecomUserId === 'notamember1')).toMatchObject({ status: 'unreachable', channel: 'wecom' });
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(2);
    // what operators see: per channel in /notice status, and in the directory summary
    expect(renderNoticeStatus((await loadNoticeStatus(bot.db, notice.id))!)).toContain('按渠道送达：企业微信 2');
    expect(formatOverview(await directoryOverview(bot.db))).toMatch(/按渠道：已绑定 企业微信 \d+.*；名录中填写企业微信账号 4 位/);
  });

  it('sends an export as a file uploaded with media/upload', async () => {
    const code = await invitationFor(bot.db, DEMO.operator, bot.clock.now());
    expect(texts(await say(USERS.operator, `/bind ${code}`))).toContain('绑定成功');
    const uploadsBefore = standin.uploads.length;
    const before = repliesTo(USERS.operator).length;
    await wecom.text(USERS.operator, '/export 2026-10');
    const received = await waitFor(async () => {
      await channel.idle();
      const got = repliesTo(USERS.operator).slice(before);
      return got.some((m) => m.msgtype === 'file') ? got : null;
    }, 'the export file');
    const upload = standin.uploads[uploadsBefore]!;
    expect(upload.filename).toMatch(/2026-10.*\.xlsx$/);
    expect(upload.bytes).toBeGreaterThan(1000);
    expect(received.find((m) => m.msgtype === 'file')!.body).toMatchObject({ file: { media_id: upload.mediaId } });
  });

  it('refuses a callback with a bad signature, and handles nothing', async () => {
    const before = standin.delivered.length;
    const signed = wecom.sign('<xml><ToUserName><![CDATA[x]]></ToUserName><FromUserName><![CDATA[wangwu]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/help]]></Content><MsgId>1</MsgId></xml>');
    expect((await wecom.raw({ ...signed.query, msg_signature: '0'.repeat(40) }, signed.body)).status).toBe(401);
    expect((await wecom.raw({ ...signed.query, nonce: 'changed' }, signed.body)).status).toBe(401);
    await channel.idle();
    expect(standin.delivered.length).toBe(before);
    expect(logs.some((l) => l.includes('wecom callback refused') && l.includes('"reason":"signature"'))).toBe(true);
  });

  it('refuses a replayed callback, a malformed body and an oversized one, each with a log line', async () => {
    const replay = await wecom.text(USERS.stranger, '/help', { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(replay.status).toBe(401);
    const signed = wecom.sign('<xml/>');
    expect((await wecom.raw(signed.query, '<xml><Encrypt><![CDATA[abc')).status).toBe(400);
    expect((await wecom.raw(signed.query, `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`)).status).toBe(413);
    expect((await wecom.raw(signed.query, signed.body.replace(/<Encrypt>.*<\/Encrypt>/, `<Encrypt><![CDATA[${Buffer.alloc(64).toString('base64')}]]></Encrypt>`))).status).toBe(401);
    for (const reason of ['stale', 'xml', 'size']) expect(logs.some((l) => l.includes('wecom callback refused') && l.includes(`"reason":"${reason}"`)), reason).toBe(true);
    // still serving
    expect(texts(await say(USERS.stranger, '/help'))).toContain('未绑定用户');
  });

  it('does not handle a callback WeCom retried twice', async () => {
    const before = repliesTo(USERS.stranger).length;
    const first = await wecom.text(USERS.stranger, '/whoami');
    await nextReplies(USERS.stranger, before);
    expect((await wecom.text(USERS.stranger, '/whoami', { msgId: first.msgId })).status).toBe(200);
    await say(USERS.stranger, '/help');
    const whoami = repliesTo(USERS.stranger).slice(before).filter((m) => standin.textOf(m).includes('还没有绑定'));
    expect(whoami).toHaveLength(1);
    expect(logs.some((l) => l.includes('wecom callback seen before'))).toBe(true);
  });

  it('answers nothing to an id WeCom will not deliver to, logs it, and keeps serving', async () => {
    expect((await wecom.text('ghost', '/help')).status).toBe(200);
    await waitFor(() => logs.some((l) => l.includes('wecom refused the reply')), 'the log line about the unknown user id');
    expect(standin.sendCalls.some((c) => c.touser.includes('ghost') && c.errcode === 81013)).toBe(true);
    expect(texts(await say(USERS.stranger, '/help'))).toContain('未绑定用户');
  });

  it('fetches a new access token when WeCom says the cached one expired', async () => {
    const issued = standin.tokensIssued();
    standin.expireTokens();
    expect(texts(await say(USERS.stranger, '/help'))).toContain('未绑定用户');
    expect(standin.tokensIssued()).toBe(issued + 1);
    expect(channel.api.tokensFetched()).toBe(issued + 1);
    expect(logs.some((l) => l.includes('wecom access token refused'))).toBe(true);
  });

  it('retries after a frequency limit, and WeCom’s duplicate check keeps a repeated request from showing twice', async () => {
    const noticeId = await releaseNoticeToPointOf(bot.db, DEMO.humenVillage, bot.clock.now(), '限频测试通知');
    standin.failSends(45009, 1);
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [channel.sender], instanceId: 'wecom-limits', baseBackoffMs: 0 });
    expect((await worker.runOnce()).retried).toBe(1);
    const row = await bot.db.outboxMessage.findFirstOrThrow({ where: { noticeId } });
    expect(row).toMatchObject({ status: 'pending' });
    expect(row.nextAttemptAt.getTime() - bot.clock.now().getTime()).toBe(60_000);
    bot.clock.advance(60_000);
    expect((await worker.runOnce()).delivered).toBe(1);
    const shown = () => standin.to('lisi').filter((m) => m.msgtype === 'text' && standin.textOf(m).includes('限频测试通知')).length;
    expect(shown()).toBe(1);
    // the same request again (a crash after sending, before recording): dropped by WeCom
    const last = standin.sendCalls.filter((c) => c.errcode === 0 && c.body.msgtype === 'text' && JSON.stringify(c.body).includes('限频测试通知')).at(-1)!;
    await channel.api.send(Object.fromEntries(Object.entries(last.body).filter(([k]) => k !== 'agentid')));
    expect(shown()).toBe(1);
  });
});
