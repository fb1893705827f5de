// Follow-ups of a sent notice with a pickup deadline, as pure planning. A point counts as having
// acknowledged when any of its recipients did. The day before the deadline, recipients of points
// that have not get a reminder (only those the notice reached: an unbound contact would only fail
// again); on the deadline day each town contact is told which of its villages have not.
import { ackChoice, chineseDate, renderNoticeReminderText, type NoticeContent } from '../commands/notice/model.ts';
import { fromLocal, toLocal } from '../bot/time.ts';
import type { ReminderSettings } from './settings.ts';
import { pointLabel, pointRecipients, type DirectoryState, type PlannedMessage } from './plan-types.ts';

export interface FollowUpRecipient {
  contactId: number;
  servicePointId: number;
  acknowledged: boolean;
  /** status of the notice's outbox row for this contact */
  delivery: string;
}

export interface FollowUpNotice extends NoticeContent {
  deadline: Date;
  sentAt: Date | null;
  recipients: FollowUpRecipient[];
}

const DAY_MS = 24 * 3600_000;

function localMidnight(at: Date): Date {
  const l = toLocal(at);
  return fromLocal(l.year, l.month, l.day);
}

/** The instants that bound a notice's follow-ups. */
export function followUpWindows(deadline: Date, settings: ReminderSettings) {
  const deadlineDay = localMidnight(deadline);
  const reminderDay = new Date(deadlineDay.getTime() - DAY_MS);
  const hourMs = settings.noticeFollowUpHour * 3600_000;
  return {
    reminderDay,
    reminderFrom: new Date(reminderDay.getTime() + hourMs),
    escalationFrom: new Date(deadlineDay.getTime() + hourMs),
    escalationUntil: new Date(deadlineDay.getTime() + (1 + settings.catchUpDays) * DAY_MS),
  };
}

export function noticeFollowUpKey(kind: 'noticeReminder' | 'noticeEscalation', noticeId: number, contactId: number): string {
  return `${kind}:${noticeId}:contact:${contactId}`;
}

export function planNoticeFollowUps(
  at: Date,
  settings: ReminderSettings,
  directory: DirectoryState,
  notices: readonly FollowUpNotice[],
): PlannedMessage[] {
  const planned: PlannedMessage[] = [];
  const pointById = new Map(directory.points.map((p) => [p.id, p]));
  for (const notice of notices) {
    const w = followUpWindows(notice.deadline, settings);
    const acknowledgedPoints = new Set(notice.recipients.filter((r) => r.acknowledged).map((r) => r.servicePointId));
    const pending = notice.recipients.filter((r) => !acknowledgedPoints.has(r.servicePointId));

    // a notice sent on the reminder day itself is fresh enough; reminding hours later would nag
    const sentBeforeReminderDay = notice.sentAt !== null && notice.sentAt < w.reminderDay;
    if (at >= w.reminderFrom && at < w.escalationFrom && sentBeforeReminderDay) {
      const text = renderNoticeReminderText(notice);
      for (const r of pending.filter((r) => r.delivery === 'delivered')) {
        planned.push({
          dedupeKey: noticeFollowUpKey('noticeReminder', notice.id, r.contactId),
          contactId: r.contactId,
          purpose: 'noticeReminder',
          noticeId: notice.id,
          text,
          choices: [ackChoice(notice.id)],
          stage: 'noticeReminder',
          servicePointId: r.servicePointId,
        });
      }
    }

    if (at >= w.escalationFrom && at < w.escalationUntil) {
      const pendingPoints = [...new Set(pending.map((r) => r.servicePointId))]
        .map((id) => pointById.get(id))
        .filter((p) => p !== undefined);
      const towns = directory.points.filter((p) => p.level === 'town');
      for (const town of towns) {
        const villages = pendingPoints
          .filter((p) => p.parentId === town.id)
          .sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN'));
        if (villages.length === 0) continue;
        const unreachable = (pointId: number) =>
          notice.recipients.filter((r) => r.servicePointId === pointId).every((r) => r.delivery === 'unreachable' || r.delivery === 'failed');
        const lines = [
          `【通知未确认名单】${pointLabel(town)}：`,
          `《${notice.title}》今天（${chineseDate(notice.deadline)}）截止领取，本镇（街）以下 ${villages.length} 个服务点尚未确认收到：`,
          ...villages.map((v) => `· ${v.name}${unreachable(v.id) ? '（尚未绑定机器人，通知未能送达）' : ''}`),
          '请联系督促，按通知获取资源。',
        ];
        for (const contact of pointRecipients(town.id, directory.contacts)) {
          planned.push({
            dedupeKey: noticeFollowUpKey('noticeEscalation', notice.id, contact.id),
            contactId: contact.id,
            purpose: 'noticeEscalation',
            noticeId: notice.id,
            text: lines.join('\n'),
            choices: [],
            stage: 'noticeEscalation',
            servicePointId: town.id,
          });
        }
      }
    }
  }
  return planned;
}
