// Channel names as operators read them, and counts per channel for status summaries.
export const CHANNEL_LABELS: Record<string, string> = {
  telegram: 'Telegram',
  wechat: '微信',
  wecom: '企业微信',
  email: '电子邮件',
  console: '控制台',
};

const ORDER = ['wecom', 'wechat', 'telegram', 'email', 'console'];

/** "企业微信 3，电子邮件 1" for the channels that occur, in a fixed order; '' for none. */
export function formatChannelCounts(channels: Iterable<string | null | undefined>): string {
  const counts = new Map<string, number>();
  for (const c of channels) if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (ORDER.indexOf(a) + 99) % 99 - ((ORDER.indexOf(b) + 99) % 99))
    .map(([c, n]) => `${CHANNEL_LABELS[c] ?? c} ${n}`)
    .join('，');
}
