// What the schedule would send on one day, and to whom, without writing anything: the plan for
// the end of that day (every stage of the day due), against the reports and acknowledgements as they
// stand now. Messages whose dedupe key is already in the outbox are shown as such.
import type { Db } from '../bot/db/client.ts';
import { fromLocal, localDateTimeString } from '../bot/time.ts';
import { resolveAudience } from '../bot/db/notice-store.ts';
import { REPORT_STAGES } from './reminders.ts';
import { planAt } from './tick.ts';
import type { ReminderSettings } from './settings.ts';
import type { PlannedMessage } from './plan-types.ts';

const STAGE_LABELS: Record<string, string> = {
  ...Object.fromEntries(REPORT_STAGES.map((s) => [s.id, `月报${s.label}`])),
  noticeReminder: '通知截止前一天提醒（未确认的服务点）',
  noticeEscalation: '通知截止日告知镇（街）未确认名单',
  inspectionReminder: '验收期限前两个工作日提醒（市支中心）',
  inspectionOverdue: '验收期限已过、尚未作出结论（市支中心）',
  reinspectionDue: '年度复查：今年尚未复查的已挂牌镇（街）服务点',
  rectificationOverdue: '限期整改已过期限（市支中心）',
};

export interface PreviewRecipient {
  contactId: number;
  contactName: string;
  point: string;
  channels: string[];
  alreadyQueued: boolean;
}

export interface PreviewGroup {
  stage: string;
  label: string;
  sample: string;
  recipients: PreviewRecipient[];
}

export interface DayPreview {
  date: string;
  groups: PreviewGroup[];
  scheduledNotices: { id: number; title: string; at: Date; recipients: number }[];
}

export async function previewDay(db: Db, day: { year: number; month: number; day: number }, settings: ReminderSettings): Promise<DayPreview> {
  const endOfDay = fromLocal(day.year, day.month, day.day, 23, 59);
  // catch-up sends are what a missed day leaves over; the preview shows the regular schedule
  const planned = await planAt(db, endOfDay, { ...settings, catchUpDays: 0 });
  const queued = new Set(
    (await db.outboxMessage.findMany({ where: { dedupeKey: { in: planned.map((p) => p.dedupeKey) } }, select: { dedupeKey: true } })).map((r) => r.dedupeKey),
  );
  const contacts = new Map(
    (
      await db.contact.findMany({
        where: { id: { in: [...new Set(planned.map((p) => p.contactId))] } },
        include: { servicePoint: { select: { town: true, name: true } }, identities: { where: { blockedAt: null }, select: { channel: true } } },
      })
    ).map((c) => [c.id, c]),
  );
  const groups = new Map<string, { sample: string; messages: PlannedMessage[] }>();
  for (const p of planned) {
    const key = p.noticeId ? `${p.stage}:${p.noticeId}` : p.stage;
    const group = groups.get(key) ?? { sample: p.text, messages: [] };
    group.messages.push(p);
    groups.set(key, group);
  }
  const scheduled = await db.notice.findMany({
    where: { status: 'scheduled', scheduledFor: { gte: fromLocal(day.year, day.month, day.day), lt: fromLocal(day.year, day.month, day.day + 1) } },
    orderBy: { scheduledFor: 'asc' },
  });
  const scheduledNotices = [];
  for (const n of scheduled) {
    const { contacts: reached } = await resolveAudience(db, JSON.parse(n.audience));
    scheduledNotices.push({ id: n.id, title: n.title, at: n.scheduledFor!, recipients: reached.length });
  }
  return {
    date: `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`,
    groups: [...groups].map(([key, g]) => {
      const stage = g.messages[0]!.stage;
      const noticeId = g.messages[0]!.noticeId;
      return {
        stage: key,
        label: `${STAGE_LABELS[stage] ?? stage}${noticeId ? `（通知 #${noticeId}）` : ''}`,
        sample: g.sample,
        recipients: g.messages.map((m) => {
          const c = contacts.get(m.contactId);
          return {
            contactId: m.contactId,
            contactName: c?.name ?? `#${m.contactId}`,
            point: c ? `${c.servicePoint.town}/${c.servicePoint.name}` : '',
            channels: [...new Set(c?.identities.map((i) => i.channel) ?? [])],
            alreadyQueued: queued.has(m.dedupeKey),
          };
        }),
      };
    }),
    scheduledNotices,
  };
}

export function renderDayPreview(preview: DayPreview): string[] {
  const lines = [`${preview.date}（东莞时间）按计划发送的消息（按当前的上报和确认情况计算，未写入发送队列）：`];
  if (preview.groups.length === 0 && preview.scheduledNotices.length === 0) {
    lines.push('这一天没有要发送的提醒或定时通知。');
    return lines;
  }
  for (const n of preview.scheduledNotices) {
    lines.push('', `【定时通知】#${n.id}《${n.title}》${localDateTimeString(n.at)} 发送，收件人 ${n.recipients} 人`);
  }
  for (const g of preview.groups) {
    const queued = g.recipients.filter((r) => r.alreadyQueued).length;
    lines.push('', `【${g.label}】${g.recipients.length} 人${queued ? `（其中 ${queued} 人已在发送队列中，不会重复发送）` : ''}`);
    lines.push('  消息示例：', ...g.sample.split('\n').map((l) => `    ${l}`));
    lines.push('  收件人：');
    for (const r of g.recipients) {
      const bound = r.channels.length ? `已绑定 ${r.channels.join('、')}` : '未绑定，将记为无法送达';
      lines.push(`    ${r.point} ${r.contactName}（${bound}）${r.alreadyQueued ? ' [已入队]' : ''}`);
    }
  }
  return lines;
}
