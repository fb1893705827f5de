// How the Telegram adapter renders replies and reports failures, its webhook mode, and `npm start`
// as a real process against telegram-test-api.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../bot/channels/telegram.ts';
import { CALLBACK_DATA_LIMIT, callbackDataFor, callsForReply, choiceFromCallbackData, splitText } from '../../bot/channels/telegram-format.ts';
import { openDatabase } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { DeliveryError } from '../../bot/core/types.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { fail, ok, startBotApiStub, type BotApiStub } from './support/bot-api-stub.ts';
import { TEST_TOKEN, buttonsOf, freePort, startEmulator, textOf, type Emulator } from './support/telegram-emulator.ts';
import { waitFor } from './support/fixtures.ts';

describe('rendering a reply as Bot API calls', () => {
  it('puts choices on an inline keyboard of the last text piece', () => {
    const calls = callsForReply({ text: '请核对', choices: [{ label: '确认提交', value: 'report:confirm' }, { label: '修改', value: 'report:change' }] });
    expect(calls).toEqual([{ method: 'sendMessage', text: '请核对', reply_markup: { inline_keyboard: [[{ text: '确认提交', callback_data: 'report:confirm' }, { text: '修改', callback_data: 'report:change' }]] } }]);
  });

  it('asks for the phone number with a contact-request keyboard', () => {
    expect(callsForReply({ text: '您好', requestPhone: true })).toEqual([
      { method: 'sendMessage', text: '您好', reply_markup: { keyboard: [[{ text: '分享我的手机号', request_contact: true }]], resize_keyboard: true, one_time_keyboard: true } },
    ]);
  });

  it('sends a document with its caption after the text, or with the text as caption when it has none', () => {
    const content = new Uint8Array([1, 2, 3]);
    expect(callsForReply({ text: '导出完成', document: { filename: 'a.csv', content, caption: '10月' } }).map((c) => c.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(callsForReply({ text: '导出完成', document: { filename: 'a.csv', content } })).toEqual([{ method: 'sendDocument', filename: 'a.csv', content, caption: '导出完成' }]);
  });

  it('splits long texts at line breaks within Telegram’s 4096 characters', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第${i}行：${'字'.repeat(20)}`).join('\n');
    const pieces = splitText(text);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((p) => p.length <= 4096)).toBe(true);
    expect(pieces.join('\n')).toBe(text);
  });

  it('keeps callback_data within 64 bytes and finds a long choice again among the offered ones', () => {
    const long = { label: '确认', value: `notice:ack:${'长'.repeat(40)}` };
    const data = callbackDataFor(long.value);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
    expect(choiceFromCallbackData(data, [{ label: '别的', value: 'x:y' }, long])).toBe(long.value);
    expect(callbackDataFor('report:confirm')).toBe('report:confirm');
    expect(choiceFromCallbackData('report:confirm', [])).toBe('report:confirm');
  });
});

describe('the Telegram sender’s failures, as the outbox needs them', () => {
  let stub: BotApiStub;
  beforeAll(async () => {
    stub = await startBotApiStub();
  });
  afterAll(async () => {
    await stub?.close();
  });

  const channel = (retry = {}) =>
    createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: stub.apiRoot, port: 0 }, core: { handleMessage: async () => [], commandsFor: () => [] }, db: null as never, clock: { now: () => new Date() }, log: silentLogger, retry });

  it.each([
    ['403', fail(403, 'Forbidden: bot was blocked by the user'), 'unreachable', undefined],
    ['4031', fail(403, 'Forbidden: user is deactivated'), 'unreachable', undefined],
    ['400', fail(400, 'Bad Request: chat not found'), 'unreachable', undefined],
    ['4001', fail(400, 'Bad Request: message text is empty'), 'permanent', undefined],
    // a wait longer than auto-retry will sit out goes back to the outbox, with Telegram's wait
    ['429', fail(429, 'Too Many Requests: retry after 120', { retry_after: 120 }), 'transient', 120_000],
  ])('chat %s answering %j → %s', async (chatId, answer, kind, retryAfterMs) => {
    stub.answer('sendMessage', chatId, answer);
    const error = await channel().sender.send(chatId, { text: '通知' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).kind).toBe(kind);
    expect((error as DeliveryError).retryAfterMs).toBe(retryAfterMs);
  });

  it('reports a server error as transient (auto-retry told not to wait, as the outbox will)', async () => {
    stub.answer('sendMessage', '500', fail(500, 'Internal Server Error'));
    const error = await channel({ rethrowInternalServerErrors: true }).sender.send('500', { text: '通知' }).catch((e: unknown) => e);
    expect((error as DeliveryError).kind).toBe('transient');
  });

  it('reports an unreachable API server as transient', async () => {
    const closed = await freePort();
    const offline = createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: `http://127.0.0.1:${closed}`, port: 0 }, core: { handleMessage: async () => [], commandsFor: () => [] }, db: null as never, clock: { now: () => new Date() }, log: silentLogger });
    const error = await offline.sender.send('1', { text: '通知' }).catch((e: unknown) => e);
    expect((error as DeliveryError).kind).toBe('transient');
  });

  it('sits out a short 429 itself (auto-retry) and then delivers', async () => {
    stub.answer('sendMessage', '4291', fail(429, 'Too Many Requests: retry after 1', { retry_after: 1 }), 1);
    await channel().sender.send('4291', { text: '第二次就好' });
    const attempts = stub.calls.filter((c) => c.method === 'sendMessage' && c.body.chat_id === '4291');
    expect(attempts).toHaveLength(2);
  });
});

describe('webhook mode', () => {
  let stub: BotApiStub;
  let bot: TestBot;
  let port: number;
  let channel: ReturnType<typeof createTelegramChannel>;
  const secret = 'gxgc_webhook_secret-1';

  beforeAll(async () => {
    stub = await startBotApiStub();
    bot = await createTestBot({ provider: 'sqlite' });
    port = await freePort();
    channel = createTelegramChannel({
      config: { token: TEST_TOKEN, apiRoot: stub.apiRoot, webhookUrl: 'https://bot.example.org/telegram/hook', webhookSecret: secret, port },
      core: bot.core,
      db: bot.db,
      clock: bot.clock,
      log: silentLogger,
    });
    await channel.start();
  });
  afterAll(async () => {
    await channel?.stop();
    await stub?.close();
    await bot?.close();
  });

  const update = (id: number, text: string) => ({
    update_id: id,
    message: { message_id: id, date: 0, chat: { id: 8001, type: 'private', first_name: '测试' }, from: { id: 8001, is_bot: false, first_name: '测试' }, text, entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] },
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}/telegram/hook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('registers the webhook with its secret token', () => {
    const setWebhook = stub.calls.find((c) => c.method === 'setWebhook');
    expect(setWebhook?.body).toMatchObject({ url: 'https://bot.example.org/telegram/hook', secret_token: secret });
  });

  it('refuses calls without the right secret token, and answers those with it', async () => {
    expect((await post(update(1, '/help'))).status).toBe(401);
    expect((await post(update(2, '/help'), { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' })).status).toBe(401);
    expect(stub.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(0);
    expect((await post(update(3, '/help'), { 'X-Telegram-Bot-Api-Secret-Token': secret })).status).toBe(200);
    const reply = await waitFor(() => stub.calls.find((c) => c.method === 'sendMessage'), 'the reply to /help');
    expect(reply.body.chat_id).toBe('8001');
    expect(String(reply.body.text)).toContain('您的身份：未绑定用户');
  });
});

describe('npm start as a process against telegram-test-api', () => {
  let emulator: Emulator;
  let child: ChildProcess | null = null;
  let dir: string;
  let output = '';

  const run = (args: string[], env: Record<string, string>) =>
    spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'gxgc-process-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /help, binds by a shared phone number, takes a report, and stops cleanly on SIGTERM', async () => {
    const env = { DATABASE_URL: `file:${join(dir, 'bot.db')}` };
    const seed = run(['bot/cli.ts', 'db', 'seed', '--demo'], env);
    expect(await new Promise((resolve) => seed.once('exit', resolve))).toBe(0);

    child = run(['bot/main.ts'], { ...env, TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('telegram long polling started'), 'the bot to start', 30_000);

    const chat = emulator.chat(9001);
    await chat.command('/help');
    expect(textOf(await chat.receive())).toContain('您的身份：未绑定用户');
    await chat.shareContact(`+86${DEMO.humenVillage}`);
    expect(textOf(await chat.receive())).toContain('绑定成功');
    await chat.text('本月无新增');
    const confirm = buttonsOf(await chat.receive()).find((b) => b.text === '确认提交');
    expect(confirm).toBeDefined();
    await chat.press(confirm!.callback_data);
    expect(textOf(await chat.receive())).not.toContain('失效');

    const exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('gxgc-bot stopped');

    const database = openDatabase({ provider: 'sqlite', location: join(dir, 'bot.db') });
    try {
      const contact = await database.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenVillage } });
      expect(await database.db.monthlyReport.count({ where: { servicePointId: contact.servicePointId } })).toBe(1);
    } finally {
      await database.close();
    }
  });
});
