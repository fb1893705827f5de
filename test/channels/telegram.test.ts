// The Telegram channel end to end over HTTP against telegram-test-api: the bot is built by the same
// factory as in production, polling with @grammyjs/runner through the throttler and auto-retry;
// only the API root differs. People write, share their phone number and press buttons through the
// emulator's client API; the real core answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bot/channels/telegram.ts';
import { silentLogger, createLogger } from '../../bot/logger.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { TEST_TOKEN, buttonsOf, startEmulator, textOf, type Emulator } from './support/telegram-emulator.ts';
import { contactByMobile, invitationFor, releaseNoticeToPointOf, waitFor } from './support/fixtures.ts';

/** Telegram user ids of the people in these tests (in private chats the chat id is the user id). */
const USERS = { stranger: 7001, village: 7002, villageByCode: 7003, impostor: 7004, operator: 7005 };

describe.each(TEST_PROVIDERS)('Telegram channel against telegram-test-api on %s', (provider) => {
  let emulator: Emulator;
  let bot: TestBot;
  let channel: TelegramChannel;

  beforeAll(async () => {
    emulator = await startEmulator();
    bot = await createTestBot({ provider });
    channel = createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: emulator.apiRoot, port: 0 }, core: bot.core, db: bot.db, clock: bot.clock, log: process.env.DEBUG_TG ? createLogger({ level: "debug" }) : silentLogger });
    await channel.start();
  });

  afterAll(async () => {
    await channel?.stop();
    await emulator?.stop();
    await bot?.close();
  });

  it('sets the Chinese command menu for people who are not bound yet', () => {
    const menu = emulator.menus.find((m) => !m.scope);
    expect(menu?.commands.map((c) => c.command)).toEqual(expect.arrayContaining(['help', 'bind']));
    expect(menu?.commands.find((c) => c.command === 'help')?.description).toBe('查看可以做什么');
    expect(menu?.commands.map((c) => c.command)).not.toContain('export');
  });

  it('answers /help', async () => {
    const chat = emulator.chat(USERS.stranger);
    await chat.command('/help');
    const text = textOf(await chat.receive());
    expect(text).toContain('您的身份：未绑定用户');
    expect(text).toContain('/bind');
  });

  it('offers a contact-request button on /start and binds by one’s own shared phone number', async () => {
    const chat = emulator.chat(USERS.village);
    await chat.command('/start');
    const [greeting] = await chat.receive();
    expect(greeting!.reply_markup?.keyboard?.[0]?.[0]).toEqual({ text: '分享我的手机号', request_contact: true });
    await chat.shareContact(`+86${DEMO.shilongVillage1}`);
    const [bound] = await chat.receive();
    expect(bound!.text).toContain('绑定成功');
    expect(bound!.reply_markup?.remove_keyboard).toBe(true);
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'telegram', externalId: String(USERS.village) } }, include: { contact: true } });
    expect(identity.contact?.mobile).toBe(DEMO.shilongVillage1);
    // the chat's menu now lists what a bound village contact may do (set just after the reply)
    const menu = await waitFor(() => emulator.menus.find((m) => m.scope?.type === 'chat' && m.scope.chat_id === USERS.village), 'the chat’s menu');
    expect(menu.commands.map((c) => c.command)).toContain('report');
  });

  it('does not bind by someone else’s forwarded contact card', async () => {
    const chat = emulator.chat(USERS.impostor);
    await chat.shareContact(`+86${DEMO.shilongTown}`, 424242);
    const text = textOf(await chat.receive());
    expect(text).toContain('只能用您本人的手机号绑定');
    const identity = await bot.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: 'telegram', externalId: String(USERS.impostor) } } });
    expect(identity?.contactId ?? null).toBeNull();
  });

  it('binds by invitation code', async () => {
    const chat = emulator.chat(USERS.villageByCode);
    const code = await invitationFor(bot.db, DEMO.guanchengVillage1, bot.clock.now());
    await chat.command(`/bind ${code}`);
    expect(textOf(await chat.receive())).toContain('绑定成功');
    const identity = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'telegram', externalId: String(USERS.villageByCode) } }, include: { contact: true } });
    expect(identity.contact?.mobile).toBe(DEMO.guanchengVillage1);
  });

  it('takes a monthly report confirmed with an inline keyboard button', async () => {
    const chat = emulator.chat(USERS.village);
    await chat.text('本月无新增');
    const summary = await chat.receive();
    const confirm = buttonsOf(summary).find((b) => b.text === '确认提交');
    expect(confirm?.callback_data).toMatch(/^report:@[0-9a-f]+\.\d+:confirm$/);
    await chat.press(confirm!.callback_data);
    const answer = textOf(await chat.receive());
    expect(answer).not.toContain('失效');
    const contact = await contactByMobile(bot.db, DEMO.shilongVillage1);
    const stored = await bot.db.monthlyReport.findFirst({ where: { servicePointId: contact.servicePointId, month: '2026-10' } });
    expect(stored).not.toBeNull();
  });

  it('delivers a notice through its sender with an acknowledgement button that records the acknowledgement', async () => {
    const chat = emulator.chat(USERS.village);
    const noticeId = await releaseNoticeToPointOf(bot.db, DEMO.shilongVillage1, bot.clock.now());
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [channel.sender], instanceId: 'telegram-test' });
    expect((await worker.runOnce()).delivered).toBe(1);
    const delivered = await chat.receive();
    expect(textOf(delivered)).toContain('2026年第四季度数字资源下发');
    const ack = buttonsOf(delivered).find((b) => b.text === '收到');
    expect(ack?.callback_data).toBe(`notice:ack:${noticeId}`);
    await chat.press(ack!.callback_data);
    expect(textOf(await chat.receive())).toContain('已确认收到');
    const contact = await contactByMobile(bot.db, DEMO.shilongVillage1);
    const recipient = await bot.db.noticeRecipient.findUniqueOrThrow({ where: { noticeId_contactId: { noticeId, contactId: contact.id } } });
    expect(recipient.acknowledgedAt).not.toBeNull();
  });

  it('sends an export as a document', async () => {
    const chat = emulator.chat(USERS.operator);
    await chat.shareContact(DEMO.operator);
    expect(textOf(await chat.receive())).toContain('绑定成功');
    await chat.command('/export 2026-10');
    // the explanation, then the file with its own caption
    const received = await chat.receive(2);
    expect(textOf(received)).toContain('2026年10月月报导出');
    const message = received.find((m) => m.document);
    expect(message!.document?.file_name).toMatch(/\.xlsx$/);
    const document = emulator.documents.find((d) => d.chatId === String(USERS.operator));
    expect(document?.filename).toBe(message!.document?.file_name);
    // an .xlsx file is a zip archive
    expect(document?.content.subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
