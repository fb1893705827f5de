// A ChannelSender that keeps what it sends in memory: the console channel and the tests deliver
// through it. Like wechaty-puppet-mock, it is a real adapter with knobs, not a stub: it can be told
// that a chat fails transiently (a number of times, optionally with the platform's retry-after) or
// has blocked the bot.
import { DeliveryError, type ChannelName, type ChannelSender, type Reply } from '../bot/core/types.ts';

export interface SentMessage {
  chatId: string;
  reply: Reply;
}

export interface MemorySender extends ChannelSender {
  readonly sent: SentMessage[];
  /** messages sent to one chat, in order */
  sentTo(chatId: string): SentMessage[];
  /** the next `times` sends to this chat fail with a transient DeliveryError */
  failTransiently(chatId: string, times: number, retryAfterMs?: number): void;
  /** every send to this chat fails as unreachable (the person blocked the bot) until unblocked */
  markUnreachable(chatId: string): void;
  unblock(chatId: string): void;
  /** observe each successful send (the console prints them) */
  onSend(listener: (message: SentMessage) => void): void;
  clear(): void;
}

export function createMemorySender(channel: ChannelName): MemorySender {
  const sent: SentMessage[] = [];
  const transient = new Map<string, { left: number; retryAfterMs?: number }>();
  const unreachable = new Set<string>();
  const listeners: ((message: SentMessage) => void)[] = [];

  return {
    channel,
    sent,
    async send(chatId: string, reply: Reply): Promise<void> {
      if (unreachable.has(chatId)) throw new DeliveryError(`${channel} chat ${chatId} blocked the bot`, 'unreachable');
      const failing = transient.get(chatId);
      if (failing && failing.left > 0) {
        failing.left -= 1;
        throw new DeliveryError(`${channel} chat ${chatId}: temporary failure`, 'transient', failing.retryAfterMs);
      }
      const message = { chatId, reply: structuredClone(reply) };
      sent.push(message);
      for (const listener of listeners) listener(message);
    },
    sentTo: (chatId) => sent.filter((m) => m.chatId === chatId),
    failTransiently(chatId, times, retryAfterMs) {
      transient.set(chatId, retryAfterMs === undefined ? { left: times } : { left: times, retryAfterMs });
    },
    markUnreachable: (chatId) => void unreachable.add(chatId),
    unblock: (chatId) => void unreachable.delete(chatId),
    onSend: (listener) => void listeners.push(listener),
    clear() {
      sent.length = 0;
      transient.clear();
      unreachable.clear();
    },
  };
}
