// The WeCom channel (企业微信, a self-built application through WeCom's official API). WeCom calls the
// bot at /wecom/callback on the shared HTTP server: a GET to verify the URL (decrypt echostr), and a
// POST per message or card button press, signed and AES-encrypted (wecom/crypto.ts). The callback is
// answered at once with an empty 200 (WeCom waits 5 seconds, then retries three times); the message
// is then handled in the chat's order and the replies go out through message/send. Retries of a
// callback are recognised by MsgId (events: sender, time, key) in the shared database, so a retry
// that reaches another instance is not handled twice either.
//
// A member whose directory row names their WeCom account (企业微信账号) is bound on first contact, and
// can be sent notices before ever writing to the app; others bind with /bind 邀请码. Proactive
// messages with the same content go out in one call per 1,000 members (touser), each recipient's
// outcome read from invaliduser.
import { writeAudit } from '../db/audit.ts';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Clock } from '../time.ts';
import { localDateString } from '../time.ts';
import type { ChatCore } from '../core/pipeline.ts';
import type { AppConfig } from '../config.ts';
import { bindChat } from '../core/identity.ts';
import { DeliveryError, type ChannelSender, type Reply } from '../core/types.ts';
import { isUniqueViolation } from '../../scheduler/outbox.ts';
import { readBody, type HttpServer } from '../http-server.ts';
import { createWecomApi, WecomApiError, WECOM_ERRORS, type WecomApi } from './wecom/api.ts';
import { CallbackRefused, createCallbackCrypto } from './wecom/crypto.ts';
import { parseCallback, parseEnvelope, type WecomCallback } from './wecom/xml.ts';
import { randomTaskId, renderReply, stableTaskId, type WecomMessage } from './wecom/render.ts';

export type WecomConfig = NonNullable<AppConfig['wecom']>;

export const CALLBACK_PATH = '/wecom/callback';
/** WeCom's callbacks are small XML envelopes; anything larger is not one */
export const MAX_CALLBACK_BYTES = 64 * 1024;
/** a callback signed longer ago than this (or this far ahead) is a replay, not WeCom retrying */
export const CALLBACK_MAX_AGE_S = 5 * 60;
/** WeCom's touser takes at most 1,000 members per call */
export const TOUSER_LIMIT = 1000;
const DEDUPE_PREFIX = 'wecom-callback:';
const DEDUPE_KEEP_MS = 60 * 60_000;

export interface WecomChannelDeps {
  config: WecomConfig;
  core: ChatCore;
  db: Db;
  clock: Clock;
  log: Logger;
  http: HttpServer;
  /** seconds since the epoch as WeCom signs them; the real clock (the injected Clock may be a test's month) */
  wallSeconds?: () => number;
}

export interface WecomChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
  sender: ChannelSender;
  api: WecomApi;
  /** resolves when every accepted callback has been handled (tests wait on it) */
  idle(): Promise<void>;
}

/** How WeCom's refusals reach the outbox: who can never be reached, and what is worth a retry. */
export function deliveryErrorForWecom(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof WecomApiError) {
    switch (error.errcode) {
      case WECOM_ERRORS.noValidRecipient:
      case WECOM_ERRORS.noSuchUser:
        return new DeliveryError(`wecom: recipient not in the app's visible range or no such member (${error.errcode})`, 'unreachable');
      case WECOM_ERRORS.frequency:
      case WECOM_ERRORS.concurrency:
        return new DeliveryError(`wecom: frequency limit (${error.errcode}), retry after a pause`, 'transient', 60_000);
      case WECOM_ERRORS.busy:
      case WECOM_ERRORS.tokenExpired:
      case WECOM_ERRORS.tokenInvalid:
        return new DeliveryError(`wecom: ${error.errmsg} (${error.errcode})`, 'transient');
      default:
        // HTTP failures are negative codes here (-status): a server error is worth a retry
        if (error.errcode <= -500) return new DeliveryError(`wecom: ${error.errmsg}`, 'transient');
        return new DeliveryError(`wecom: ${error.errmsg} (${error.errcode})`, 'permanent');
    }
  }
  return new DeliveryError(`wecom: ${error instanceof Error ? error.message : String(error)}`, 'transient');
}

export function createWecomChannel(deps: WecomChannelDeps): WecomChannel {
  const { config, core, db, clock, http } = deps;
  const log = deps.log.child({ channel: 'wecom' });
  const wallSeconds = deps.wallSeconds ?? (() => Math.floor(Date.now() / 1000));
  const crypto = createCallbackCrypto({ token: config.token, encodingAesKey: config.encodingAesKey, corpId: config.corpId });
  const api = createWecomApi({ corpId: config.corpId, secret: config.secret, agentId: config.agentId, apiRoot: config.apiRoot }, log);

  // ---- sending -------------------------------------------------------------------------------------
  async function sendMessages(touser: readonly string[], messages: WecomMessage[], outbox: boolean): Promise<string[]> {
    const invalid = new Set<string>();
    for (const message of messages) {
      let body: Record<string, unknown>;
      if (message.msgtype === 'file') {
        const mediaId = await api.uploadFile(message.document.filename, message.document.content);
        body = { msgtype: 'file', file: { media_id: mediaId } };
      } else {
        body = { ...message };
      }
      // proactive sends are retried after failures and crashes: the same request within 30 minutes is dropped by WeCom
      const result = await api.send({ touser: touser.join('|'), ...body, safe: 0, ...(outbox ? { enable_duplicate_check: 1, duplicate_check_interval: 1800 } : {}) });
      for (const user of result.invalidUsers) invalid.add(user);
    }
    return touser.filter((u) => invalid.has(u.toLowerCase()));
  }

  async function reply(userId: string, replyToSend: Reply): Promise<void> {
    try {
      await sendMessages([userId], renderReply(replyToSend, randomTaskId()), false);
    } catch (error) {
      // a callback from an id WeCom will not deliver to (outside the visible range, or unknown): nothing to answer to
      if (error instanceof WecomApiError && (error.errcode === WECOM_ERRORS.noValidRecipient || error.errcode === WECOM_ERRORS.noSuchUser)) {
        log.warn({ chat_id: userId, errcode: error.errcode }, 'wecom refused the reply: user id unknown or outside the app’s visible range');
        return;
      }
      throw error;
    }
  }

  const sender: ChannelSender = {
    channel: 'wecom',
    maxBatch: TOUSER_LIMIT,
    async send(chatId, replyToSend) {
      const outcome = await this.sendBatch!([chatId], replyToSend);
      const error = outcome.get(chatId);
      if (error) throw error;
    },
    async sendBatch(chatIds, replyToSend) {
      const users = [...new Set(chatIds)].sort();
      if (users.length > TOUSER_LIMIT) throw new DeliveryError(`wecom takes at most ${TOUSER_LIMIT} recipients per call`, 'permanent');
      const taskId = stableTaskId(users, replyToSend, localDateString(clock.now()));
      let refused: string[];
      try {
        refused = await sendMessages(users, renderReply(replyToSend, taskId), true);
      } catch (error) {
        throw deliveryErrorForWecom(error);
      }
      const refusedSet = new Set(refused);
      const unreachable = new DeliveryError('wecom: member not in the app’s visible range or no such member (invaliduser)', 'unreachable');
      return new Map(chatIds.map((id) => [id, refusedSet.has(id) ? unreachable : null]));
    },
  };

  // ---- identity by the directory column 企业微信账号 ----------------------------------------------------
  /** members known to be bound in this process, so the lookup runs once per member, not per message */
  const boundHere = new Set<string>();
  async function bindByDirectory(userId: string): Promise<void> {
    if (boundHere.has(userId)) return;
    const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: 'wecom', externalId: userId } }, select: { contactId: true } });
    if (identity?.contactId) {
      boundHere.add(userId);
      return;
    }
    // WeCom user ids are case-insensitive; the directory keeps them as written
    const contact = await db.contact.findFirst({ where: { wecomUserId: { in: [userId, userId.toLowerCase()] }, active: true }, select: { id: true } });
    if (!contact) return;
    const now = clock.now();
    await bindChat(db, 'wecom', userId, contact.id, now);
    await writeAudit(db, { at: now, actor: `wecom:${userId}`, actorContactId: contact.id, action: 'chat.bind', entity: 'ChannelIdentity', entityId: userId, detail: { how: 'directory' } });
    boundHere.add(userId);
    log.info({ chat_id: userId, contactId: contact.id }, 'wecom member bound by the directory’s WeCom account column');
  }

  // ---- incoming ------------------------------------------------------------------------------------
  const chats = new Map<string, Promise<void>>();
  function inOrder(chatId: string, work: () => Promise<void>): Promise<void> {
    const next = (chats.get(chatId) ?? Promise.resolve()).then(work).catch((error: unknown) => log.error({ chat_id: chatId, err: error }, 'wecom message handling failed'));
    chats.set(chatId, next);
    void next.finally(() => {
      if (chats.get(chatId) === next) chats.delete(chatId);
    });
    return next;
  }

  /** true the first time a callback is seen, across retries and instances */
  let lastPurge = 0;
  async function firstSighting(key: string): Promise<boolean> {
    const now = clock.now();
    if (Date.now() - lastPurge > 10 * 60_000) {
      lastPurge = Date.now();
      await db.rateLimitWindow.deleteMany({ where: { key: { startsWith: DEDUPE_PREFIX }, windowStart: { lt: new Date(now.getTime() - DEDUPE_KEEP_MS) } } });
    }
    try {
      await db.rateLimitWindow.create({ data: { key: `${DEDUPE_PREFIX}${key}`.slice(0, 500), windowStart: now, count: 1 } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async function handle(callback: WecomCallback): Promise<void> {
    const userId = callback.userId;
    await bindByDirectory(userId);
    if (callback.kind === 'ignored') return;
    const message =
      callback.kind === 'button' ? { choice: callback.key } : { text: callback.kind === 'text' ? callback.text : '' };
    const replies = await core.handleMessage({ channel: 'wecom', chatId: userId, ...message });
    if (callback.kind === 'button' && callback.responseCode) {
      // the pressed card shows it was answered, so its buttons cannot be pressed twice by accident
      await api.updateButton([userId], callback.responseCode, '已选择').catch((error: unknown) => log.warn({ chat_id: userId, err: error }, 'could not update the pressed card'));
    }
    for (const r of replies) await reply(userId, r);
  }

  /** The query of a callback: signed fields, as WeCom sends them (URL-decoded by URLSearchParams). */
  function signedQuery(url: URL): { signature: string; timestamp: string; nonce: string } | null {
    const signature = url.searchParams.get('msg_signature');
    const timestamp = url.searchParams.get('timestamp');
    const nonce = url.searchParams.get('nonce');
    return signature && timestamp && nonce ? { signature, timestamp, nonce } : null;
  }

  function checkFresh(timestamp: string): void {
    const age = wallSeconds() - Number(timestamp);
    if (!Number.isFinite(age) || Math.abs(age) > CALLBACK_MAX_AGE_S) throw new CallbackRefused('stale', `callback timestamp ${timestamp} is ${age} s from now (replayed?)`);
  }

  http.route('GET', CALLBACK_PATH, (req, res, url) => {
    const query = signedQuery(url);
    const echostr = url.searchParams.get('echostr');
    try {
      if (!query || !echostr) throw new CallbackRefused('signature', 'URL verification without msg_signature, timestamp, nonce and echostr');
      if (!crypto.verify(query.signature, query.timestamp, query.nonce, echostr)) throw new CallbackRefused('signature', 'URL verification with a wrong msg_signature');
      const plain = crypto.open(echostr);
      log.info('wecom callback URL verified');
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(plain);
    } catch (error) {
      refuse(res, error, req.socket.remoteAddress);
    }
  });

  http.route('POST', CALLBACK_PATH, async (req, res, url) => {
    try {
      const query = signedQuery(url);
      if (!query) throw new CallbackRefused('signature', 'callback without msg_signature, timestamp and nonce');
      const body = await readBody(req, MAX_CALLBACK_BYTES);
      if (!body) throw new CallbackRefused('size', `callback body larger than ${MAX_CALLBACK_BYTES} bytes`);
      const envelope = parseEnvelope(body.toString('utf8'));
      if (!envelope) throw new CallbackRefused('xml', 'callback body is not WeCom’s XML envelope (<xml><Encrypt>…)');
      if (!crypto.verify(query.signature, query.timestamp, query.nonce, envelope.encrypt)) throw new CallbackRefused('signature', 'callback with a wrong msg_signature (forged, or another app’s Token)');
      checkFresh(query.timestamp);
      const callback = parseCallback(crypto.open(envelope.encrypt));
      if (!callback) throw new CallbackRefused('xml', 'decrypted callback is not a message or event WeCom sends');
      if (!(await firstSighting(callback.dedupeKey))) {
        log.info({ chat_id: callback.userId, dedupeKey: callback.dedupeKey }, 'wecom callback seen before (a retry); not handled again');
        res.writeHead(200).end('');
        return;
      }
      // answered now: WeCom gives up after 5 seconds and retries, and the replies go through the API anyway
      res.writeHead(200).end('');
      void inOrder(callback.userId, () => handle(callback));
    } catch (error) {
      refuse(res, error, req.socket.remoteAddress);
    }
  });

  function refuse(res: import('node:http').ServerResponse, error: unknown, from: string | undefined): void {
    if (!(error instanceof CallbackRefused)) throw error;
    log.warn({ reason: error.reason, from, err: error.message }, 'wecom callback refused');
    const status = error.reason === 'size' ? 413 : error.reason === 'xml' ? 400 : 401;
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
    res.end();
  }

  return {
    api,
    sender,
    async start() {
      await http.start();
      log.info({ path: CALLBACK_PATH, port: http.address()?.port, agentId: config.agentId, apiRoot: config.apiRoot ?? 'https://qyapi.weixin.qq.com' }, 'wecom callback listening');
    },
    async stop() {
      await Promise.allSettled([...chats.values()]);
      log.info('wecom channel stopped');
    },
    async idle() {
      while (chats.size > 0) await Promise.allSettled([...chats.values()]);
    },
  };
}
