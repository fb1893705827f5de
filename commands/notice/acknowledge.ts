// Acknowledging a notice in words: "收到", "收到了，谢谢", "好的收到", "已阅", "知道了", "👌". Such a message is
// an acknowledgement only where a notice awaits one; with nothing pending, the person is told so (and
// that the last notice was already confirmed) rather than shown a menu. Pure: the capability looks up
// the pending and last acknowledged notices and calls these.
import { isAcknowledgement } from '../../bot/language/text.ts';

/** How sure it is that the message acknowledges a notice: sure with one pending, likely without. */
export function acknowledgementScore(text: string, pending: number): number {
  if (!isAcknowledgement(text)) return 0;
  // without a pending notice the words still are an acknowledgement, answered "nothing to confirm"
  return pending > 0 ? 0.9 : 0.5;
}

/** The answer to an acknowledgement when no notice awaits one. */
export function nothingToAcknowledge(lastAcknowledged: { title: string } | null): string {
  if (lastAcknowledged) return `没有待确认的通知。您已确认过《${lastAcknowledged.title}》，谢谢！`;
  return '没有待确认的通知。有新的资源发放通知时，回复“收到”即可确认。';
}
