// Issue 18: what a hostile user or a broken network does to the Telegram channel. The bot token and
// the invitation codes must not reach a log line (the runner's fetch errors carry the token in the
// URL, grammY's errors carry it in ctx.api); a webhook answers 200 once it accepted an update, even
// when handling failed (Telegram would deliver it again), reads at most MAX_UPDATE_BYTES and listens
// where it is told; a second poller's 409 stops the channel with one line instead of an unhandled
// rejection; a 403 on a reply marks the chat blocked; a command addressed to another bot is not ours.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bot/channels/telegram.ts';
import { MAX_UPDATE_BYTES } from '../../bot/channels/telegram-webhook.ts';
import type { ChatCore } from '../../bot/core/pipeline.ts';
import type { IncomingMessage } from '../../bot/core/types.ts';
import { captureLogs } from '../support/log-capture.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { fail, ok, startBotApiStub, type BotApiStub } from '../channels/support/bot-api-stub.ts';
import { TEST_TOKEN, freePort } from '../channels/support/telegram-emulator.ts';
import { invitationFor, waitFor } from '../channels/support/fixtures.ts';

const SECRET = 'faults_webhook_secret-7';
const capture = captureLogs({ secrets: [TEST_TOKEN, SECRET] });
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
process.on('unhandledRejection', onRejection);
afterAll(() => {
  process.off('unhandledRejection', onRejection);
  capture.stop();
  capture.expectNoSecrets([TEST_TOKEN, SECRET]);
});

/** a core that records what reaches it, and fails on demand */
function recordingCore(failOn?: RegExp): ChatCore & { seen: IncomingMessage[] } {
  const seen: IncomingMessage[] = [];
  return {
    seen,
    async handleMessage(message: IncomingMessage) {
      seen.push(message);
      if (failOn && failOn.test(message.text ?? '')) throw new Error('the database went away');
      return [{ text: '好的' }];
    },
    commandsFor: () => [],
  } as unknown as ChatCore & { seen: IncomingMessage[] };
}

const update = (id: number, chatId: number, text: string) => ({
  update_id: id,
  message: { message_id: id, date: 0, chat: { id: chatId, type: 'private', first_name: '测试' }, from: { id: chatId, is_bot: false, first_name: '测试' }, text, ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}) },
});

describe('polling while the Bot API cannot be reached', () => {
  it('logs its retries through the logger, with the reason and without the token', async () => {
    const stub = await startBotApiStub();
    stub.answer('getUpdates', '', ok([]));
    const channel = createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: stub.apiRoot, port: 0 }, core: recordingCore(), db: null as never, clock: { now: () => new Date() }, log: capture.log, emptyPollPauseMs: 10 });
    await channel.start();
    await waitFor(() => stub.calls.some((c) => c.method === 'getUpdates'), 'the first getUpdates');
    await stub.close();
    const failure = await waitFor(() => capture.lines.find((l) => l.includes('telegram getUpdates failed')), 'a logged getUpdates failure');
    await channel.stop();
    expect(failure).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    expect(failure).toContain('[redacted');
    expect(capture.lines.some((l) => l.includes('[grammY runner]'))).toBe(false);
  });
});

describe('a second instance polling the same token (409)', () => {
  it('stops the Telegram channel with one clear line, and no unhandled rejection', async () => {
    const stub = await startBotApiStub();
    stub.answer('getUpdates', '', fail(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    const channel = createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: stub.apiRoot, port: 0 }, core: recordingCore(), db: null as never, clock: { now: () => new Date() }, log: capture.log });
    await channel.start();
    await waitFor(() => channel.state() === 'failed', 'the channel to stop');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = capture.lines.filter((l) => l.includes('another instance is polling this bot token'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, channel: 'telegram' });
    expect(rejections).toEqual([]);
    // the outbox waits for the channel instead of using up attempts
    expect(channel.sender.ready?.()).toBe(false);
    await channel.stop();
    await stub.close();
  });
});

describe('webhook mode against a failing handler', () => {
  let stub: BotApiStub;
  let channel: TelegramChannel;
  let core: ReturnType<typeof recordingCore>;
  let port: number;

  beforeAll(async () => {
    stub = await startBotApiStub();
    core = recordingCore(/^\/bind/);
    channel = createTelegramChannel({
      config: { token: TEST_TOKEN, apiRoot: stub.apiRoot, webhookUrl: 'https://bot.example.org/tg/hook', webhookSecret: SECRET, webhookHost: '127.0.0.1', port: 0 },
      core,
      db: null as never,
      clock: { now: () => new Date() },
      log: capture.log,
    });
    await channel.start();
    port = channel.webhookAddress()!.port;
  });
  afterAll(async () => {
    await channel?.stop();
    await stub?.close();
  });

  const post = (body: unknown, secret = SECRET) =>
    fetch(`http://127.0.0.1:${port}/tg/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('listens on the configured address only', () => {
    expect(channel.webhookAddress()).toMatchObject({ address: '127.0.0.1' });
  });

  it('answers 200 when handling fails, so Telegram does not run a /bind twice, and logs neither the text nor the token', async () => {
    const code = 'K7QM3XWP';
    const response = await post(update(501, 8201, `/bind ${code}`));
    expect(response.status).toBe(200);
    const line = await waitFor(() => capture.lines.find((l) => l.includes('handling failed') && l.includes('501')), 'the logged handling error');
    expect(line).toContain('the database went away');
    expect(line).not.toContain(code);
    expect(line).not.toContain('AAHtestToken');
    expect(core.seen.filter((m) => m.text?.includes(code))).toHaveLength(1);
  });

  it('refuses a body over the limit without reading it, whether its length is declared or not', async () => {
    const before = core.seen.length;
    const big = JSON.stringify({ ...update(502, 8202, '/help'), padding: 'x'.repeat(MAX_UPDATE_BYTES + 10) });
    expect((await post(big)).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/tg/hook', method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const piece = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < MAX_UPDATE_BYTES * 3) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    }).catch(() => 413);
    expect(chunked).toBe(413);
    expect(core.seen.length).toBe(before);
  });

  it('does not answer a command addressed to another bot, and answers one addressed to it', async () => {
    const before = core.seen.length;
    expect((await post(update(503, 8203, '/export@someone_else_bot 2026-10'))).status).toBe(200);
    expect((await post(update(504, 8203, '/help@gxgc_test_bot'))).status).toBe(200);
    await waitFor(() => core.seen.length > before, 'the /help');
    expect(core.seen.slice(before).map((m) => m.text)).toEqual(['/help@gxgc_test_bot']);
  });
});

describe.each(TEST_PROVIDERS)('a reply to a chat that blocked the bot on %s', (provider) => {
  let bot: TestBot;
  let stub: BotApiStub;
  let channel: TelegramChannel;
  let port: number;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
    stub = await startBotApiStub();
    port = await freePort();
    channel = createTelegramChannel({
      config: { token: TEST_TOKEN, apiRoot: stub.apiRoot, webhookUrl: 'https://bot.example.org/tg/hook', webhookSecret: SECRET, port },
      core: bot.core,
      db: bot.db,
      clock: bot.clock,
      log: capture.log,
    });
    await channel.start();
  });
  afterAll(async () => {
    await channel?.stop();
    await stub?.close();
    await bot?.close();
  });

  it('marks the chat blocked on a 403, so notices stop trying it', async () => {
    const chatId = 8301;
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenVillage } });
    await bot.db.channelIdentity.create({ data: { channel: 'telegram', externalId: String(chatId), contactId: contact.id, boundAt: bot.clock.now(), lastSeenAt: bot.clock.now() } });
    stub.answer('sendMessage', String(chatId), fail(403, 'Forbidden: bot was blocked by the user'));
    const response = await fetch(`http://127.0.0.1:${port}/tg/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET }, body: JSON.stringify(update(601, chatId, '/help')) });
    expect(response.status).toBe(200);
    const identity = await waitFor(async () => {
      const row = await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'telegram', externalId: String(chatId) } } });
      return row.blockedAt ? row : null;
    }, 'the chat to be marked blocked');
    expect(identity.blockedAt).not.toBeNull();
  });

  it('keeps a live invitation code out of the logs when a /bind reply fails', async () => {
    const code = await invitationFor(bot.db, DEMO.humenEnterprise, bot.clock.now());
    const chatId = 8302;
    stub.answer('sendMessage', String(chatId), fail(400, 'Bad Request: message text is empty'));
    await fetch(`http://127.0.0.1:${port}/tg/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET }, body: JSON.stringify(update(602, chatId, `/bind ${code}`)) });
    await waitFor(() => capture.lines.some((l) => l.includes('602')), 'the logged reply failure');
    expect(capture.lines.join('\n')).not.toContain(code);
  });
});
