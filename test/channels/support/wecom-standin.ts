// A stand-in of WeCom's server API over real HTTP on 127.0.0.1, for the WeCom adapter's tests, the
// `npm start` process test and the benchmark. It implements what the adapter calls, as WeCom's
// documentation describes it: gettoken (tokens that expire on request: 42001; unknown: 40014),
// message/send (touser of up to 1,000 members; members outside the app's visible range come back
// in invaliduser, all of them: errcode 81013; enable_duplicate_check drops a repeated request),
// media/upload (multipart, field "media") and update_template_card. As WeCom's server, it also
// signs and encrypts callbacks (with WeCom's own @wecom/crypto) and posts them to the bot.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { buildXml } from '../../../bot/channels/wecom/xml.ts';

export const STANDIN_APP = {
  corpId: 'ww0123456789abcdef',
  agentId: 1000002,
  secret: 'standin-secret-0123456789',
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
} as const;

export interface DeliveredMessage {
  userId: string;
  msgtype: string;
  body: Record<string, unknown>;
}

export interface SendCall {
  touser: string[];
  body: Record<string, unknown>;
  errcode: number;
  invaliduser: string[];
}

export interface WecomStandin {
  apiRoot: string;
  /** members in the app's visible range (WeCom user ids) */
  members: Set<string>;
  delivered: DeliveredMessage[];
  sendCalls: SendCall[];
  uploads: { mediaId: string; filename: string; bytes: number }[];
  cardUpdates: Record<string, unknown>[];
  tokensIssued(): number;
  /** every token issued so far answers 42001 from now on */
  expireTokens(): void;
  /** the next `times` message/send calls answer this errcode */
  failSends(errcode: number, times: number): void;
  /** messages delivered to one member, in order */
  to(userId: string): DeliveredMessage[];
  /** the text of a delivered message (text content, or a card's title and subtitle) */
  textOf(message: DeliveredMessage): string;
  buttonsOf(message: DeliveredMessage): { text: string; key: string }[];
  stop(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function startWecomStandin(options: { members?: Iterable<string> } = {}): Promise<WecomStandin> {
  const members = new Set<string>(options.members ?? []);
  const tokens = new Map<string, 'valid' | 'expired'>();
  const delivered: DeliveredMessage[] = [];
  const sendCalls: SendCall[] = [];
  const uploads: { mediaId: string; filename: string; bytes: number }[] = [];
  const cardUpdates: Record<string, unknown>[] = [];
  const media = new Set<string>();
  const seenRequests = new Set<string>();
  let failing: { errcode: number; times: number } | null = null;

  const json = (res: import('node:http').ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  function tokenError(url: URL): { errcode: number; errmsg: string } | null {
    const state = tokens.get(url.searchParams.get('access_token') ?? '');
    if (state === 'expired') return { errcode: 42001, errmsg: 'access_token expired' };
    if (!state) return { errcode: 40014, errmsg: 'invalid access_token' };
    return null;
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readAll(req);
      if (url.pathname === '/cgi-bin/gettoken') {
        if (url.searchParams.get('corpid') !== STANDIN_APP.corpId || url.searchParams.get('corpsecret') !== STANDIN_APP.secret) return json(res, { errcode: 40001, errmsg: 'invalid credential' });
        const token = `tok-${tokens.size + 1}-${randomBytes(8).toString('hex')}`;
        tokens.set(token, 'valid');
        return json(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
      }
      const refused = tokenError(url);
      if (refused) return json(res, refused);
      if (url.pathname === '/cgi-bin/message/send') {
        const message = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        const touser = String(message.touser ?? '').split('|').filter(Boolean);
        if (failing && failing.times > 0) {
          failing.times -= 1;
          sendCalls.push({ touser, body: message, errcode: failing.errcode, invaliduser: [] });
          return json(res, { errcode: failing.errcode, errmsg: 'stand-in failure' });
        }
        if (message.agentid !== STANDIN_APP.agentId) return json(res, { errcode: 40056, errmsg: 'invalid agentid' });
        if (touser.length > 1000) return json(res, { errcode: 40058, errmsg: 'touser exceeds 1000' });
        const msgtype = String(message.msgtype);
        if (msgtype === 'file' && !media.has(String((message.file as { media_id?: string })?.media_id))) return json(res, { errcode: 40007, errmsg: 'invalid media_id' });
        const invalid = touser.filter((u) => !members.has(u.toLowerCase()));
        const valid = touser.filter((u) => members.has(u.toLowerCase()));
        const invaliduser = invalid.map((u) => u.toLowerCase());
        if (valid.length === 0) {
          sendCalls.push({ touser, body: message, errcode: 81013, invaliduser });
          return json(res, { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: invaliduser.join('|') });
        }
        const fingerprint = createHash('sha256').update(body).digest('hex');
        const duplicate = message.enable_duplicate_check === 1 && seenRequests.has(fingerprint);
        seenRequests.add(fingerprint);
        sendCalls.push({ touser, body: message, errcode: 0, invaliduser });
        if (!duplicate) for (const userId of valid) delivered.push({ userId, msgtype, body: message });
        return json(res, { errcode: 0, errmsg: 'ok', invaliduser: invaliduser.join('|'), msgid: randomBytes(8).toString('hex') });
      }
      if (url.pathname === '/cgi-bin/media/upload') {
        const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
        const file = form.get('media');
        if (url.searchParams.get('type') !== 'file' || !(file instanceof Blob)) return json(res, { errcode: 40004, errmsg: 'invalid media type' });
        const mediaId = `media-${uploads.length + 1}`;
        media.add(mediaId);
        uploads.push({ mediaId, filename: (file as File).name, bytes: file.size });
        return json(res, { errcode: 0, errmsg: 'ok', type: 'file', media_id: mediaId, created_at: String(Math.floor(Date.now() / 1000)) });
      }
      if (url.pathname === '/cgi-bin/message/update_template_card') {
        cardUpdates.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        return json(res, { errcode: 0, errmsg: 'ok', invaliduser: [] });
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    members,
    delivered,
    sendCalls,
    uploads,
    cardUpdates,
    tokensIssued: () => tokens.size,
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 'expired');
    },
    failSends(errcode, times) {
      failing = { errcode, times };
    },
    to: (userId) => delivered.filter((m) => m.userId.toLowerCase() === userId.toLowerCase()),
    textOf(message) {
      if (message.msgtype === 'text') return String((message.body.text as { content: string }).content);
      if (message.msgtype === 'template_card') {
        const card = message.body.template_card as { main_title?: { title?: string; desc?: string }; sub_title_text?: string };
        return [card.main_title?.title, card.main_title?.desc, card.sub_title_text].filter(Boolean).join('\n');
      }
      return `[${message.msgtype}]`;
    },
    buttonsOf(message) {
      if (message.msgtype !== 'template_card') return [];
      return ((message.body.template_card as { button_list?: { text: string; key: string }[] }).button_list ?? []).map((b) => ({ text: b.text, key: b.key }));
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** WeCom's side of the callback URL: signed, encrypted posts of what a member does. */
export interface CallbackPoster {
  verifyUrl(): Promise<{ status: number; body: string; echo: string }>;
  text(userId: string, content: string, options?: { msgId?: string; timestamp?: number }): Promise<{ status: number; msgId: string }>;
  pressButton(userId: string, key: string, taskId?: string): Promise<{ status: number }>;
  /** a raw POST with chosen query and body (forgeries, malformed and oversized bodies) */
  raw(query: Record<string, string>, body: string): Promise<{ status: number }>;
  /** the signed query and envelope of a plaintext message, as WeCom would post it */
  sign(plaintext: string, timestamp?: number): { query: Record<string, string>; body: string };
}

export function callbackPoster(callbackUrl: string, app: { corpId: string; token: string; encodingAesKey: string; agentId: number } = STANDIN_APP): CallbackPoster {
  let msgCounter = 7_000_000_000;
  const now = () => Math.floor(Date.now() / 1000);

  function sign(plaintext: string, timestamp = now()) {
    const ciphertext = encrypt(app.encodingAesKey, plaintext, app.corpId);
    const nonce = String(Math.floor(Math.random() * 1e9));
    const msg_signature = getSignature(app.token, timestamp, nonce, ciphertext);
    const body = buildXml({ ToUserName: app.corpId, AgentID: String(app.agentId), Encrypt: ciphertext });
    return { query: { msg_signature, timestamp: String(timestamp), nonce }, body };
  }

  async function post(query: Record<string, string>, body: string): Promise<{ status: number }> {
    const response = await fetch(`${callbackUrl}?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    await response.text();
    return { status: response.status };
  }

  return {
    async verifyUrl() {
      const echo = String(Math.floor(Math.random() * 1e18));
      const echostr = encrypt(app.encodingAesKey, echo, app.corpId);
      const timestamp = String(now());
      const nonce = '1372623149';
      const query = { msg_signature: getSignature(app.token, timestamp, nonce, echostr), timestamp, nonce, echostr };
      const response = await fetch(`${callbackUrl}?${new URLSearchParams(query)}`);
      return { status: response.status, body: await response.text(), echo };
    },
    async text(userId, content, options = {}) {
      const msgId = options.msgId ?? String(msgCounter++);
      const created = options.timestamp ?? now();
      const plaintext = buildXml({ ToUserName: app.corpId, FromUserName: userId, CreateTime: created, MsgType: 'text', Content: content, MsgId: msgId, AgentID: app.agentId });
      const { query, body } = sign(plaintext, options.timestamp);
      return { ...(await post(query, body)), msgId };
    },
    async pressButton(userId, key, taskId = 'task') {
      const plaintext = buildXml({
        ToUserName: app.corpId,
        FromUserName: userId,
        CreateTime: now(),
        MsgType: 'event',
        Event: 'template_card_event',
        EventKey: key,
        TaskId: taskId,
        CardType: 'button_interaction',
        ResponseCode: randomBytes(12).toString('hex'),
        AgentID: app.agentId,
      });
      const { query, body } = sign(plaintext);
      return post(query, body);
    },
    raw: post,
    sign,
  };
}
