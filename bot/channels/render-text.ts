// How choices look where there are no buttons (WeChat, the console): numbered options the person
// answers with a digit. The core maps the digit back to the choice.
import type { Reply } from '../core/types.ts';

export function renderPlainText(reply: Reply): string {
  if (!reply.choices?.length) return reply.text;
  const options = reply.choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
  const first = reply.choices[0]!;
  return `${reply.text}\n\n${options}\n（回复数字选择，例如回复 1 表示“${first.label}”）`;
}
