// The Telegram channel (grammY). Every text, button press and shared contact becomes one
// IncomingMessage for the core; replies come back as messages with inline keyboards, a
// contact-request keyboard, or documents. Long polling through @grammyjs/runner by default, a
// webhook when TELEGRAM_WEBHOOK_URL is set; TELEGRAM_API_ROOT points it at another Bot API server
// (a local one, or telegram-test-api in the tests). Outgoing calls pass through the throttler
// (Telegram's 30/s overall, ~1/s per chat, 20/min per group) and a bounded auto-retry.
import { createHash } from 'node:crypto';
import { Api, Bot, GrammyError, InputFile, type Context } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { autoRetry, type AutoRetryOptions } from '@grammyjs/auto-retry';
import { apiThrottler, type APIThrottlerOptions } from '@grammyjs/transformer-throttler';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Clock } from '../time.ts';
import type { ChatCore } from '../core/pipeline.ts';
import type { AppConfig } from '../config.ts';
import { createHttpServer, type HttpServer } from '../http-server.ts';
import { roleOfChat } from '../core/identity.ts';
import { menuDigestOf, recordMenuDigest } from '../db/identity-store.ts';
import { MAX_INCOMING_FILE_BYTES, type ChannelSender, type Choice, type IncomingDocument, type IncomingMessage, type Reply, type Role } from '../core/types.ts';
import { SHARE_PHONE_LABEL, callsForReply, choiceFromCallbackData, deliveryErrorFor, isHashedCallbackData, sharePhoneKeyboard } from './telegram-format.ts';
import { webhookHandler } from './telegram-webhook.ts';
import { botApiFetch } from './telegram-http.ts';
import { ChannelFatalError } from './channel-start.ts';

export type TelegramConfig = NonNullable<AppConfig['telegram']>;

export interface TelegramChannelDeps {
  config: TelegramConfig;
  core: ChatCore;
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

export type TelegramState = 'idle' | 'starting' | 'running' | 'stopped' | 'failed';

export interface TelegramChannel {
  /** connects (getMe), sets the menu, starts polling or the webhook; a ChannelFatalError when retrying cannot help */
  start(): Promise<void>;
  state(): TelegramState;
  stop(): Promise<void>;
  sender: ChannelSender;
  bot: Bot;
  /** the webhook server's address once started in webhook mode (tests use port 0) */
  webhookAddress(): { address: string; port: number } | null;
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
/** "/export@some_bot ...": a command addressed to a bot by name */
const ADDRESSED_COMMAND = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/;
/** a failing getUpdates is retried this often by the runner (its default doubles without bound) */
const POLL_RETRY_MS = 3_000;
/** while getUpdates keeps failing, one log line per this many failures (and the first, and the recovery) */
const POLL_FAILURE_LOG_EVERY = 20;

/** Whether a command names another bot than this one (Telegram's convention: it is not ours to answer). */
export function addressedToAnotherBot(text: string, username: string | undefined): boolean {
  const match = ADDRESSED_COMMAND.exec(text.trimStart());
  return Boolean(match && username && match[1]!.toLowerCase() !== username.toLowerCase());
}

/** 401: the token is wrong or revoked; 409: another getUpdates or a webhook holds this token. Retrying helps neither. */
export function fatalTelegramError(error: unknown): ChannelFatalError | null {
  if (!(error instanceof GrammyError)) return null;
  if (error.error_code === 401) return new ChannelFatalError('telegram', 'Telegram refuses the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN with @BotFather');
  if (error.error_code === 409) {
    return new ChannelFatalError(
      'telegram',
      /webhook/i.test(error.description) ? 'a webhook is set for this bot token (409 Conflict); polling is not possible until it is deleted' : 'another instance is polling this bot token (409 Conflict); only one process may poll a token, so Telegram polling stopped here',
    );
  }
  return null;
}

/** The command menu of a role, as Telegram accepts it (lower-case names, 1–256 character descriptions, at most 100). */
export function menuFor(core: ChatCore, role: Role): BotCommand[] {
  return core
    .commandsFor(role)
    .filter((c) => COMMAND_NAME.test(c.name))
    .slice(0, 100)
    .map((c) => ({ command: c.name, description: c.description.slice(0, 256) || c.name }));
}

/**
 * What a chat's stored menuDigest is compared with: the bot (another token is another bot, whose
 * menus were never set) and the menu's commands (a release that changes a role's commands sets them again).
 */
export function menuDigest(botId: number, menu: BotCommand[]): string {
  return createHash('sha256').update(JSON.stringify([botId, menu])).digest('base64url').slice(0, 22);
}

export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, core, db, log: baseLog } = deps;
  const log = baseLog.child({ channel: 'telegram' });
  const client = {
    timeoutSeconds: API_TIMEOUT_SECONDS,
    fetch: botApiFetch as unknown as typeof fetch,
    ...(config.apiRoot ? { apiRoot: config.apiRoot.replace(/\/+$/, '') } : {}),
  };
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
  let state: TelegramState = 'idle';
  let pollFailures = 0;

  // innermost first: the pause sees raw getUpdates answers; the throttler queues each attempt;
  // auto-retry (outermost) sends a retried call back through the throttler
  bot.api.config.use(async (prev, method, payload, signal) => {
    const started = Date.now();
    let result;
    try {
      result = await prev(method, payload, signal);
    } catch (error) {
      // the runner is silent (its own messages print the URL with the token): its retries are logged here
      if (method === 'getUpdates' && !signal?.aborted) {
        pollFailures += 1;
        if (pollFailures === 1 || pollFailures % POLL_FAILURE_LOG_EVERY === 0) {
          log.warn({ failures: pollFailures, retryInMs: POLL_RETRY_MS, err: error }, 'telegram getUpdates failed; retrying');
        }
      }
      throw error;
    }
    if (method === 'getUpdates' && pollFailures > 0) {
      log.info({ failures: pollFailures }, 'telegram getUpdates works again');
      pollFailures = 0;
    }
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
  const menuDigests = new Map<Role, string>();
  function digestOfMenu(role: Role): string {
    let digest = menuDigests.get(role);
    if (digest === undefined) {
      digest = menuDigest(bot.botInfo.id, menuFor(core, role));
      menuDigests.set(role, digest);
    }
    return digest;
  }

  async function send(api: Api, chatId: string, reply: Reply, options: { afterContact?: boolean } = {}): Promise<void> {
    for (const call of callsForReply(reply, options)) {
      if (call.method === 'sendMessage') {
        await api.sendMessage(chatId, call.text, call.reply_markup ? { reply_markup: call.reply_markup } : {});
      } else if (call.method === 'sendPhoto') {
        await api.sendPhoto(chatId, new InputFile(Buffer.from(call.content), call.filename), call.caption ? { caption: call.caption } : {});
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
  async function syncChatMenu(chatId: string, mayBind: boolean, roleSeen: Role | undefined, digestSeen: string | null | undefined): Promise<void> {
    const checked = menuCheckedAt.get(chatId);
    const now = Date.now();
    // an unknown chat is the one that binds, possibly over several messages: always read again
    const shown = menuShown.get(chatId);
    if (!mayBind && shown !== undefined && shown !== 'unknown' && checked !== undefined && now - checked < MENU_RECHECK_MS) return;
    menuCheckedAt.set(chatId, now);
    // the core has just read the chat's role for this message; a message that may bind (or a chat
    // still unknown, which binds) can have changed it since, so only then is it read again
    const role = !mayBind && roleSeen !== undefined && roleSeen !== 'unknown' ? roleSeen : await roleOfChat(db, 'telegram', chatId);
    // a chat this process has not seen yet shows what an earlier process set, as its digest says
    // (none set: the default menu, which is the unknown role's)
    let upToDate = shown === role;
    if (shown === undefined) {
      // read with the message when the core handled one (binding changes the role, not the digest)
      const stored = digestSeen !== undefined ? digestSeen : await menuDigestOf(db, 'telegram', chatId);
      upToDate = stored === null ? role === 'unknown' : stored === digestOfMenu(role);
    }
    if (upToDate) {
      menuShown.set(chatId, role);
      return;
    }
    await bot.api.setMyCommands(menuFor(core, role), { scope: { type: 'chat', chat_id: Number(chatId) } });
    menuShown.set(chatId, role);
    await recordMenuDigest(db, 'telegram', chatId, digestOfMenu(role));
  }

  async function handle(ctx: Context, message: Omit<IncomingMessage, 'channel' | 'chatId'>, options: { afterContact?: boolean } = {}): Promise<void> {
    const chatId = String(ctx.chat!.id);
    const displayName = [ctx.from?.first_name, ctx.from?.last_name].filter(Boolean).join(' ') || ctx.from?.username;
    let roleSeen: Role | undefined;
    let digestSeen: string | null | undefined;
    const replies = await core.handleMessage({ channel: 'telegram', chatId, ...(displayName ? { displayName } : {}), ...message }, {
      onActor: (actor, chat) => {
        roleSeen = actor.role;
        digestSeen = chat.menuDigest;
      },
    });
    try {
      for (const reply of replies) await send(bot.api, chatId, reply, options);
    } catch (error) {
      const delivery = deliveryErrorFor(error);
      if (delivery.kind !== 'unreachable') throw error;
      // the person blocked the bot (403) or the chat is gone: proactive messages stop trying it
      await db.channelIdentity.updateMany({ where: { channel: 'telegram', externalId: chatId, blockedAt: null }, data: { blockedAt: deps.clock.now() } });
      log.info({ chat_id: chatId, reason: delivery.message }, 'telegram chat unreachable on reply; marked blocked');
      return;
    }
    const mayBind = message.fact?.kind === 'sharedPhone' || (message.choice ?? '').startsWith('bind:') || BIND_TEXT.test(message.text ?? '');
    await syncChatMenu(chatId, mayBind, roleSeen, digestSeen).catch((error: unknown) => log.warn({ chat_id: chatId, err: error }, 'could not update the chat’s command menu'));
  }

  // one update per chat at a time: a chat's dialogue state must not be read by two handlers at once
  bot.use(sequentialize((ctx: Context) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));

  bot.on('callback_query:data', async (ctx) => {
    // answered first and always, so the button stops spinning even when handling fails; the two
    // calls run while the press is handled, not before it (two round trips off every press's reply)
    const answered = ctx.answerCallbackQuery().catch((error: unknown) => log.warn({ err: error }, 'answerCallbackQuery failed'));
    if (!ctx.chat || ctx.chat.type !== 'private') return answered;
    // a pressed keyboard goes away, so a confirmation cannot be pressed twice by accident
    const pressed = ctx.callbackQuery.message?.message_id;
    const removed = pressed !== undefined ? bot.api.editMessageReplyMarkup(ctx.chat.id, pressed).catch(() => undefined) : undefined;
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
    try {
      await handle(ctx, { choice: choiceFromCallbackData(data, choices) });
    } finally {
      await Promise.all([answered, removed]);
    }
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
    const text = ctx.message.text ?? ctx.message.caption ?? '';
    if (addressedToAnotherBot(text, bot.botInfo.username)) return;
    const document = ctx.message.document;
    if (document) {
      await handle(ctx, { text, document: await downloadDocument(document) });
      return;
    }
    await handle(ctx, { text });
  });

  /** A sent document, downloaded when it is small enough (the Bot API serves files up to 20 MB). */
  async function downloadDocument(document: { file_id: string; file_name?: string; mime_type?: string; file_size?: number }): Promise<IncomingDocument> {
    const meta = { filename: document.file_name ?? '文件', size: document.file_size ?? 0, ...(document.mime_type ? { mimeType: document.mime_type } : {}) };
    if (meta.size > MAX_INCOMING_FILE_BYTES) return { ...meta, missing: 'tooLarge' };
    try {
      const file = await bot.api.getFile(document.file_id);
      const root = config.apiRoot?.replace(/\/+$/, '') ?? 'https://api.telegram.org';
      const response = await fetch(`${root}/file/bot${config.token}/${file.file_path}`, { signal: AbortSignal.timeout(API_TIMEOUT_SECONDS * 1000) });
      if (!response.ok) throw new Error(`file download answered HTTP ${response.status}`);
      const content = new Uint8Array(await response.arrayBuffer());
      if (content.length > MAX_INCOMING_FILE_BYTES) return { ...meta, size: content.length, missing: 'tooLarge' };
      return { ...meta, size: content.length, content };
    } catch (error) {
      // the download URL holds the token: only the reason is logged
      log.warn({ reason: (error as Error).name === 'TimeoutError' ? 'timeout' : String((error as Error).message).replace(config.token, '<token>') }, 'telegram document download failed');
      return { ...meta, missing: 'downloadFailed' };
    }
  }

  bot.catch((error) => {
    const ctx = error.ctx;
    log.error({ err: error.error, update_id: ctx.update.update_id, chat_id: ctx.chat?.id }, 'telegram update handling failed');
  });

  const sender: ChannelSender = {
    channel: 'telegram',
    // while the channel connects (or after it failed or stopped) the outbox waits without using
    // attempts; a channel never started is a sender used on its own, and sends
    ready: () => state === 'running' || state === 'idle',
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
    if (!config.webhookSecret) throw new ChannelFatalError('telegram', 'TELEGRAM_WEBHOOK_SECRET is required in webhook mode');
    const handler = webhookHandler({
      secret: config.webhookSecret,
      log,
      // middleware errors go to bot.catch; what still rejects here is logged by the handler, answered 200
      handleUpdate: (update) => bot.handleUpdate(update as Parameters<Bot['handleUpdate']>[0]),
    });
    server = deps.http ?? createHttpServer({ port: config.port, ...(config.webhookHost ? { host: config.webhookHost } : {}), log });
    server.route('POST', path, handler);
    await server.start();
    await bot.api.setWebhook(webhookUrl, { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
    log.info({ host: config.webhookHost ?? 'every interface', port: config.port, path }, 'telegram webhook listening');
  }

  function startPolling(): void {
    runner = run(bot, {
      sink: { concurrency: SINK_CONCURRENCY },
      runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: LONG_POLL_SECONDS }, silent: true, retryInterval: POLL_RETRY_MS },
    });
    const current = runner;
    // the runner gives up on 401 and 409 (and after 15 hours of failures): one clear line, and this
    // channel stops; without this the rejection ended the process with a raw stack
    current.task()?.catch((error: unknown) => {
      if (runner !== current) return;
      runner = null;
      state = 'failed';
      const fatal = fatalTelegramError(error);
      if (fatal) log.error({ reason: fatal.message }, 'telegram channel stopped: ' + fatal.message);
      else log.error({ err: error }, 'telegram polling gave up; the telegram channel stopped');
    });
  }

  return {
    bot,
    sender,
    state: () => state,
    async start() {
      state = 'starting';
      try {
        // not bot.init(): it retries getMe forever and in silence; a failure here goes to the caller,
        // which logs it with the reason and tries again (bot/channels/channel-start.ts)
        if (!bot.isInited()) bot.botInfo = await bot.api.getMe();
        log.info({ username: bot.botInfo.username, apiRoot: config.apiRoot ?? 'https://api.telegram.org' }, 'telegram bot connected');
        await setDefaultMenu();
        if (config.webhookUrl) {
          await startWebhook(config.webhookUrl);
        } else {
          // a webhook left over from another deployment would make getUpdates fail with 409
          await bot.api.deleteWebhook();
          startPolling();
          log.info('telegram long polling started');
        }
        state = 'running';
      } catch (error) {
        state = 'failed';
        if (server) {
          const closing = server;
          server = null;
          if (closing !== deps.http) await closing.stop();
        }
        throw fatalTelegramError(error) ?? error;
      }
    },
    async stop() {
      state = 'stopped';
      const stopping = runner;
      runner = null;
      if (stopping?.isRunning()) await stopping.stop();
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
