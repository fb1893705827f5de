// The HTTP call under grammY's Bot API client. grammY asks only for a POST with a JSON or multipart
// body and reads the answer with res.json(); its default, node-fetch, builds a Request, Headers, a
// parsed URL and a Body stream around every call, which at a few thousand calls a second was a
// tenth of the bot's thread. This is the same request on node:http(s) with grammY's keep-alive agent.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

interface BotApiRequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** JSON text, or grammY's multipart stream (a file upload) */
  body?: string | Readable;
  agent?: http.Agent;
  signal?: { aborted: boolean; addEventListener(type: 'abort', listener: () => void): void; removeEventListener(type: 'abort', listener: () => void): void };
}

export interface BotApiResponse {
  status: number;
  ok: boolean;
  json(): Promise<unknown>;
}

/**
 * A network failure, worded as node-fetch's FetchError (the URL, then the reason): grammY turns it
 * into an HttpError, auto-retry and the outbox retry it. The URL holds the token, which the logger
 * redacts (bot/logger.ts), as it did in node-fetch's message.
 */
export class BotApiNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BotApiNetworkError';
  }
}

/** a method's URL, parsed once: there is one per Bot API method */
const targets = new Map<string, { protocol: string; hostname: string; port: string; path: string }>();

function targetOf(url: string): { protocol: string; hostname: string; port: string; path: string } {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    // brackets off an IPv6 literal, as http.request wants the host
    target = { protocol: parsed.protocol, hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port, path: `${parsed.pathname}${parsed.search}` };
    if (targets.size >= 256) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/** fetch as grammY calls it: the answer's body is JSON whatever the status (Telegram's errors are JSON too). */
export function botApiFetch(url: string, init: BotApiRequestInit = {}): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const { signal, body } = init;
    if (signal?.aborted) {
      reject(new BotApiNetworkError(`request to ${url} failed, reason: the request was aborted`));
      return;
    }
    const headers: Record<string, string | number> = { ...init.headers };
    if (typeof body === 'string') headers['content-length'] = Buffer.byteLength(body);
    const target = targetOf(url);
    const options = { ...target, method: init.method ?? 'POST', headers, ...(init.agent ? { agent: init.agent } : {}) };
    const request = (target.protocol === 'https:' ? https : http).request(options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', fail);
      response.once('end', () => {
        signal?.removeEventListener('abort', abort);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, json: async () => JSON.parse(text) as unknown });
      });
    });
    function fail(error: Error): void {
      signal?.removeEventListener('abort', abort);
      reject(new BotApiNetworkError(`request to ${url} failed, reason: ${error.message}`, { cause: error }));
    }
    function abort(): void {
      request.destroy(new Error('the request was aborted'));
    }
    signal?.addEventListener('abort', abort);
    request.once('error', fail);
    if (body === undefined || typeof body === 'string') request.end(body);
    else {
      // a failing upload stream fails the request (grammY also rejects the call through its own hook)
      body.once('error', (error) => request.destroy(error));
      body.pipe(request);
    }
  });
}
