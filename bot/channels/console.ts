// The console channel: one person at a terminal, as an unknown user or as the directory contact
// with a given mobile number (whoever runs the command line may act as anyone in the directory).
// Reads one message per line, prints each reply; works piped and interactively.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { Clock } from '../time.ts';
import type { Core } from '../core/pipeline.ts';
import { bindChat } from '../core/identity.ts';
import { normaliseMobile } from '../domain.ts';
import { DeliveryError, type ChannelSender, type Reply } from '../core/types.ts';
import { renderPlainText } from './render-text.ts';

export interface ConsoleOptions {
  core: Core;
  db: Db;
  clock: Clock;
  input: Readable;
  output: Writable;
  /** act as the directory contact with this mobile number */
  asMobile?: string;
  /** where documents the bot sends (exports) are saved */
  downloadDir?: string;
  interactive?: boolean;
}

export class ConsoleIdentityError extends Error {
  override name = 'ConsoleIdentityError';
}

/** The chat id of a console session: one per directory contact, a fresh one for an unknown person. */
export async function consoleChatFor(db: Db, clock: Clock, asMobile?: string): Promise<string> {
  if (asMobile === undefined) return `anonymous-${randomUUID().slice(0, 8)}`;
  const mobile = normaliseMobile(asMobile);
  if (!mobile) throw new ConsoleIdentityError(`--as 需要 11 位手机号，收到：${asMobile}`);
  const contact = await db.contact.findUnique({ where: { mobile }, select: { id: true, active: true } });
  if (!contact || !contact.active) throw new ConsoleIdentityError(`通信名录中没有手机号为 ${mobile} 的在册联系人。先导入名录：npm run gxgc -- directory import 文件.xlsx`);
  const chatId = `mobile-${mobile}`;
  await bindChat(db, 'console', chatId, contact.id, clock.now());
  return chatId;
}

export async function renderToConsole(reply: Reply, output: Writable, downloadDir: string): Promise<void> {
  output.write(renderPlainText(reply) + '\n');
  if (reply.document) {
    await mkdir(downloadDir, { recursive: true });
    const path = join(downloadDir, reply.document.filename);
    await writeFile(path, reply.document.content);
    output.write(`[文件已保存：${path}]\n`);
  }
  if (reply.image) {
    await mkdir(downloadDir, { recursive: true });
    const path = join(downloadDir, reply.image.filename);
    await writeFile(path, reply.image.content);
    output.write(`[图片已保存：${path}]\n`);
  }
}

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { core, db, clock, input, output } = options;
  const downloadDir = resolve(options.downloadDir ?? 'data/downloads');
  const chatId = await consoleChatFor(db, clock, options.asMobile);
  const lines = createInterface({ input, terminal: false });
  const prompt = () => options.interactive && output.write('> ');
  if (options.interactive) output.write('gxgc-bot 控制台：输入消息后回车，Ctrl+D 退出。输入 /help 查看帮助。\n');
  prompt();
  // one message at a time, in order, as a person types them
  for await (const line of lines) {
    if (line.trim() === '') {
      prompt();
      continue;
    }
    const replies = await core.handleMessage({ channel: 'console', chatId, text: line });
    for (const reply of replies) await renderToConsole(reply, output, downloadDir);
    if (!options.interactive) output.write('\n');
    prompt();
  }
}

/**
 * Proactive messages to a console chat are printed when that chat's session is open in this
 * process; otherwise nobody is at the terminal and the message waits (transient) for the next one.
 */
export function createConsoleSender(output: Writable, activeChatId: () => string | null, downloadDir = resolve('data/downloads')): ChannelSender {
  return {
    channel: 'console',
    async send(chatId, reply) {
      if (chatId !== activeChatId()) throw new DeliveryError('console chat is not open', 'transient', 60_000);
      output.write('\n[通知]\n');
      await renderToConsole(reply, output, downloadDir);
    },
  };
}
