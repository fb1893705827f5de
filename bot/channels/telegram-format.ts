// The pure half of the Telegram adapter: how a Reply becomes Bot API calls (message splitting,
// inline keyboards within Telegram's 64-byte callback_data limit, the contact-request keyboard) and
// how a failed call becomes a DeliveryError the outbox understands. No I/O here, so it is tested
// table-driven without a server.
import { createHash } from 'node:crypto';
import { GrammyError, HttpError } from 'grammy';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import { DeliveryError, type Choice, type Reply } from '../core/types.ts';

/** Telegram's limits (https://core.telegram.org/bots/api): message text, document caption, callback_data bytes. */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;
export const CALLBACK_DATA_LIMIT = 64;

export const SHARE_PHONE_LABEL = '分享我的手机号';

/** Prefix of a callback_data that stands for a choice value too long to fit: a hash of it. */
const HASHED = '~';

export function callbackDataFor(value: string): string {
  if (Buffer.byteLength(value, 'utf8') <= CALLBACK_DATA_LIMIT && !value.startsWith(HASHED)) return value;
  return HASHED + createHash('sha256').update(value).digest('base64url').slice(0, 40);
}

/**
 * The choice value a button stood for. Long values travel as a hash and are found again among the
 * choices the chat was last offered (the core keeps them); an unknown hash stays as it is, and the
 * core answers that the option has expired.
 */
/** Whether callback data stands for a long choice value, which only the offered choices can resolve. */
export function isHashedCallbackData(data: string): boolean {
  return data.startsWith(HASHED);
}

export function choiceFromCallbackData(data: string, offered: readonly Choice[]): string {
  if (!data.startsWith(HASHED)) return data;
  return offered.find((c) => callbackDataFor(c.value) === data)?.value ?? data;
}

export function inlineKeyboardFor(choices: readonly Choice[]): InlineKeyboardMarkup {
  // short labels share a row (like 确认 / 修改), long ones get their own so they are not cut off
  const rows: { text: string; callback_data: string }[][] = [];
  let row: { text: string; callback_data: string }[] = [];
  let rowChars = 0;
  for (const choice of choices) {
    const button = { text: choice.label, callback_data: callbackDataFor(choice.value) };
    if (row.length > 0 && (row.length >= 3 || rowChars + choice.label.length > 16)) {
      rows.push(row);
      row = [];
      rowChars = 0;
    }
    row.push(button);
    rowChars += choice.label.length;
  }
  if (row.length) rows.push(row);
  return { inline_keyboard: rows };
}

export const sharePhoneKeyboard: ReplyKeyboardMarkup = {
  keyboard: [[{ text: SHARE_PHONE_LABEL, request_contact: true }]],
  resize_keyboard: true,
  one_time_keyboard: true,
};

export const removeKeyboard: ReplyKeyboardRemove = { remove_keyboard: true };

/** Splits text into Telegram-sized pieces, at a line break where possible. */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf('\n', limit);
    if (cut < limit / 2) cut = limit;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  pieces.push(rest);
  return pieces;
}

export type TelegramCall =
  | { method: 'sendMessage'; text: string; reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove }
  | { method: 'sendDocument'; filename: string; content: Uint8Array; caption?: string }
  | { method: 'sendPhoto'; filename: string; content: Uint8Array; caption?: string };

/**
 * The calls one Reply needs, in order. Choices ride on the last text piece; a contact request needs
 * a reply keyboard, which cannot share a message with an inline keyboard, so with both it gets a
 * message of its own. `afterContact` removes the contact keyboard once it has done its job.
 */
export function callsForReply(reply: Reply, options: { afterContact?: boolean } = {}): TelegramCall[] {
  const calls: TelegramCall[] = [];
  const text = reply.text.trim() === '' ? null : reply.text;
  let caption: string | undefined = reply.document?.caption;
  let textForMessages = text;
  if (reply.document && caption === undefined && text && text.length <= TELEGRAM_CAPTION_LIMIT && !reply.choices?.length && !reply.requestPhone) {
    caption = text;
    textForMessages = null;
  }
  if (textForMessages !== null) {
    const pieces = splitText(textForMessages);
    pieces.forEach((piece, i) => {
      const last = i === pieces.length - 1;
      let markup: TelegramCall & { method: 'sendMessage' } = { method: 'sendMessage', text: piece };
      if (last && reply.choices?.length) markup = { ...markup, reply_markup: inlineKeyboardFor(reply.choices) };
      else if (last && reply.requestPhone) markup = { ...markup, reply_markup: sharePhoneKeyboard };
      else if (last && options.afterContact) markup = { ...markup, reply_markup: removeKeyboard };
      calls.push(markup);
    });
  }
  if (reply.requestPhone && (reply.choices?.length || textForMessages === null)) {
    calls.push({ method: 'sendMessage', text: `也可以点击下方“${SHARE_PHONE_LABEL}”按钮，用通信名录中登记的手机号直接绑定。`, reply_markup: sharePhoneKeyboard });
  }
  if (reply.document) {
    calls.push({ method: 'sendDocument', filename: reply.document.filename, content: reply.document.content, ...(caption ? { caption: caption.slice(0, TELEGRAM_CAPTION_LIMIT) } : {}) });
  }
  if (reply.image) {
    const imageCaption = reply.image.caption;
    calls.push({ method: 'sendPhoto', filename: reply.image.filename, content: reply.image.content, ...(imageCaption ? { caption: imageCaption.slice(0, TELEGRAM_CAPTION_LIMIT) } : {}) });
  }
  return calls;
}

// Descriptions Telegram uses (with code 400) when the chat is gone rather than the request wrong.
const GONE = /chat not found|user not found|PEER_ID_INVALID|bot was blocked|user is deactivated|bot was kicked|have no rights to send/i;

/** What a failed Bot API call means for delivery: try later, stop trying this chat, or give up on the message. */
export function deliveryErrorFor(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const what = `telegram ${error.method}: ${code ?? '?'} ${error.description ?? ''}`.trim();
    if (code === 429) {
      const seconds = error.parameters.retry_after;
      return new DeliveryError(what, 'transient', typeof seconds === 'number' ? seconds * 1000 : undefined);
    }
    if (code === 403 || (code === 400 && GONE.test(error.description ?? ''))) return new DeliveryError(what, 'unreachable');
    if (code === undefined || code >= 500) return new DeliveryError(what, 'transient');
    return new DeliveryError(what, 'permanent');
  }
  if (error instanceof HttpError) return new DeliveryError(`telegram network error: ${error.message}`, 'transient');
  return new DeliveryError(error instanceof Error ? error.message : String(error), 'transient');
}
