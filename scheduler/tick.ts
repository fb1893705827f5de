// One scheduler tick: release scheduled notices that are due, plan the monthly reminders and notice
// follow-ups due at this instant, and store them in the outbox. Idempotent: running it every minute,
// after a restart, or on several instances at once enqueues each message once (dedupe keys).
import type { Logger } from 'pino';
import type { Db } from '../bot/db/client.ts';
import { toLocal, type Clock, type MonthKey } from '../bot/time.ts';
import { releaseDueNotices } from '../bot/db/notice-store.ts';
import { enqueueOutbox } from './outbox.ts';
import { dueReportStages, planReminders, reportMonthAt, type ReportState } from './reminders.ts';
import { followUpWindows, planNoticeFollowUps, type FollowUpNotice } from './notice-follow-ups.ts';
import { loadReminderSettings, type ReminderSettings } from './settings.ts';
import { planAcceptance, type AcceptanceState } from './acceptance.ts';
import type { DirectoryState, PlannedMessage } from './plan-types.ts';

export async function loadDirectoryState(db: Db): Promise<DirectoryState> {
  const points = await db.servicePoint.findMany({
    where: { active: true },
    select: { id: true, town: true, name: true, level: true, parentId: true },
    orderBy: { id: 'asc' },
  });
  const contacts = await db.contact.findMany({
    where: { active: true, servicePoint: { active: true } },
    select: { id: true, servicePointId: true, name: true, role: true },
    orderBy: { id: 'asc' },
  });
  return { points, contacts };
}

export async function loadReportState(db: Db, month: MonthKey, directory?: DirectoryState): Promise<ReportState> {
  const reports = await db.monthlyReport.findMany({ where: { month }, select: { servicePointId: true, status: true } });
  return { ...(directory ?? (await loadDirectoryState(db))), month, reports };
}

const DAY_MS = 24 * 3600_000;

/** Sent notices whose follow-up window may include this instant. */
export async function loadFollowUpNotices(db: Db, at: Date, settings: ReminderSettings): Promise<FollowUpNotice[]> {
  const notices = await db.notice.findMany({
    where: {
      status: 'sent',
      deadline: { gte: new Date(at.getTime() - (settings.catchUpDays + 1) * DAY_MS), lte: new Date(at.getTime() + 2 * DAY_MS) },
    },
    include: { recipients: { select: { contactId: true, servicePointId: true, acknowledgedAt: true } } },
    orderBy: { id: 'asc' },
  });
  const relevant = notices.filter((n) => {
    const w = followUpWindows(n.deadline!, settings);
    return at >= w.reminderFrom && at < w.escalationUntil;
  });
  if (relevant.length === 0) return [];
  const outbox = await db.outboxMessage.findMany({
    where: { noticeId: { in: relevant.map((n) => n.id) }, purpose: 'notice' },
    select: { noticeId: true, contactId: true, status: true },
  });
  const delivery = new Map(outbox.map((o) => [`${o.noticeId}:${o.contactId}`, o.status]));
  return relevant.map((n) => ({
    ...n,
    deadline: n.deadline!,
    recipients: n.recipients.map((r) => ({
      contactId: r.contactId,
      servicePointId: r.servicePointId,
      acknowledged: r.acknowledgedAt !== null,
      delivery: delivery.get(`${n.id}:${r.contactId}`) ?? 'unknown',
    })),
  }));
}

/** Applications awaiting inspection, accepted town points and running 限期整改, for planAcceptance. */
// the points involved and the operators only, not the directory: it runs on every tick
export async function loadAcceptanceState(db: Db): Promise<AcceptanceState> {
  const pending = await db.acceptanceApplication.findMany({
    where: { state: { in: ['received', 'scheduled'] }, deadline: { not: null }, remindOn: { not: null } },
    select: { id: true, servicePointId: true, state: true, deadline: true, remindOn: true, scheduledOn: true },
    orderBy: { id: 'asc' },
  });
  const towns = await db.servicePoint.findMany({
    where: { active: true, level: 'town', acceptanceStatus: { in: ['accepted', 'deadlineRectification'] } },
    select: {
      id: true,
      acceptanceStatus: true,
      reinspections: { select: { id: true, year: true, result: true, deadline: true }, orderBy: { id: 'desc' } },
      acceptanceApplications: { where: { state: 'passed' }, select: { plaqueOn: true }, orderBy: { id: 'desc' }, take: 1 },
    },
    orderBy: { id: 'asc' },
  });
  if (!pending.length && !towns.length) return { points: [], contacts: [], pending: [], acceptedTowns: [], rectifying: [] };
  const involved = [...new Set([...pending.map((a) => a.servicePointId), ...towns.map((t) => t.id)])];
  const points = await db.servicePoint.findMany({
    where: { OR: [{ id: { in: involved } }, { level: 'subCenter', active: true }] },
    select: { id: true, town: true, name: true, level: true, parentId: true },
  });
  const contacts = await db.contact.findMany({
    where: { active: true, servicePoint: { level: 'subCenter', active: true } },
    select: { id: true, servicePointId: true, name: true, role: true },
    orderBy: { id: 'asc' },
  });
  return {
    points,
    contacts,
    pending: pending.map((a) => ({ ...a, state: a.state as AcceptanceState['pending'][number]['state'], deadline: a.deadline!, remindOn: a.remindOn! })),
    acceptedTowns: towns.map((t) => ({
      servicePointId: t.id,
      acceptanceStatus: t.acceptanceStatus,
      reinspectedYears: [...new Set(t.reinspections.map((r) => r.year))],
      plaqueYear: t.acceptanceApplications[0]?.plaqueOn ? Number(t.acceptanceApplications[0].plaqueOn.slice(0, 4)) : null,
    })),
    rectifying: towns.flatMap((t) => {
      const latest = t.reinspections[0];
      return t.acceptanceStatus === 'deadlineRectification' && latest?.result === 'rectify' && latest.deadline
        ? [{ reinspectionId: latest.id, servicePointId: t.id, deadline: latest.deadline }]
        : [];
    }),
  };
}

/** Everything the schedule wants sent at this instant (without writing anything). */
export async function planAt(db: Db, at: Date, settings: ReminderSettings): Promise<PlannedMessage[]> {
  const planned: PlannedMessage[] = [];
  let directory: DirectoryState | undefined;
  if (dueReportStages(at, settings).length > 0) {
    directory = await loadDirectoryState(db);
    planned.push(...planReminders(at, settings, await loadReportState(db, reportMonthAt(at), directory)));
  }
  const notices = await loadFollowUpNotices(db, at, settings);
  if (notices.length > 0) {
    directory ??= await loadDirectoryState(db);
    planned.push(...planNoticeFollowUps(at, settings, directory, notices));
  }
  if (toLocal(at).hour >= settings.hour) planned.push(...planAcceptance(at, settings, await loadAcceptanceState(db)));
  return planned;
}

export interface TickResult {
  releasedNotices: number[];
  planned: number;
  enqueued: number;
}

export interface Scheduler {
  tick(at?: Date): Promise<TickResult>;
}

export function createScheduler(deps: { db: Db; clock: Clock; log: Logger; onEnqueued?: () => void }): Scheduler {
  const log = deps.log.child({ component: 'scheduler' });
  return {
    async tick(at = deps.clock.now()) {
      const { settings, problems } = await loadReminderSettings(deps.db);
      if (problems.length > 0) log.warn({ problems }, 'bad reminder settings; their defaults are used');
      const released = await releaseDueNotices(deps.db, at);
      const planned = await planAt(deps.db, at, settings);
      const { created } = await enqueueOutbox(
        deps.db,
        planned.map((p) => ({ dedupeKey: p.dedupeKey, contactId: p.contactId, purpose: p.purpose, text: p.text, choices: p.choices, noticeId: p.noticeId ?? null })),
        at,
      );
      const enqueued = created + released.reduce((n, r) => n + r.enqueued, 0);
      if (released.length > 0) log.info({ notices: released }, 'scheduled notices released');
      if (created > 0) {
        const stages = [...new Set(planned.map((p) => p.stage))];
        log.info({ created, planned: planned.length, stages }, 'reminders enqueued');
      }
      if (enqueued > 0) deps.onEnqueued?.();
      return { releasedNotices: released.map((r) => r.noticeId), planned: planned.length, enqueued };
    },
  };
}
