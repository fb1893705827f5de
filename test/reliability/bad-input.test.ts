// 10,000 generated messages — random unicode, 64 KB texts, emoji, control characters, SQL and HTML
// fragments, impossible numbers, Chinese numerals, unknown commands, stale choices — from known and
// unknown chats. The process must not crash, every message must get a clear reply (or be rate
// limited), no capability may fail internally, and the database must stay consistent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import type { IncomingMessage } from '../../bot/core/types.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { seededRandom, type Random } from './support/random.ts';

const FIELD_WORDS = ['服务人次', '开放天数', '开放时长', '活动场次', '活动参与人次', '培训场次', '培训人次', '可用电脑', '到馆人次', '接待人次', '备注'];
const NUMBERS = ['-5', '0', '3.5', '1e309', '99999999999999999999', '一百二十', '二十二', '两千零五', '１２０', 'NaN', '∞', '½', '40', '800', '0x1F', '12abc'];
const FRAGMENTS = [
  "'; DROP TABLE \"Contact\"; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<b>粗体</b>&amp;',
  '${process.exit(1)}',
  '{{7*7}}',
  '\u0000\u0001\u0007\u001b[31m',
  '\u202Eevil\u202C',
  '👍🏽👨‍👩‍👧‍👦🀄️',
  '\uD800',
  '本月无新增',
  '收到',
  '取消',
  '上个月',
  '10月的数据',
  '验收需要准备什么？',
  '替示例二村报',
  '1',
  '2',
  '3',
  '9',
];
const COMMANDS = ['/help', '/start', '/report', '/status', '/export', '/export 2026-13', '/notice', '/notice_status 99999', '/bind', '/bind 12345678', '/whoami', '/directory', '/acceptance', '/standards 村', '/cancel', '/nosuch', '/', '//', '/report@other_bot extra', '月报', '进度', '导出', '发通知', '名录', '绑定 x'];
const CHOICES = ['report:confirm', 'report:change', 'report:cancel', 'report:asIs', 'notice:ack:1', 'notice:ack:999999', 'notice:confirm', 'notice:send', 'bind:phone', 'unknown:x', 'report:', ':', 'report:confirm:extra', 'report:@deadbeef.1:confirm', 'notice:@00000000.0:confirm', 'report:@zz'];

function randomUnicode(r: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const range = r.pick([
      [0x20, 0x7e],
      [0x4e00, 0x9fff],
      [0x3000, 0x303f],
      [0xff00, 0xffef],
      [0x1f300, 0x1faff],
      [0x0, 0x1f],
      [0x0600, 0x06ff],
    ] as const);
    s += String.fromCodePoint(range[0] + r.int(range[1] - range[0] + 1));
  }
  return s;
}

function generateMessage(r: Random): Pick<IncomingMessage, 'text' | 'choice'> {
  switch (r.int(9)) {
    case 0:
      return { text: randomUnicode(r, 1 + r.int(80)) };
    case 1:
      return { text: r.int(4) === 0 ? 'x'.repeat(64 * 1024) : randomUnicode(r, 1000 + r.int(3000)) };
    case 2:
      return { text: Array.from({ length: 1 + r.int(4) }, () => `${r.pick(FIELD_WORDS)}${r.pick(['', ':', '是', ' '])}${r.pick(NUMBERS)}${r.pick(['', '人次', '小时', '天', '场'])}`).join(r.pick(['，', ',', '、', ' ', '；'])) };
    case 3:
      return { text: r.pick(FRAGMENTS) };
    case 4:
      return { text: `${r.pick(COMMANDS)}${r.int(2) ? '' : ' ' + r.pick([...FRAGMENTS, ...NUMBERS])}` };
    case 5:
      return { choice: r.pick(CHOICES) };
    case 6:
      return { text: `${r.pick(FIELD_WORDS)}改成${r.pick(NUMBERS)}` };
    case 7:
      return { text: `${r.pick(['村级', '镇级', '我们村', '学校'])}${r.pick(['需要几台电脑', '每周开放多少小时', '要投影仪吗', '经费多少'])}${r.pick(['？', '?', '', '??!!'])}` };
    default:
      return { text: r.pick(['', ' ', '\n\t', '。', '？', '0']) };
  }
}

const APOLOGY = '处理您的消息时出了问题';

describe.each(TEST_PROVIDERS)('bad input on %s', (provider) => {
  let bot: TestBot;
  const total = provider === 'sqlite' ? 10_000 : 1_000;
  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-03T02:00:00Z' });
  });
  afterAll(async () => bot.close());

  it(`answers ${total} generated messages clearly, with no internal failure`, async () => {
    const r = seededRandom(20261125);
    const known = await Promise.all(Object.values(DEMO).map((mobile) => bot.chat(mobile)));
    const unknown = await Promise.all(Array.from({ length: 20 }, () => bot.chat()));
    const chats = [...known, ...unknown];
    const failures: string[] = [];
    let answered = 0;
    let silent = 0;
    for (let i = 0; i < total; i++) {
      const chat = chats[i % chats.length]!;
      const message = generateMessage(r);
      // a second a message: no chat reaches the flood limit, which has its own test
      bot.clock.advance(1000);
      const replies = await bot.core.handleMessage({ channel: 'console', chatId: chat.chatId, ...message });
      if (replies.length === 0) silent++;
      for (const reply of replies) {
        if (!reply.text.trim()) failures.push(`${JSON.stringify(message).slice(0, 80)} → empty reply`);
        if (reply.text.includes(APOLOGY)) failures.push(`${JSON.stringify(message).slice(0, 80)} → internal failure`);
        if (/\bat .+\.ts:\d+|TypeError|ReferenceError|PrismaClient|\[object Object\]/.test(reply.text)) failures.push(`${JSON.stringify(message).slice(0, 80)} → leaks internals: ${reply.text.slice(0, 120)}`);
      }
      if (replies.length) answered++;
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(silent).toBe(0);
    expect(answered).toBe(total);
  }, 600_000);

  it('leaves the database consistent: whole reports only, every revision kept, no orphans', async () => {
    const fields = await bot.db.reportField.findMany();
    const reports = await bot.db.monthlyReport.findMany({ include: { revisions: { orderBy: { revision: 'asc' } } } });
    for (const report of reports) {
      expect(report.revisions.map((v) => v.revision)).toEqual(Array.from({ length: report.revision }, (_, i) => i + 1));
      const latest = report.revisions.at(-1)!;
      expect(JSON.parse(latest.figures)).toEqual(JSON.parse(report.figures));
      expect(latest.status).toBe(report.status);
      const figures = JSON.parse(report.figures) as Record<string, unknown>;
      if (report.status === 'reported') {
        for (const field of fields.filter((f) => f.required)) expect(figures[field.key], `${field.key} of report ${report.id}`).toBeTypeOf('number');
      }
      for (const field of fields) {
        const value = figures[field.key];
        if (typeof value !== 'number') continue;
        expect(Number.isFinite(value)).toBe(true);
        if (field.min !== null) expect(value).toBeGreaterThanOrEqual(field.min);
        if (field.max !== null) expect(value).toBeLessThanOrEqual(field.max);
      }
    }
    const contacts = new Set((await bot.db.contact.findMany({ select: { id: true } })).map((c) => c.id));
    const points = new Set((await bot.db.servicePoint.findMany({ select: { id: true } })).map((p) => p.id));
    for (const r of reports) expect(points.has(r.servicePointId)).toBe(true);
    for (const o of await bot.db.outboxMessage.findMany({ select: { contactId: true } })) expect(contacts.has(o.contactId)).toBe(true);
    for (const c of await bot.db.conversation.findMany()) {
      expect(() => JSON.parse(c.state)).not.toThrow();
      expect(Array.isArray(JSON.parse(c.choices))).toBe(true);
    }
    expect(await bot.db.contact.count()).toBe(12);
  });
});
