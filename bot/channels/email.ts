// E-mail for proactive messages (notices, reminders, escalations) to contacts with an address and no
// reachable chat (scheduler/routing.ts decides), through nodemailer over SMTP_URL. E-mail only sends:
// people answer in a chat, and acknowledge a notice through the personal link each notice mail
// carries, which opens a small Chinese page on the bot's HTTP server (PUBLIC_URL).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';
import type { Db } from '../db/client.ts';
import type { Clock } from '../time.ts';
import { localDateTimeString } from '../time.ts';
import type { AppConfig } from '../config.ts';
import { DeliveryError, type ChannelSender } from '../core/types.ts';
import { readBody, type HttpServer } from '../http-server.ts';
import { composeEmail } from './email/compose.ts';
import { ACK_PATH, ackLinkState, issueAckLink, useAckLink, type AckLinkState } from './email/ack-links.ts';

export type EmailConfig = NonNullable<AppConfig['email']>;

/** purposes whose mail carries the acknowledgement link: the notice and its follow-ups */
const ACK_PURPOSES = new Set(['notice', 'noticeReminder', 'noticeEscalation']);
/** SMTP replies that say the server, not the address, is the problem (authentication): retried, and logged loudly */
const SERVER_SIDE_5XX = new Set([530, 534, 535, 538]);

export interface EmailChannelDeps {
  config: EmailConfig;
  db: Db;
  clock: Clock;
  log: Logger;
  http: HttpServer;
  publicUrl: string;
  /** a transport instead of SMTP_URL's (never needed in production) */
  transport?: Transporter;
}

export interface EmailChannel {
  sender: ChannelSender;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How an SMTP failure reaches the outbox: 4xx later again, 5xx or a refused address never. */
export function deliveryErrorForSmtp(error: unknown): DeliveryError {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = `smtp: ${code ?? e.code ?? ''} ${e.message ?? String(error)}`.trim();
  if (code !== undefined && code >= 400 && code < 500) return new DeliveryError(text, 'transient');
  if (code !== undefined && SERVER_SIDE_5XX.has(code)) return new DeliveryError(text, 'transient', 10 * 60_000);
  if (code !== undefined && code >= 500) return new DeliveryError(text, 'unreachable');
  if (e.code === 'EENVELOPE') return new DeliveryError(text, 'unreachable');
  return new DeliveryError(text, 'transient');
}

const PAGE_STYLE = 'body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:32em;margin:3em auto;padding:0 1em;line-height:1.7;color:#222}button{font-size:1.1em;padding:.5em 2em;background:#1a73e8;color:#fff;border:0;border-radius:4px}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${PAGE_STYLE}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderAckPage(state: AckLinkState): { status: number; html: string } {
  switch (state.kind) {
    case 'invalid':
      return { status: 404, html: page('链接无效', '<p>这个确认链接无效或已停用。请核对邮件中的链接，或在聊天中回复“收到”，也可以联系市支中心。</p>') };
    case 'expired':
      return { status: 410, html: page('链接已过期', `<p>《${esc(state.title)}》的确认链接已过期（通知已过领取截止时间）。如仍需确认，请联系市支中心。</p>`) };
    case 'open':
      if (state.acknowledgedAt) {
        const when = localDateTimeString(state.acknowledgedAt);
        return { status: 200, html: page('已确认收到', `<p id="result">${esc(state.contactName)}，您已确认收到《${esc(state.title)}》（${when}）。谢谢！</p><p>请按通知要求在截止前领取资源。</p>`) };
      }
      // a GET only shows the button: mail scanners and link previews fetch links, and must not acknowledge
      return {
        status: 200,
        html: page('确认收到通知', `<p>${esc(state.contactName)}，请确认您已收到《${esc(state.title)}》。</p><form method="post"><button type="submit" id="confirm">确认收到</button></form>`),
      };
  }
}

export function createEmailChannel(deps: EmailChannelDeps): EmailChannel {
  const { config, db, clock, http } = deps;
  const log = deps.log.child({ channel: 'email' });
  const transport = deps.transport ?? nodemailer.createTransport(config.smtpUrl);

  const sender: ChannelSender = {
    channel: 'email',
    async send(address, reply, context) {
      let ack: { url: string; expiresAt: Date } | undefined;
      if (context?.noticeId && ACK_PURPOSES.has(context.purpose)) {
        const link = await issueAckLink(db, context.noticeId, context.contactId, clock.now());
        ack = { url: `${deps.publicUrl}${ACK_PATH}${link.token}`, expiresAt: link.expiresAt };
      }
      const mail = composeEmail({ text: reply.text, ...(ack ? { ack } : {}) });
      try {
        await transport.sendMail({
          from: config.from,
          to: address,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          ...(reply.document ? { attachments: [{ filename: reply.document.filename, content: Buffer.from(reply.document.content) }] } : {}),
        });
      } catch (error) {
        const mapped = deliveryErrorForSmtp(error);
        if (mapped.retryAfterMs) log.error({ err: mapped.message }, 'the SMTP server refused the bot’s login: check SMTP_URL');
        throw mapped;
      }
    },
  };

  const tokenOf = (url: URL) => decodeURIComponent(url.pathname.slice(ACK_PATH.length));
  async function answer(res: ServerResponse, state: AckLinkState): Promise<void> {
    const { status, html } = renderAckPage(state);
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).end(html);
  }
  http.route('GET', ACK_PATH, async (_req: HttpRequest, res, url) => {
    const token = tokenOf(url);
    await answer(res, await ackLinkState(db, token, clock.now()));
  });
  http.route('POST', ACK_PATH, async (req: HttpRequest, res, url) => {
    await readBody(req, 1024);
    const token = tokenOf(url);
    const state = await useAckLink(db, token, clock.now());
    if (state.kind === 'open' && state.recorded) log.info('notice acknowledged through an e-mail link');
    else if (state.kind !== 'open') log.info({ state: state.kind }, 'acknowledgement link refused');
    await answer(res, state);
  });

  return {
    sender,
    async start() {
      await http.start();
      log.info({ from: config.from, ackPages: `${deps.publicUrl}${ACK_PATH}…` }, 'e-mail channel ready');
    },
    async stop() {
      transport.close();
      log.info('e-mail channel stopped');
    },
  };
}
