// The WeChat channel (Wechaty). The puppet — the piece that actually talks to WeChat — is chosen
// by WECHATY_PUPPET (docs/channels.md says which exist, what they cost and what they risk); tests
// pass a wechaty-puppet-mock instance. Private text messages go to the core; choices are numbered
// options (render-text.ts). Every outgoing message, reply or proactive, waits its turn in one queue
// paced a few seconds apart with jitter, because WeChat restricts accounts that send like machines.
// A friend request is accepted here and reaches the core as a fact (with the greeting's invitation
// code); a logout is reported to the core, which alerts the operators, while the adapter restarts
// the puppet with backoff until someone scans the new login QR code.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileBox } from 'file-box';
import { WechatyBuilder, types, qrcodeValueToImageUrl, type Wechaty, type WechatyOptions } from 'wechaty';
import type { FriendshipInterface, MessageInterface } from 'wechaty/impls';
import type { Logger } from 'pino';
import type { Core } from '../core/pipeline.ts';
import type { AppConfig } from '../config.ts';
import { DeliveryError, MAX_INCOMING_FILE_BYTES, type ChannelSender, type IncomingDocument, type IncomingMessage, type MessageKind, type Reply } from '../core/types.ts';
import { nonTextReply } from '../core/non-text.ts';
import { CODE_ALPHABET, CODE_LENGTH } from '../../commands/directory/invitations.ts';
import { renderPlainText } from './render-text.ts';
import { splitText } from './telegram-format.ts';

export type WechatConfig = NonNullable<AppConfig['wechat']>;
export type PuppetInstance = Exclude<NonNullable<Extract<WechatyOptions, { puppet?: unknown }>['puppet']>, string>;

/** Wall-clock waiting for the pacing; tests pass one that returns at once and records. */
export interface PacingTimer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface WechatChannelDeps {
  config: WechatConfig;
  core: Core;
  log: Logger;
  /** a puppet instance instead of the one named in config (tests: new PuppetMock(...)) */
  puppet?: PuppetInstance;
  /** gap between two outgoing messages: uniformly random in [minMs, maxMs] (default 2–4 s) */
  pacing?: { minMs: number; maxMs: number };
  timer?: PacingTimer;
  random?: () => number;
  /** first wait after a logout before restarting the puppet, doubled each time up to maxMs */
  relogin?: { firstDelayMs: number; maxDelayMs: number };
  /** Wechaty's session file name (memory card); default data/gxgc-wechat, none with an injected puppet */
  sessionName?: string;
  /** where the login QR code is printed (default: standard output) */
  printQr?: (text: string) => void;
}

export interface WechatChannelStatus {
  loggedIn: boolean;
  /** puppet restarts after logouts since start */
  restarts: number;
}

export interface WechatChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
  sender: ChannelSender;
  wechaty: Wechaty;
  status(): WechatChannelStatus;
  /** resolves when every queued outgoing message has been sent (tests wait on it) */
  idle(): Promise<void>;
}

/** WeChat cuts long texts; shorter pieces also look less like a bulk sender. */
export const WECHAT_TEXT_LIMIT = 1500;
/** Messages older than this when they arrive (a backlog after re-login) are not answered in a burst. */
export const STALE_MESSAGE_SECONDS = 10 * 60;

const MEDIA_TYPES = new Set([types.Message.Image, types.Message.Audio, types.Message.Video, types.Message.Attachment, types.Message.Emoticon]);

function kindOf(type: number): MessageKind {
  switch (type) {
    case types.Message.Text: return 'text';
    case types.Message.Audio: return 'voice';
    case types.Message.Image: return 'image';
    case types.Message.Emoticon: return 'sticker';
    case types.Message.Video: return 'video';
    case types.Message.Attachment: return 'file';
    default: return 'other';
  }
}

const CODE_CHAR = `[${CODE_ALPHABET}]`;
const CODE_IN_TEXT = new RegExp(`(?<![A-Z0-9])(${CODE_CHAR}{${CODE_LENGTH / 2}})[\\s-]?(${CODE_CHAR}{${CODE_LENGTH / 2}})(?![A-Z0-9])`);

/** An invitation code in a friend request's greeting ("石龙镇张三 ABCD2345"), if there is one. */
export function invitationCodeIn(text: string): string | null {
  const match = CODE_IN_TEXT.exec(text.normalize('NFKC').toUpperCase());
  return match ? `${match[1]}${match[2]}` : null;
}

const realTimer: PacingTimer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

async function terminalQr(value: string): Promise<string> {
  // a dependency of ours (and of Wechaty's file-box); imported by name so its missing types do not matter, and without it the URL alone still works
  const moduleName = 'qrcode';
  try {
    const qrcode = (await import(moduleName)) as { default?: { toString(text: string, options: object): Promise<string> } };
    return (await qrcode.default?.toString(value, { type: 'terminal', small: true })) ?? '';
  } catch {
    return '';
  }
}

export function createWechatChannel(deps: WechatChannelDeps): WechatChannel {
  const { config, core } = deps;
  const log = deps.log.child({ channel: 'wechat' });
  const pacing = deps.pacing ?? { minMs: 2000, maxMs: 4000 };
  const timer = deps.timer ?? realTimer;
  const random = deps.random ?? Math.random;
  const relogin = deps.relogin ?? { firstDelayMs: 30_000, maxDelayMs: 30 * 60_000 };
  const printQr = deps.printQr ?? ((text: string) => void process.stdout.write(text));

  const sessionName = deps.puppet ? deps.sessionName : (deps.sessionName ?? 'data/gxgc-wechat');
  const options = deps.puppet
    ? { puppet: deps.puppet, ...(sessionName ? { name: sessionName } : {}) }
    : {
        name: sessionName,
        puppet: config.puppet,
        ...(config.puppetToken ? { puppetOptions: { token: config.puppetToken } } : {}),
      };
  const wechaty = WechatyBuilder.build(options as WechatyOptions);

  // ---- one paced queue for everything sent -----------------------------------------------------
  let queue: Promise<unknown> = Promise.resolve();
  let lastSentAt = Number.NEGATIVE_INFINITY;
  function paced<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      const gap = pacing.minMs + random() * (pacing.maxMs - pacing.minMs);
      const wait = gap - (timer.now() - lastSentAt);
      if (wait > 0) await timer.sleep(Math.round(wait));
      try {
        return await work();
      } finally {
        lastSentAt = timer.now();
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  async function deliver(chatId: string, reply: Reply): Promise<void> {
    const text = renderPlainText(reply);
    if (text.trim()) {
      for (const piece of splitText(text, WECHAT_TEXT_LIMIT)) await paced(() => wechaty.puppet.messageSendText(chatId, piece));
    }
    if (reply.document) {
      // base64, not a buffer box: a buffer FileBox cannot be serialised (toJSON), which puppets that
      // pass files on (the mock, a puppet service) need
      const file = FileBox.fromBase64(Buffer.from(reply.document.content).toString('base64'), reply.document.filename);
      await paced(() => wechaty.puppet.messageSendFile(chatId, file));
    }
    if (reply.image) {
      // a .png FileBox: puppets send an image file as a picture message
      const image = FileBox.fromBase64(Buffer.from(reply.image.content).toString('base64'), reply.image.filename);
      await paced(() => wechaty.puppet.messageSendFile(chatId, image));
    }
  }

  // ---- incoming ----------------------------------------------------------------------------------
  // a chat's messages are handled one after another, so its dialogue state is never read twice at once
  const chats = new Map<string, Promise<void>>();
  function inOrder(chatId: string, work: () => Promise<void>): Promise<void> {
    const next = (chats.get(chatId) ?? Promise.resolve()).then(work).catch((error: unknown) => log.error({ chat_id: chatId, err: error }, 'wechat message handling failed'));
    chats.set(chatId, next);
    void next.finally(() => {
      if (chats.get(chatId) === next) chats.delete(chatId);
    });
    return next;
  }

  async function answer(chatId: string, message: Pick<IncomingMessage, 'text' | 'displayName' | 'document' | 'fact'>): Promise<void> {
    const replies = await core.handleMessage({ channel: 'wechat', chatId, ...message });
    for (const reply of replies) await deliver(chatId, reply);
  }

  async function onMessage(message: MessageInterface): Promise<void> {
    if (message.self()) return;
    const room = message.room();
    if (room) {
      // a group is not a person: the bot answers in private only, and says so when addressed
      if (await message.mentionSelf()) await paced(() => room.say('请加我为好友后私聊我，发送 /help 查看可以做什么。群聊中我不处理消息。'));
      return;
    }
    const talker = message.talker();
    if (talker.type() === types.Contact.Official) return;
    const type = message.type();
    if (type !== types.Message.Text && !MEDIA_TYPES.has(type)) return;
    if (message.age() > STALE_MESSAGE_SECONDS) {
      log.info({ chat_id: talker.id, age: message.age() }, 'stale wechat message not answered');
      return;
    }
    // a file may be a directory to import: it reaches the core; other things without text are answered here
    if (type === types.Message.Attachment) {
      const document = await receiveFile(message);
      await inOrder(talker.id, () => answer(talker.id, { text: '', displayName: talker.name(), document }));
      return;
    }
    const kind = kindOf(type);
    if (kind !== 'text') {
      // no text to understand: say what arrived and ask for text, without a trip through the core
      await inOrder(talker.id, () => deliver(talker.id, { text: nonTextReply(kind) }));
      return;
    }
    await inOrder(talker.id, () => answer(talker.id, { text: message.text(), displayName: talker.name() }));
  }

  /** A file sent in the chat, read when it is small enough. */
  async function receiveFile(message: MessageInterface): Promise<IncomingDocument> {
    let filename = '文件';
    try {
      const box = await message.toFileBox();
      filename = box.name || filename;
      // a puppet that knows the size says so first; otherwise the bytes are counted once read
      if (box.size > MAX_INCOMING_FILE_BYTES) return { filename, size: box.size, missing: 'tooLarge' };
      const content = new Uint8Array(await box.toBuffer());
      if (content.length > MAX_INCOMING_FILE_BYTES) return { filename, size: content.length, missing: 'tooLarge' };
      return { filename, size: content.length, content };
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'wechat file could not be read');
      return { filename, size: 0, missing: 'downloadFailed' };
    }
  }

  async function onFriendship(friendship: FriendshipInterface): Promise<void> {
    if (friendship.type() !== types.Friendship.Receive) return;
    const contact = friendship.contact();
    const code = invitationCodeIn(friendship.hello());
    // the greeting is not logged: it carries the invitation code
    log.info({ chat_id: contact.id, withCode: code !== null }, 'wechat friend request received');
    // everyone is accepted: strangers may only ask public questions, and binding needs an invitation code
    await paced(() => friendship.accept());
    // the core decides what the request means: a bind with its code (counted like /bind), or a greeting
    await inOrder(contact.id, () => answer(contact.id, { displayName: contact.name(), fact: { kind: 'friendRequest', code } }));
  }

  // ---- login, logout, re-login ------------------------------------------------------------------
  let stopped = false;
  let restarts = 0;
  let reloginDelay = relogin.firstDelayMs;
  let reloginTimer: NodeJS.Timeout | null = null;

  function scheduleRelogin(): void {
    if (stopped) return;
    if (reloginTimer) clearTimeout(reloginTimer);
    const delay = reloginDelay;
    reloginTimer = setTimeout(() => {
      reloginTimer = null;
      if (stopped || wechaty.isLoggedIn) return;
      restarts += 1;
      log.warn({ attempt: restarts, afterMs: delay }, 'wechat still logged out; restarting the puppet for a new login');
      reloginDelay = Math.min(reloginDelay * 2, relogin.maxDelayMs);
      void (async () => {
        try {
          await wechaty.stop();
          if (!stopped) await wechaty.start();
        } catch (error) {
          log.error({ err: error }, 'wechat restart failed');
        }
        scheduleRelogin();
      })();
    }, delay);
    reloginTimer.unref?.();
  }

  wechaty.on('scan', (qrcode, status) => {
    const url = qrcodeValueToImageUrl(qrcode);
    log.info({ status: types.ScanStatus[status], url }, 'wechat login QR code');
    if (status === types.ScanStatus.Waiting || status === types.ScanStatus.Timeout) {
      void terminalQr(qrcode).then((art) => printQr(`\n请用作为机器人的微信号扫描下方二维码登录：\n${art}\n也可以在浏览器中打开：${url}\n`));
    }
  });
  wechaty.on('login', (user) => {
    if (reloginTimer) clearTimeout(reloginTimer);
    reloginTimer = null;
    reloginDelay = relogin.firstDelayMs;
    log.info({ user: user.name() }, 'wechat logged in');
  });
  wechaty.on('logout', (user, reason) => {
    log.warn({ user: user.name(), reason }, 'wechat logged out');
    // the core alerts the operators (through the outbox); the adapter only gets the account back
    void core.handleChannelFact({ kind: 'loggedOut', channel: 'wechat', account: user.name(), recovery: 'scanQr' });
    scheduleRelogin();
  });
  wechaty.on('message', (message) => {
    onMessage(message).catch((error: unknown) => log.error({ err: error }, 'wechat message handling failed'));
  });
  wechaty.on('friendship', (friendship) => {
    onFriendship(friendship).catch((error: unknown) => log.error({ err: error }, 'wechat friend request handling failed'));
  });
  wechaty.on('error', (error) => log.error({ err: error }, 'wechaty error'));

  const sender: ChannelSender = {
    channel: 'wechat',
    ready: () => wechaty.isLoggedIn,
    async send(chatId, reply) {
      if (!wechaty.isLoggedIn) throw new DeliveryError('wechat is logged out', 'transient', 60_000);
      try {
        await deliver(chatId, reply);
      } catch (error) {
        // puppets do not tell a deleted friend from a network hiccup: let the outbox retry a few times
        throw error instanceof DeliveryError ? error : new DeliveryError(`wechat send failed: ${error instanceof Error ? error.message : String(error)}`, 'transient');
      }
    },
  };

  return {
    wechaty,
    sender,
    async start() {
      stopped = false;
      // the puppet keeps its login session in <name>.memory-card.json, so a restart may skip the QR code
      if (sessionName) mkdirSync(dirname(sessionName), { recursive: true });
      await wechaty.start();
      log.info({ puppet: deps.puppet ? 'injected' : config.puppet }, 'wechat channel started; waiting for login');
    },
    async stop() {
      stopped = true;
      if (reloginTimer) clearTimeout(reloginTimer);
      reloginTimer = null;
      await Promise.allSettled([...chats.values()]);
      await queue;
      await wechaty.stop();
      log.info('wechat channel stopped');
    },
    status: () => ({ loggedIn: wechaty.isLoggedIn, restarts }),
    async idle() {
      await Promise.allSettled([...chats.values()]);
      await queue;
    },
  };
}
