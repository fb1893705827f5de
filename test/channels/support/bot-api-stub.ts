// A tiny Bot API server that answers each call as told: the way to see what the Telegram adapter
// does with 429s, blocked users and server errors, which the emulator never produces.
import { createServer, type Server } from 'node:http';
import { freePort } from './telegram-emulator.ts';

export interface StubCall {
  method: string;
  body: Record<string, unknown>;
}

export type StubAnswer = { status: number; body: unknown };

export interface BotApiStub {
  apiRoot: string;
  calls: StubCall[];
  /** answer calls of this method to this chat (or any chat: '*') like this, `times` times (default: always) */
  answer(method: string, chatId: string, answer: StubAnswer, times?: number): void;
  close(): Promise<void>;
}

export const ok = (result: unknown = true): StubAnswer => ({ status: 200, body: { ok: true, result } });
export const fail = (status: number, description: string, parameters?: Record<string, unknown>): StubAnswer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

export async function startBotApiStub(): Promise<BotApiStub> {
  const port = await freePort();
  const calls: StubCall[] = [];
  const rules: { method: string; chatId: string; answer: StubAnswer; left: number }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        body = { raw: Buffer.concat(chunks).toString('latin1') };
      }
      calls.push({ method, body });
      const chatId = body.chat_id === undefined ? '' : String(body.chat_id);
      const rule = rules.find((r) => r.method === method && (r.chatId === '*' || r.chatId === chatId) && r.left > 0);
      let answer: StubAnswer;
      if (rule) {
        rule.left -= 1;
        answer = rule.answer;
      } else if (method === 'getMe') {
        answer = ok({ id: 42, is_bot: true, first_name: '测试机器人', username: 'gxgc_test_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false });
      } else if (method === 'sendMessage') {
        answer = ok({ message_id: calls.length, date: 0, chat: { id: Number(chatId), type: 'private' }, text: body.text });
      } else {
        answer = ok(true);
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    answer(method, chatId, answer, times = Number.POSITIVE_INFINITY) {
      rules.push({ method, chatId, answer, left: times });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
