// A Bot API stand-in on 127.0.0.1 that records every sendMessage (which bot token, chat, text)
// and misbehaves on command, the ways Telegram and the networks in between do: 429 with
// retry_after, 5xx, a proxy's HTML error page, a connection reset, a request never answered,
// 403 "bot was blocked by the user". A test may also decide per recorded message to hold the answer
// back (the crash test kills the sender while its message is in flight).
import { createServer, type IncomingMessage as HttpRequest, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RecordedMessage {
  /** the bot token the call came with: tells two processes apart */
  token: string;
  chatId: string;
  text: string;
}

export type Fault =
  | { kind: 'tooManyRequests'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: number }
  | { kind: 'htmlError' }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'blocked' }
  | { kind: 'chatNotFound' };

export type Decide = (message: RecordedMessage) => 'answer' | 'hold' | Promise<unknown>;

export interface BotApiStandIn {
  apiRoot: string;
  /** successfully answered sendMessage calls, in arrival order */
  delivered: RecordedMessage[];
  /** every sendMessage that reached the server, whatever the answer */
  attempts: RecordedMessage[];
  /** the next `times` sendMessage calls to this chat fail like this */
  fail(chatId: string, fault: Fault, times?: number): void;
  /** decides for each message about to be answered ok: answer it, hold it (never answer), or answer once the promise settles */
  onDeliver(decide: Decide | null): void;
  close(): Promise<void>;
}

export async function startBotApiStandIn(): Promise<BotApiStandIn> {
  const delivered: RecordedMessage[] = [];
  const attempts: RecordedMessage[] = [];
  const faults = new Map<string, { fault: Fault; left: number }[]>();
  const sockets = new Set<Socket>();
  let decide: Decide | null = null;
  let nextMessageId = 1;

  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  function handle(req: HttpRequest, res: ServerResponse, raw: string): void {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!match) return void json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return void json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: body is not JSON' });
    }
    if (method !== 'sendMessage') return void json(res, 200, { ok: true, result: true });
    const message: RecordedMessage = { token, chatId: String(body.chat_id), text: String(body.text ?? '') };
    attempts.push(message);
    const queue = faults.get(message.chatId);
    const planned = queue?.find((f) => f.left > 0);
    if (planned) {
      planned.left -= 1;
      const fault = planned.fault;
      switch (fault.kind) {
        case 'tooManyRequests':
          return void json(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${fault.retryAfterSeconds}`, parameters: { retry_after: fault.retryAfterSeconds } });
        case 'serverError':
          return void json(res, fault.status, { ok: false, error_code: fault.status, description: 'Internal Server Error' });
        case 'htmlError':
          return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        case 'reset':
          return void req.socket.destroy();
        case 'hang':
          return;
        case 'blocked':
          return void json(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
        case 'chatNotFound':
          return void json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
      }
    }
    const answer = () => {
      delivered.push(message);
      json(res, 200, { ok: true, result: { message_id: nextMessageId++, date: 0, chat: { id: Number(message.chatId), type: 'private' }, text: message.text } });
    };
    const decision = decide?.(message) ?? 'answer';
    if (decision === 'hold') return;
    if (decision === 'answer') return answer();
    void decision.then(answer, answer);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the Bot API stand-in has no address');

  return {
    apiRoot: `http://127.0.0.1:${address.port}`,
    delivered,
    attempts,
    fail(chatId, fault, times = 1) {
      faults.set(chatId, [...(faults.get(chatId) ?? []), { fault, left: times }]);
    },
    onDeliver(d) {
      decide = d;
    },
    close() {
      // held and hanging requests would keep the server open forever
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
