// The webhook of the Telegram channel, a route on the bot's HTTP server. It checks Telegram's secret header, reads at most
// MAX_UPDATE_BYTES of body (an update is a few kilobytes; a 100 MB body with the right secret must not
// be read into memory), and answers 200 once an update is accepted, whatever handling it did: an error
// answer makes Telegram deliver the same update again, and a /bind or a report would run twice. A
// handling error is logged (without the update's text) by the caller's handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';

/** Far above any update Telegram sends (texts are at most 4,096 characters), far below harm. */
export const MAX_UPDATE_BYTES = 1024 * 1024;
/** Telegram waits for an answer about this long before it calls again with the same update. */
const ANSWER_WITHIN_MS = 9_000;

export interface WebhookOptions {
  secret: string;
  log: Logger;
  handleUpdate(update: unknown): Promise<void>;
  maxBytes?: number;
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; status: 413 | 400 };

function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, status: 413 });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // stop reading: what was read is dropped, the rest is never buffered
        req.pause();
        finish({ ok: false, status: 413 });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', () => finish({ ok: false, status: 400 }));
  });
}

function answer(res: ServerResponse, status: number, body = ''): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain', ...(status === 413 ? { connection: 'close' } : {}) }).end(body);
}

/** The webhook's route on the bot's HTTP server (bot/http-server.ts): POST of one update. */
export function webhookHandler(options: WebhookOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_UPDATE_BYTES;
  const { log } = options;
  return async (req, res) => {
    if (!sameSecret(req.headers['x-telegram-bot-api-secret-token'], options.secret)) {
      log.warn({ remote: req.socket.remoteAddress }, 'webhook call without the right secret refused');
      return answer(res, 401);
    }
    const read = await readBody(req, maxBytes);
    if (!read.ok) {
      log.warn({ status: read.status, limitBytes: maxBytes }, read.status === 413 ? 'webhook body too large; refused' : 'webhook body unreadable');
      answer(res, read.status);
      if (read.status === 413) req.destroy();
      return;
    }
    let update: unknown;
    try {
      update = JSON.parse(read.body.toString('utf8'));
    } catch {
      log.warn({ bytes: read.body.length }, 'webhook body is not JSON; refused');
      return answer(res, 400);
    }
    if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
      return answer(res, 400);
    }
    const updateId = (update as { update_id: number }).update_id;
    // accepted: from here on the answer is 200, so Telegram does not deliver it again
    let timer: NodeJS.Timeout | undefined;
    const handled = options.handleUpdate(update).catch((error: unknown) => log.error({ err: error, update_id: updateId }, 'webhook update handling failed'));
    const slow = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn({ update_id: updateId }, 'webhook update still being handled; answered Telegram so it does not resend');
        resolve();
      }, ANSWER_WITHIN_MS);
    });
    await Promise.race([handled, slow]);
    clearTimeout(timer);
    answer(res, 200);
  };
}
