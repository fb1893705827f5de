// telegram-test-api on a free localhost port, with the two Bot API methods it lacks and the bot
// uses (setMyCommands, sendDocument, sendPhoto) added, and a chat helper that collects what the bot sent.
// The bot talks to it over real HTTP exactly as to api.telegram.org; only the API root differs.
import { createServer } from 'node:net';
import TelegramServerModule from 'telegram-test-api';
import type { IncomingMessage } from 'node:http';

// the few express shapes used here (the emulator ships no express types)
interface Request extends IncomingMessage {
  params: Record<string, string>;
  body: unknown;
}
interface Response {
  json(body: unknown): void;
  status(code: number): Response;
}
interface Express {
  post(path: string, handler: (req: Request, res: Response) => void): void;
  get(path: string, handler: (req: Request, res: Response & { send(body: Buffer): void }) => void): void;
}

export const TEST_TOKEN = '123456789:AAHtestTokenForTheEmulatorOnly_0123';

// the package is CommonJS with `exports.default`; under ESM the class may sit one level down
// (tsx hands over module.exports, vitest the default export itself)
const loaded = TelegramServerModule as unknown as { default?: unknown };
const TelegramServer = (typeof loaded.default === 'function' ? loaded.default : loaded) as typeof TelegramServerModule.default;
type Server = InstanceType<typeof TelegramServer>;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface SentDocument {
  chatId: string;
  /** sendDocument or sendPhoto */
  kind: 'document' | 'photo';
  filename: string;
  caption?: string;
  content: Buffer;
}

export interface CommandMenu {
  scope?: { type: string; chat_id?: number };
  commands: { command: string; description: string }[];
}

/** What the bot sent to a chat, as the emulator stored it. */
export interface BotMessage {
  chat_id: string | number;
  text?: string;
  caption?: string;
  document?: { file_name: string; file_size: number };
  photo?: { file_id: string; file_size: number }[];
  reply_markup?: {
    inline_keyboard?: { text: string; callback_data: string }[][];
    keyboard?: { text: string; request_contact?: boolean }[][];
    remove_keyboard?: boolean;
  };
}

export interface Emulator {
  server: Server;
  apiRoot: string;
  documents: SentDocument[];
  menus: CommandMenu[];
  chat(userId: number): EmulatedChat;
  stop(): Promise<void>;
}

export interface EmulatedChat {
  userId: number;
  /** a command (/help, /bind CODE) with its bot_command entity, as Telegram clients send it */
  command(text: string): Promise<void>;
  text(text: string): Promise<void>;
  /** the contact-request button: shares a contact whose user_id is the sender's own, unless told otherwise */
  shareContact(phone: string, ownerUserId?: number): Promise<void>;
  /** a document sent as a person sends a file (getFile and the download path serve it) */
  sendDocument(filename: string, content: Buffer): Promise<void>;
  press(callbackData: string): Promise<void>;
  /** waits until the bot has sent at least `count` new messages to this chat (default 1) and returns them */
  receive(count?: number, timeoutMs?: number): Promise<BotMessage[]>;
}

interface FormPart {
  name: string;
  filename?: string;
  content: Buffer;
}

/**
 * A lenient multipart/form-data reader: grammY writes `filename=月报.xlsx` unquoted, which
 * Telegram accepts but undici's strict FormData parser rejects.
 */
function parseMultipart(req: Request): Promise<FormPart[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', reject);
    req.once('end', () => {
      const boundary = /boundary=([^;]+)/.exec(String(req.headers['content-type']))?.[1];
      if (!boundary) return reject(new Error('no multipart boundary'));
      const body = Buffer.concat(chunks);
      const delimiter = Buffer.from(`--${boundary}`);
      const parts: FormPart[] = [];
      let at = body.indexOf(delimiter);
      while (at >= 0) {
        const next = body.indexOf(delimiter, at + delimiter.length);
        if (next < 0) break;
        const part = body.subarray(at + delimiter.length + 2, next - 2);
        const split = part.indexOf('\r\n\r\n');
        const headers = part.subarray(0, split).toString('utf8');
        const name = /name="?([^";\r\n]+)"?/i.exec(headers)?.[1];
        const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1];
        if (name) parts.push({ name, content: part.subarray(split + 4), ...(filename ? { filename } : {}) });
        at = next;
      }
      resolve(parts);
    });
  });
}

/** files people sent, by file_id: served by getFile and the file download path */
type Uploads = Map<string, Buffer>;

function addMissingMethods(server: Server, documents: SentDocument[], menus: CommandMenu[], uploads: Uploads): void {
  const app = (server as unknown as { webServer: Express }).webServer;
  app.post('/bot:token/getFile', (req: Request, res: Response) => {
    const fileId = String((req.body as { file_id?: string }).file_id ?? '');
    const file = uploads.get(fileId);
    if (!file) res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
    else res.json({ ok: true, result: { file_id: fileId, file_unique_id: fileId, file_size: file.length, file_path: `documents/${fileId}` } });
  });
  app.get('/file/bot:token/documents/:fileId', (req, res) => {
    const file = uploads.get(String(req.params.fileId));
    if (!file) res.status(404).json({ ok: false });
    else res.send(file);
  });
  app.post('/bot:token/setMyCommands', (req: Request, res: Response) => {
    const body = req.body as { commands: string | CommandMenu['commands']; scope?: string | CommandMenu['scope'] };
    const commands = typeof body.commands === 'string' ? (JSON.parse(body.commands) as CommandMenu['commands']) : body.commands;
    const scope = typeof body.scope === 'string' ? (JSON.parse(body.scope) as CommandMenu['scope']) : body.scope;
    menus.push(scope ? { scope, commands } : { commands });
    res.json({ ok: true, result: true });
  });
  // files: a document, or a photo (Telegram answers a photo with its sizes; one is enough here)
  for (const kind of ['document', 'photo'] as const) {
    app.post(`/bot:token/send${kind === 'document' ? 'Document' : 'Photo'}`, (req: Request, res: Response) => {
      parseMultipart(req).then(
        (parts) => {
          const file = parts.find((p) => p.filename);
          if (!file) {
            res.status(400).json({ ok: false, error_code: 400, description: `Bad Request: there is no ${kind} in the request` });
            return;
          }
          const field = (name: string) => parts.find((p) => p.name === name && !p.filename)?.content.toString('utf8');
          const chatId = field('chat_id') ?? '';
          const caption = field('caption');
          documents.push({ chatId, kind, filename: file.filename!, content: file.content, ...(caption !== undefined ? { caption } : {}) });
          const token = String(req.params.token);
          const attachment = kind === 'document' ? { document: { file_name: file.filename, file_size: file.content.length } } : { photo: [{ file_id: `photo-${documents.length}`, file_size: file.content.length }] };
          const message = server.addBotMessage({ chat_id: chatId, ...(caption !== undefined ? { caption } : {}), ...attachment } as never, token);
          res.json({ ok: true, result: message });
        },
        (error: unknown) => res.status(400).json({ ok: false, error_code: 400, description: `Bad Request: ${String(error)}` }),
      );
    });
  }
  // the emulator answers every unknown method from a catch-all route registered before ours: the five above go first
  const stack = (app as unknown as { _router: { stack: { route?: { path: string } }[] } })._router.stack;
  const ours = stack.splice(stack.length - 5, 5);
  const catchAll = stack.findIndex((layer) => layer.route?.path === '/bot:token/:method');
  stack.splice(catchAll, 0, ...ours);
}

export async function startEmulator(): Promise<Emulator> {
  const port = await freePort();
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  const documents: SentDocument[] = [];
  const menus: CommandMenu[] = [];
  const uploads: Uploads = new Map();
  addMissingMethods(server, documents, menus, uploads);
  await server.start();
  const apiRoot = server.config.apiURL;
  return {
    server,
    apiRoot,
    documents,
    menus,
    chat(userId) {
      const client = server.getClient(TEST_TOKEN, { userId, chatId: userId, firstName: `用户${userId}`, userName: `user${userId}`, timeout: 10_000, interval: 50 });
      const pending: BotMessage[] = [];
      return {
        userId,
        async command(text) {
          await client.sendCommand(client.makeCommand(text));
        },
        async text(text) {
          await client.sendMessage(client.makeMessage(text));
        },
        async shareContact(phone, ownerUserId = userId) {
          const message = client.makeMessage('', { contact: { phone_number: phone, first_name: `用户${userId}`, user_id: ownerUserId } } as never);
          delete (message as { text?: string }).text;
          await client.sendMessage(message as never);
        },
        async sendDocument(filename, content) {
          const fileId = `upload${uploads.size + 1}`;
          uploads.set(fileId, content);
          const message = client.makeMessage('', { document: { file_id: fileId, file_unique_id: fileId, file_name: filename, file_size: content.length } } as never);
          delete (message as { text?: string }).text;
          await client.sendMessage(message as never);
        },
        async press(callbackData) {
          await client.sendCallback(client.makeCallbackQuery(callbackData) as never);
        },
        async receive(count = 1, timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs;
          while (pending.length < count) {
            if (Date.now() > deadline) throw new Error(`expected ${count} bot message(s) for chat ${userId}, got ${pending.length}: ${JSON.stringify(pending)}`);
            const updates = await client.getUpdates().catch(() => ({ result: [] }));
            for (const update of updates.result as unknown as { message: BotMessage }[]) pending.push(update.message);
          }
          return pending.splice(0, pending.length);
        },
      };
    },
    async stop() {
      await server.stop();
    },
  };
}

/** The text of messages, joined, for assertions. */
export function textOf(messages: BotMessage[]): string {
  return messages.map((m) => m.text ?? m.caption ?? '').join('\n');
}

export function buttonsOf(messages: BotMessage[]): { text: string; callback_data: string }[] {
  return messages.flatMap((m) => m.reply_markup?.inline_keyboard?.flat() ?? []);
}
