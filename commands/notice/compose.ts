// Turning what an operator types (towns, point names, levels) into an audience, and the preview
// shown before a notice goes out. Shared by the chat dialogue and `gxgc notice send`.
import type { NoticeQueries } from '../../bot/core/queries.ts';
import { localDateTimeString } from '../../bot/time.ts';
import { countReachability } from '../../bot/db/reachability.ts';
import {
  AUDIENCE_LEVELS,
  LEVEL_LABELS,
  describeAudience,
  parseLevel,
  renderNoticeText,
  deadlineInstant,
  type Audience,
  type AudienceLevel,
  type NoticeDraft,
} from './model.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function splitList(input: string): string[] {
  return input
    .split(/[、,，;；\n]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseLevels(input: string): Parsed<AudienceLevel[]> {
  const words = splitList(input).flatMap((w) => w.split(/\s+/));
  const levels: AudienceLevel[] = [];
  const unknown: string[] = [];
  for (const word of words) {
    const level = parseLevel(word);
    if (level) {
      if (!levels.includes(level)) levels.push(level);
    } else unknown.push(word);
  }
  const allowed = AUDIENCE_LEVELS.map((l) => LEVEL_LABELS[l]).join('、');
  if (unknown.length > 0) return { ok: false, error: `不认识的级别：${unknown.join('、')}。可选：${allowed}。` };
  if (levels.length === 0) return { ok: false, error: `请写出级别，可选：${allowed}（可写多个，用顿号隔开）。` };
  return { ok: true, value: levels };
}

export async function parseTowns(notices: NoticeQueries, input: string): Promise<Parsed<string[]>> {
  const names = [...new Set(splitList(input))];
  if (names.length === 0) return { ok: false, error: '请写出镇街名称，多个用顿号隔开，例如：莞城街道、石龙镇。' };
  const known = new Set(await notices.audienceTowns());
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const hint = [...known].filter((k) => unknown.some((u) => k.includes(u) || u.includes(k))).slice(0, 5);
    return {
      ok: false,
      error: `通信名录中没有这些镇街：${unknown.join('、')}。${hint.length ? `您是不是指：${hint.join('、')}？` : ''}请按名录中的写法重新输入。`,
    };
  }
  return { ok: true, value: names };
}

/** "莞城街道/罗沙社区、西湖村": a name alone works when it is unique in the directory. */
export async function parsePoints(notices: NoticeQueries, input: string): Promise<Parsed<number[]>> {
  const tokens = [...new Set(splitList(input))];
  if (tokens.length === 0) return { ok: false, error: '请写出服务点名称，多个用顿号隔开；重名时写成“镇街/服务点”，例如：莞城街道/罗沙社区。' };
  const points = await notices.audiencePoints();
  const ids: number[] = [];
  const unknown: string[] = [];
  const ambiguous: string[] = [];
  for (const token of tokens) {
    const [town, name] = token.includes('/') || token.includes('／') ? token.split(/[/／]/).map((s) => s.trim()) : [null, token];
    const matches = points.filter((p) => p.name === name && (town === null || p.town === town));
    if (matches.length === 1) {
      if (!ids.includes(matches[0]!.id)) ids.push(matches[0]!.id);
    } else if (matches.length === 0) unknown.push(token);
    else ambiguous.push(`${token}（${matches.map((m) => `${m.town}/${m.name}`).join('、')}）`);
  }
  const problems: string[] = [];
  if (unknown.length) problems.push(`通信名录中没有：${unknown.join('、')}`);
  if (ambiguous.length) problems.push(`有重名，请写成“镇街/服务点”：${ambiguous.join('；')}`);
  if (problems.length) return { ok: false, error: `${problems.join('。')}。请重新输入。` };
  return { ok: true, value: ids };
}

export interface NoticePreview {
  text: string;
  recipients: number;
  points: number;
  /** recipients the notice can reach now (bot/db/reachability.ts) */
  bound: number;
  notBound: number;
  blocked: number;
}

/** The recipients line, in the words /notice status uses for the same people afterwards. */
export function recipientsLine(recipients: number, points: number, counts: { reachable: number; notBound: number; blocked: number }): string {
  const parts = [`收件人：${recipients} 人（${points} 个服务点），其中可以送达 ${counts.reachable} 人`];
  if (counts.notBound > 0) parts.push(`未绑定机器人的 ${counts.notBound} 人将记为“未绑定”`);
  if (counts.blocked > 0) parts.push(`已屏蔽机器人的 ${counts.blocked} 人将记为“发送失败”`);
  return `${parts.join('；')}。`;
}

/** What the operator confirms: the message as recipients will see it, and whom it reaches. */
export async function previewNotice(notices: NoticeQueries, draft: NoticeDraft): Promise<NoticePreview> {
  const { points, contacts } = await notices.audience(draft.audience);
  const counts = countReachability((await notices.reachability(contacts.map((c) => c.id))).values());
  const reached = new Set(contacts.map((c) => c.servicePointId));
  const withoutContact = points.filter((p) => !reached.has(p.id));
  const pointNames = new Map(points.map((p) => [p.id, `${p.town}/${p.name}`]));
  const message = renderNoticeText({
    id: 0,
    title: draft.title,
    body: draft.body,
    fetchMethod: draft.fetchMethod,
    fetchAddress: draft.fetchAddress,
    deadline: draft.deadline ? deadlineInstant(draft.deadline) : null,
  });
  const lines = ['【通知预览】', message, '', `发送对象：${describeAudience(draft.audience, pointNames)}`];
  lines.push(recipientsLine(contacts.length, reached.size, counts));
  if (withoutContact.length > 0) {
    lines.push(`注意：${withoutContact.length} 个服务点在名录中没有联系人，收不到：${withoutContact.slice(0, 10).map((p) => `${p.town}/${p.name}`).join('、')}${withoutContact.length > 10 ? '等' : ''}`);
  }
  lines.push(draft.scheduledFor ? `发送时间：${localDateTimeString(new Date(draft.scheduledFor))}（定时）` : '发送时间：确认后立即发送');
  return { text: lines.join('\n'), recipients: contacts.length, points: reached.size, bound: counts.reachable, notBound: counts.notBound, blocked: counts.blocked };
}

export type { Audience };
