// The HTTP call under grammY's client (bot/channels/telegram-http.ts) on the cases the channel's
// end-to-end tests do not reach: an error answer read as JSON, a hung request aborted, a closed port.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botApiFetch, BotApiNetworkError } from '../../bot/channels/telegram-http.ts';
import { freePort } from './support/telegram-emulator.ts';

describe('botApiFetch', () => {
  let server: Server;
  let root: string;
  const received: { url: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.url?.endsWith('/hang')) return; // never answers
        if (req.url?.endsWith('/refused')) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: chat not found' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { echoed: Buffer.concat(chunks).toString('utf8') } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    root = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the JSON body with its length and reads the answer', async () => {
    const body = JSON.stringify({ chat_id: 1, text: '月报已收到' });
    const res = await botApiFetch(`${root}/botTOKEN/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.ok).toBe(true);
    expect(await res.json()).toEqual({ ok: true, result: { echoed: body } });
    expect(received.at(-1)?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('streams a multipart body', async () => {
    const res = await botApiFetch(`${root}/botTOKEN/sendDocument`, { method: 'POST', body: Readable.from([Buffer.from('--b\r\n'), Buffer.from('文件\r\n--b--')]) });
    expect(await res.json()).toEqual({ ok: true, result: { echoed: '--b\r\n文件\r\n--b--' } });
  });

  it('gives an error answer to grammY as JSON, as Telegram sends it', async () => {
    const res = await botApiFetch(`${root}/botTOKEN/refused`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(res.ok).toBe(false);
    expect(await res.json()).toMatchObject({ ok: false, error_code: 400 });
  });

  it('rejects when aborted, and at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    const pending = botApiFetch(`${root}/botTOKEN/hang`, { method: 'POST', body: '{}', signal: controller.signal });
    await expect.poll(() => received.some((r) => r.url.endsWith('/hang'))).toBe(true);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(BotApiNetworkError);
    await expect(botApiFetch(`${root}/botTOKEN/sendMessage`, { body: '{}', signal: controller.signal })).rejects.toBeInstanceOf(BotApiNetworkError);
  });

  it('rejects with a network error naming the URL and the reason, as node-fetch did (the logger redacts the token)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/bot123:SECRET/getMe`;
    const error = await botApiFetch(url, { body: '{}' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotApiNetworkError);
    expect((error as Error).message).toMatch(new RegExp(`^request to ${url.replace(/[.:/]/g, '\\$&')} failed, reason: .*ECONNREFUSED`));
  });

  it('speaks https to an https root (the real Bot API), with the agent it is given', async () => {
    // a self-signed certificate for 127.0.0.1, made once with openssl for this test (valid until 2126)
    const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));
    const secure = createHttpsServer({ key: fixture('bot-api-test.key'), cert: fixture('bot-api-test.crt') }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { over: 'tls', echoed: Buffer.concat(chunks).toString('utf8') } })));
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const address = secure.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const agent = new HttpsAgent({ ca: fixture('bot-api-test.crt'), keepAlive: true });
    try {
      const res = await botApiFetch(`https://127.0.0.1:${port}/botTOKEN/sendMessage`, { method: 'POST', body: '{"text":"收到"}', agent });
      expect(await res.json()).toEqual({ ok: true, result: { over: 'tls', echoed: '{"text":"收到"}' } });
      // without the test's certificate authority the same call is refused, so TLS really was spoken
      await expect(botApiFetch(`https://127.0.0.1:${port}/botTOKEN/sendMessage`, { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(BotApiNetworkError);
    } finally {
      agent.destroy();
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
    }
  });
});
