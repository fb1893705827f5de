// How a Reply looks in WeCom: text messages of at most 2048 bytes (WeCom's limit, in UTF-8 bytes,
// so about 680 Chinese characters), then the choices as a button card (template_card,
// button_interaction) under it where they fit one, numbered options in the text otherwise; a
// document is uploaded and sent as a file.
// Plain text rather than markdown: WeCom members who read the app inside WeChat (the WeCom plugin)
// see text, while markdown messages there only say to open WeCom.
import { createHash, randomBytes } from 'node:crypto';
import type { Choice, Reply } from '../../core/types.ts';
import { renderPlainText } from '../render-text.ts';

export const TEXT_LIMIT_BYTES = 2048;
/** template_card limits: at most 6 buttons; titles and button texts are cut by WeCom beyond these */
export const CARD_LIMITS = { buttons: 6, buttonChars: 10, descChars: 30, keyBytes: 1024 } as const;

export type WecomMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'template_card'; template_card: Record<string, unknown> }
  | { msgtype: 'file'; document: { filename: string; content: Uint8Array } };

/** Pieces of at most limit UTF-8 bytes, cut at a line break where one is near, never inside a character. */
export function splitUtf8(text: string, limit = TEXT_LIMIT_BYTES): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > limit) {
    let end = 0;
    let bytes = 0;
    for (const ch of rest) {
      const size = Buffer.byteLength(ch);
      if (bytes + size > limit) break;
      bytes += size;
      end += ch.length;
    }
    const newline = rest.lastIndexOf('\n', end);
    const cut = newline > end / 2 ? newline + 1 : end;
    pieces.push(rest.slice(0, cut).replace(/\n+$/, ''));
    rest = rest.slice(cut);
  }
  if (rest.trim()) pieces.push(rest);
  return pieces;
}

export function fitsCard(choices: readonly Choice[]): boolean {
  return (
    choices.length > 0 &&
    choices.length <= CARD_LIMITS.buttons &&
    choices.every((c) => [...c.label].length <= CARD_LIMITS.buttonChars && Buffer.byteLength(c.value) <= CARD_LIMITS.keyBytes)
  );
}

/** task_id: WeCom wants it unique per app, ≤128 bytes of letters, digits and _-@ */
export function randomTaskId(): string {
  return `r${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/**
 * The same task_id for the same card to the same people on the same day, so a retried call is the
 * same request and WeCom's duplicate check (enable_duplicate_check) drops it instead of showing it twice.
 */
export function stableTaskId(recipients: readonly string[], reply: Reply, day: string): string {
  const digest = createHash('sha256').update(JSON.stringify([[...recipients].sort(), reply.text, reply.choices ?? [], day])).digest('hex');
  return `o${digest.slice(0, 40)}`;
}

function clip(text: string, chars: number): string {
  const list = [...text];
  return list.length <= chars ? text : `${list.slice(0, chars - 1).join('')}…`;
}

/** The messages of one reply, in order (a document's upload happens when it is sent). */
export function renderReply(reply: Reply, taskId: string): WecomMessage[] {
  const messages: WecomMessage[] = [];
  const choices = reply.choices ?? [];
  const card = fitsCard(choices);
  const text = card ? reply.text : renderPlainText(reply);
  // the text always goes as a text message: members who read the app inside WeChat (the WeCom
  // plugin) see text but not every card, and can still answer by typing (“1”, “收到”)
  if (text.trim()) for (const piece of splitUtf8(text)) messages.push({ msgtype: 'text', text: { content: piece } });
  if (card) {
    messages.push({
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: '请选择', desc: clip(text.split('\n')[0]!.trim(), CARD_LIMITS.descChars) },
        task_id: taskId,
        button_list: choices.map((c, i) => ({ text: c.label, style: i === 0 ? 1 : 2, key: c.value })),
      },
    });
  }
  if (reply.document) {
    if (reply.document.caption) messages.push({ msgtype: 'text', text: { content: reply.document.caption } });
    messages.push({ msgtype: 'file', document: { filename: reply.document.filename, content: reply.document.content } });
  }
  return messages;
}
