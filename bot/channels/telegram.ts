// The Telegram channel (grammY). Every text, button press and shared contact becomes one
// IncomingMessage for the core; replies come back as messages with inline keyboards, a
// contact-request keyboard, or documents. Long polling through @grammyjs/runner by default, a
// webhook when TELEGRAM_WEBHOOK_URL is set; TELEGRAM_API_ROOT points it at another Bot API server
// (a local one, or telegram-test-api in the tests). Outgoing calls pass through the throttler
// (Telegram's 30/s overall, ~1/s per chat, 20/min per group) and a bounded auto-retry.
import { Api, Bot, InputFile, webhookCallback, type Context } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { autoRetry, type AutoRetryOptions } from '@grammyjs/auto-retry';
import { apiThrottler, type APIThrottlerOptions } from '@grammyjs/transformer-throttler';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Clock } from '../time.ts';
import type { Core } from '../core/pipeline.ts';
import type { AppConfig } from '../config.ts';
import { createHttpServer, type HttpServer } from '../http-server.ts';
import { roleOfChat } from '../core/identity.ts';
import type { ChannelSender, Choice, IncomingMessage, Reply, Role } from '../core/types.ts';
import { SHARE_PHONE_LABEL, callsForReply, choiceFromCallbackData, deliveryErrorFor, isHashedCallbackData, sharePhoneKeyboard } from './telegram-format.ts';

export type TelegramConfig = NonNullable<AppConfig['telegram']>;

export interface TelegramChannelDeps {
  config: TelegramConfig;
  core: Core;
  db: Db;
  clock: Clock;
  log: Logger;
  /** auto-retry options; by default 429s and server errors are retried a few times, then the outbox takes over */
  retry?: Partial<AutoRetryOptions>;
  throttle?: APIThrottlerOptions;
  /**
   * A Bot API server that does not hold getUpdates open (telegram-test-api, a misbehaving proxy)
   * answers an empty list at once; pausing then keeps the poller from spinning. Against Telegram an
   * empty answer only comes after the 30 s long-poll timeout, so the pause costs nothing there.
   */
  emptyPollPauseMs?: number;
  /** the bot's shared HTTP server (webhook mode); by default the channel starts its own on config.port */
  http?: HttpServer;
}

export interface TelegramChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
  sender: ChannelSender;
  bot: Bot;
  /** the webhook server's address once started in webhook mode (tests use port 0) */
  webhookAddress(): { port: number } | null;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/** getUpdates holds the connection open this long when there is nothing new (the runner's default) */
const LONG_POLL_SECONDS = 30;
/**
 * Any Bot API call that has not answered after this long is aborted and counts as failed (auto-retry
 * or the outbox tries again); grammY's default, 500 s, would let one hung request stall a chat for
 * minutes. It must stay above LONG_POLL_SECONDS, or every quiet getUpdates would be aborted.
 */
const API_TIMEOUT_SECONDS = 60;
/**
 * Updates handled at once. Updates of one chat still run one after another (sequentialize below);
 * across chats, database round trips overlap (on PostgreSQL up to the pool's connections).
 */
const SINK_CONCURRENCY = 500;
const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;
const MENU_RECHECK_MS = 10 * 60_000;
/** messages that may change who the chat is: /bind, /start (deep links carry codes), 绑定 */
const BIND_TEXT = /^\s*(\/(bind|start)\b|绑定)/i;

/** The command menu of a role, as Telegram accepts it (lower-case names, 1–256 character descriptions, at most 100). */
export function menuFor(core: Core, role: Role): BotCommand[] {
  return core
    .commandsFor(role)
    .filter((c) => COMMAND_NAME.test(c.name))
    .slice(0, 100)
    .map((c) => ({ command: c.name, description: c.description.slice(0, 256) || c.name }));
}

export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, core, db, log: baseLog } = deps;
  const log = baseLog.child({ channel: 'telegram' });
  const client = { timeoutSeconds: API_TIMEOUT_SECONDS, ...(config.apiRoot ? { apiRoot: config.apiRoot.replace(/\/+$/, '') } : {}) };
  const bot = new Bot(config.token, { client });
  /**
   * Proactive messages (the outbox: notices, reminders) go through their own Api with the throttler
   * (Telegram's 30/s overall for bulk sends, ~1/s per chat, 20/min per group). Replies to a person
   * who just wrote do not queue behind them: the throttler's shared 30/s budget would otherwise hold
   * every reply back for as long as a broadcast lasts, and cap answering at 30 people a second. A
   * reply that does meet a 429 is retried by auto-retry after Telegram's retry_after.
   */
  const outboxApi = new Api(config.token, client);
  const pauseMs = deps.emptyPollPauseMs ?? 200;

  // innermost first: the pause sees raw getUpdates answers; the throttler queues each attempt;
  // auto-retry (outermost) sends a retried call back through the throttler
  bot.api.config.use(async (prev, method, payload, signal) => {
    const started = Date.now();
    const result = await prev(method, payload, signal);
    if (method === 'getUpdates' && result.ok && Array.isArray(result.result) && result.result.length === 0 && Date.now() - started < 1000) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return result;
  });
  // 30 a second, evenly spaced: the default reservoir lets 30 go at once each second, and the jitter of
  // those bursts puts 31 into some 1-second window, which Telegram answers with 429
  outboxApi.config.use(apiThrottler(deps.throttle ?? { global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000, minTime: 34 } }));
  // bounded: auto-retry alone would retry network errors forever and hold an outbox lane; after a
  // few tries the error reaches the sender, which tells the outbox to try again later
  const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true, ...deps.retry });
  bot.api.config.use(retry);
  outboxApi.config.use(retry);

  /** role whose command menu this chat currently shows, as far as this process knows */
  const menuShown = new Map<string, Role>();

  async function send(api: Api, chatId: string, reply: Reply, options: { afterContact?: boolean } = {}): Promise<void> {
    for (const call of callsForReply(reply, options)) {
      if (call.method === 'sendMessage') {
        await api.sendMessage(chatId, call.text, call.reply_markup ? { reply_markup: call.reply_markup } : {});
      } else {
        await api.sendDocument(chatId, new InputFile(Buffer.from(call.content), call.filename), call.caption ? { caption: call.caption } : {});
      }
    }
  }

  /** when this process last read the chat's role; reading it after every message cost a third of a report's queries */
  const menuCheckedAt = new Map<string, number>();

  /**
   * After binding (or unbinding) a chat sees the commands of its new role in Telegram's menu. The
   * role is read again after a message that may bind, and otherwise at most every MENU_RECHECK_MS
   * (a contact deactivated by a directory import loses menu entries then; the core refuses the
   * commands at once either way).
   */
  async function syncChatMenu(chatId: string, mayBind: boolean, roleSeen: Role | undefined): Promise<void> {
    const checked = menuCheckedAt.get(chatId);
    const now = Date.now();
    // an unknown chat is the one that binds, possibly over several messages: always read again
    const shown = menuShown.get(chatId);
    if (!mayBind && shown !== undefined && shown !== 'unknown' && checked !== undefined && now - checked < MENU_RECHECK_MS) return;
    menuCheckedAt.set(chatId, now);
    // the core has just read the chat's role for this message; a message that may bind (or a chat
    // still unknown, which binds) can have changed it since, so only then is it read again
    const role = !mayBind && roleSeen !== undefined && roleSeen !== 'unknown' ? roleSeen : await roleOfChat(db, 'telegram', chatId);
    if (shown === role || (shown === undefined && role === 'unknown')) {
      menuShown.set(chatId, role);
      return;
    }
    await bot.api.setMyCommands(menuFor(core, role), { scope: { type: 'chat', chat_id: Number(chatId) } });
    menuShown.set(chatId, role);
  }

  async function handle(ctx: Context, message: Omit<IncomingMessage, 'channel' | 'chatId'>, options: { afterContact?: boolean } = {}): Promise<void> {
    const chatId = String(ctx.chat!.id);
    const displayName = [ctx.from?.first_name, ctx.from?.last_name].filter(Boolean).join(' ') || ctx.from?.username;
    let roleSeen: Role | undefined;
    const replies = await core.handleMessage({ channel: 'telegram', chatId, ...(displayName ? { displayName } : {}), ...message }, {
      onActor: (actor) => {
        roleSeen = actor.role;
      },
    });
    for (const reply of replies) await send(bot.api, chatId, reply, options);
    const mayBind = message.fact?.kind === 'sharedPhone' || (message.choice ?? '').startsWith('bind:') || BIND_TEXT.test(message.text ?? '');
    await syncChatMenu(chatId, mayBind, roleSeen).catch((error: unknown) => log.warn({ chat_id: chatId, err: error }, 'could not update the chat’s command menu'));
  }

  // one update per chat at a time: a chat's dialogue state must not be read by two handlers at once
  bot.use(sequentialize((ctx: Context) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));

  bot.on('callback_query:data', async (ctx) => {
    // answered first and always, so the button stops spinning even when handling fails
    await ctx.answerCallbackQuery().catch((error: unknown) => log.warn({ err: error }, 'answerCallbackQuery failed'));
    if (!ctx.chat || ctx.chat.type !== 'private') return;
    // a pressed keyboard goes away, so a confirmation cannot be pressed twice by accident
    const pressed = ctx.callbackQuery.message?.message_id;
    if (pressed !== undefined) await bot.api.editMessageReplyMarkup(ctx.chat.id, pressed).catch(() => undefined);
    const data = ctx.callbackQuery.data;
    let choices: Choice[] = [];
    // only a hashed long value needs the offered choices; most buttons carry the value itself
    if (isHashedCallbackData(data)) {
      const offered = await db.conversation.findUnique({ where: { channel_chatId: { channel: 'telegram', chatId: String(ctx.chat.id) } }, select: { choices: true } });
      try {
        choices = offered ? (JSON.parse(offered.choices) as Choice[]) : [];
      } catch {
        choices = [];
      }
    }
    await handle(ctx, { choice: choiceFromCallbackData(data, choices) });
  });

  bot.on('message', async (ctx) => {
    const chat = ctx.chat;
    if (chat.type !== 'private') {
      // a group chat is not a person: binding it to a directory contact would leak their messages
      if (ctx.message.text?.startsWith('/')) await ctx.reply('请私聊我使用：点击我的头像，发送 /start。群聊中我不处理消息。').catch(() => undefined);
      return;
    }
    const contact = ctx.message.contact;
    if (contact) {
      if (contact.user_id !== undefined && contact.user_id === ctx.from.id) {
        await handle(ctx, { fact: { kind: 'sharedPhone', phone: contact.phone_number }, text: '' }, { afterContact: true });
      } else {
        // a forwarded card proves nothing about who is writing
        await bot.api.sendMessage(String(chat.id), `只能用您本人的手机号绑定：请点击下方“${SHARE_PHONE_LABEL}”按钮（不要发送别人的名片），或发送“/bind 邀请码”。`, { reply_markup: sharePhoneKeyboard });
      }
      return;
    }
    await handle(ctx, { text: ctx.message.text ?? ctx.message.caption ?? '' });
  });

  bot.catch((error) => {
    const ctx = error.ctx;
    log.error({ err: error.error, update_id: ctx.update.update_id, chat_id: ctx.chat?.id }, 'telegram update handling failed');
  });

  const sender: ChannelSender = {
    channel: 'telegram',
    async send(chatId, reply) {
      try {
        await send(outboxApi, chatId, reply);
      } catch (error) {
        throw deliveryErrorFor(error);
      }
    },
  };

  let runner: RunnerHandle | null = null;
  let server: HttpServer | null = null;

  async function setDefaultMenu(): Promise<void> {
    try {
      await bot.api.setMyCommands(menuFor(core, 'unknown'));
    } catch (error) {
      log.warn({ err: error }, 'setMyCommands failed; the command menu stays as it was');
    }
  }

  async function startWebhook(webhookUrl: string): Promise<void> {
    const path = new URL(webhookUrl).pathname;
    const handleUpdate = webhookCallback(bot, 'http', { secretToken: config.webhookSecret, onTimeout: 'return', timeoutMilliseconds: 9000 });
    server = deps.http ?? createHttpServer({ port: config.port, log });
    server.route('POST', path, (req, res) => handleUpdate(req, res));
    await server.start();
    await bot.api.setWebhook(webhookUrl, { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
    log.info({ port: server.address()?.port, path }, 'telegram webhook listening');
  }

  return {
    bot,
    sender,
    async start() {
      await bot.init();
      log.info({ username: bot.botInfo.username, apiRoot: config.apiRoot ?? 'https://api.telegram.org' }, 'telegram bot connected');
      await setDefaultMenu();
      if (config.webhookUrl) {
        await startWebhook(config.webhookUrl);
        return;
      }
      // a webhook left over from another deployment would make getUpdates fail with 409
      await bot.api.deleteWebhook();
      runner = run(bot, { sink: { concurrency: SINK_CONCURRENCY }, runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: LONG_POLL_SECONDS } } });
      log.info('telegram long polling started');
    },
    async stop() {
      if (runner?.isRunning()) await runner.stop();
      runner = null;
      // a shared server is stopped by whoever made it (bot/main.ts)
      if (server && server !== deps.http) await server.stop();
      server = null;
      log.info('telegram channel stopped');
    },
    webhookAddress() {
      return server?.address() ?? null;
    },
  };
}
