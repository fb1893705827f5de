// The resource-release notice (资源发放通知) as data: its audience, how to fetch, and the texts its
// recipients get. Source: 三（二）一: 随时了解市支中心资源发放通知，在规定时间内通过硬盘拷贝、VPN或FTP传输等
// 方式获取资源. Pure functions only; the database edge is in release.ts and status.ts.
import { z } from 'zod';
import { POINT_LEVEL_LABELS } from '../../bot/domain.ts';
import type { Choice } from '../../bot/core/types.ts';
import { fromLocal, localDateString, toLocal } from '../../bot/time.ts';

export const FETCH_METHODS = ['hardDisk', 'vpn', 'ftp'] as const;
export type FetchMethod = (typeof FETCH_METHODS)[number];

export const FETCH_METHOD_LABELS: Record<FetchMethod, string> = {
  hardDisk: '硬盘拷贝',
  vpn: 'VPN',
  ftp: 'FTP',
};

/** what an operator may type for each method */
const FETCH_METHOD_WORDS: Record<FetchMethod, string[]> = {
  hardDisk: ['硬盘拷贝', '硬盘', '拷贝', 'hdd', 'harddisk', 'disk'],
  vpn: ['vpn'],
  ftp: ['ftp'],
};

export function parseFetchMethod(input: string): FetchMethod | null {
  const word = input.trim().toLowerCase();
  for (const method of FETCH_METHODS) if (FETCH_METHOD_WORDS[method].includes(word)) return method;
  return null;
}

/** Levels a notice may address (the sub-center's own entry is the sender, never an audience). */
export const AUDIENCE_LEVELS = ['town', 'village', 'school', 'enterprise'] as const;
export type AudienceLevel = (typeof AUDIENCE_LEVELS)[number];

export const LEVEL_LABELS: Record<AudienceLevel, string> = POINT_LEVEL_LABELS;

const LEVEL_WORDS: Record<AudienceLevel, string[]> = {
  town: ['镇级', '镇', '镇街', '镇(街)', '镇（街）', 'town'],
  village: ['村级', '村', '村居', '村(居)', '村（居）', 'village'],
  school: ['学校', 'school'],
  enterprise: ['企业', 'enterprise'],
};

export function parseLevel(input: string): AudienceLevel | null {
  const word = input.trim().toLowerCase();
  for (const level of AUDIENCE_LEVELS) if (LEVEL_WORDS[level].includes(word)) return level;
  return null;
}

export const AudienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all'), values: z.array(z.string()).max(0).default([]) }),
  z.object({ kind: z.literal('level'), values: z.array(z.enum(AUDIENCE_LEVELS)).min(1) }),
  z.object({ kind: z.literal('towns'), values: z.array(z.string().min(1)).min(1) }),
  /** service point ids */
  z.object({ kind: z.literal('points'), values: z.array(z.number().int().positive()).min(1) }),
]);
export type Audience = z.infer<typeof AudienceSchema>;

export function parseAudienceJson(json: string): Audience {
  return AudienceSchema.parse(JSON.parse(json));
}

export function describeAudience(audience: Audience, pointNames: Map<number, string> = new Map()): string {
  switch (audience.kind) {
    case 'all':
      return '全部基层服务点';
    case 'level':
      return `级别：${audience.values.map((v) => LEVEL_LABELS[v]).join('、')}`;
    case 'towns':
      return `镇街：${audience.values.join('、')}`;
    case 'points':
      return `指定服务点：${audience.values.map((id) => pointNames.get(id) ?? `#${id}`).join('、')}`;
  }
}

/** Notice.fetchMethod: one method or several, comma-separated ("hardDisk,ftp"). */
const FETCH_METHOD_LIST = new RegExp(`^(${FETCH_METHODS.join('|')})(,(${FETCH_METHODS.join('|')}))*$`);

export function fetchMethodsOf(stored: string | null): FetchMethod[] {
  return (stored ?? '').split(',').filter((m): m is FetchMethod => (FETCH_METHODS as readonly string[]).includes(m));
}

export const NoticeDraftSchema = z.object({
  title: z.string().trim().min(1, '标题不能为空').max(100, '标题请不超过100字'),
  body: z.string().trim().min(1, '正文不能为空').max(2000, '正文请不超过2000字'),
  fetchMethod: z.string().regex(FETCH_METHOD_LIST).nullable(),
  fetchAddress: z.string().trim().max(1000, '地址请不超过1000字').nullable(),
  /** local date YYYY-MM-DD */
  deadline: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  audience: AudienceSchema,
  /** ISO instant, null: at once */
  scheduledFor: z.string().nullable(),
});
export type NoticeDraft = z.infer<typeof NoticeDraftSchema>;

/** "2026-11-30" → that day, or null with the reason in Chinese. */
export function parseLocalDate(input: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(input.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = toLocal(fromLocal(year, month, day, 12));
  if (probe.year !== year || probe.month !== month || probe.day !== day) return null;
  return { year, month, day };
}

export function formatLocalDate(d: { year: number; month: number; day: number }): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** "2026-07-10 09:00" (or "2026年7月10日 9:00") → the instant, in Dongguan time. */
export function parseLocalDateTime(input: string): Date | null {
  const m = /^(.+?)\s+(\d{1,2})[:：](\d{2})$/.exec(input.trim());
  const datePart = m ? m[1]! : input.trim();
  const date = parseLocalDate(datePart);
  if (!date) return null;
  const hour = m ? Number(m[2]) : 9;
  const minute = m ? Number(m[3]) : 0;
  if (hour > 23 || minute > 59) return null;
  return fromLocal(date.year, date.month, date.day, hour, minute);
}

/** A pickup deadline is the whole named day: stored as its last minute in Dongguan. */
export function deadlineInstant(localDate: string): Date {
  const d = parseLocalDate(localDate);
  if (!d) throw new Error(`bad deadline date: ${localDate}`);
  return fromLocal(d.year, d.month, d.day, 23, 59);
}

export function chineseDate(at: Date): string {
  const l = toLocal(at);
  return `${l.year}年${l.month}月${l.day}日`;
}

export function ackChoice(noticeId: number): Choice {
  return { label: '收到', value: `notice:ack:${noticeId}` };
}

export interface NoticeContent {
  id: number;
  title: string;
  body: string;
  fetchMethod: string | null;
  fetchAddress: string | null;
  deadline: Date | null;
}

export function fetchLine(notice: Pick<NoticeContent, 'fetchMethod' | 'fetchAddress'>): string | null {
  const methods = fetchMethodsOf(notice.fetchMethod);
  if (methods.length === 0 && !notice.fetchAddress) return null;
  if (methods.length === 0) return `领取方式：${notice.fetchAddress}`;
  const labels = methods.map((m) => FETCH_METHOD_LABELS[m]).join('、');
  if (!notice.fetchAddress) return `领取方式：${labels}`;
  // several methods: the address text names each method itself (see fetchAddressText)
  return methods.length > 1 ? `领取方式：${labels}（${notice.fetchAddress}）` : `领取方式：${labels}（地址：${notice.fetchAddress}）`;
}

/** The addresses of the chosen methods as one text: the address alone for one method, "硬盘拷贝：…；FTP：…" for several. */
export function fetchAddressText(methods: readonly FetchMethod[], addresses: Partial<Record<FetchMethod, string | null>>): string | null {
  const given = methods.filter((m) => addresses[m]);
  if (given.length === 0) return null;
  if (methods.length === 1) return addresses[methods[0]!]!;
  return given.map((m) => `${FETCH_METHOD_LABELS[m]}：${addresses[m]}`).join('；');
}

/** The message every recipient gets. */
export function renderNoticeText(notice: NoticeContent): string {
  const lines = [`【资源发放通知】${notice.title}`, notice.body];
  const fetch = fetchLine(notice);
  if (fetch) lines.push(fetch);
  if (notice.deadline) lines.push(`领取截止：${chineseDate(notice.deadline)}`);
  lines.push('收到请回复“收到”，或点“收到”按钮确认。');
  return lines.join('\n');
}

export function renderNoticeReminderText(notice: NoticeContent): string {
  const lines = [`【通知提醒】《${notice.title}》`];
  if (notice.deadline) lines.push(`领取截止日期是明天（${chineseDate(notice.deadline)}），贵服务点尚未确认收到。`);
  const fetch = fetchLine(notice);
  if (fetch) lines.push(fetch);
  lines.push('请按通知在截止前获取资源，并回复“收到”确认。');
  return lines.join('\n');
}

export function noticeDedupeKey(noticeId: number, contactId: number): string {
  return `notice:${noticeId}:contact:${contactId}`;
}

export function localDeadlineString(deadline: Date | null): string | null {
  return deadline ? localDateString(deadline) : null;
}
