// One scheduler tick: release scheduled notices that are due, plan the monthly reminders and notice
// follow-ups due at this instant, and store them in the outbox. Idempotent: running it every minute,
// after a restart, or on several instances at once enqueues each message once (dedupe keys).
import type { Logger } from 'pino';
import { sqlOf, type Db } from '../bot/db/client.ts';
import type { Row } from '../bot/db/direct-sql.ts';
import { toLocal, type Clock, type MonthKey } from '../bot/time.ts';
import { releaseDueNotices } from '../bot/db/notice-store.ts';
import { enqueueOutbox } from './outbox.ts';
import { dueReportStages, planReminders, reportMonthAt, type ReportState } from './reminders.ts';
import { followUpWindows, planNoticeFollowUps, type FollowUpNotice } from './notice-follow-ups.ts';
import { loadReminderSettings, type ReminderSettings } from './settings.ts';
import { planAcceptance, type AcceptanceState } from './acceptance.ts';
import type { DirectoryState, PlanContact, PlanPoint, PlannedMessage } from './plan-types.ts';

// The loaders run on every tick of every running bot: DirectSql, so the scheduler does not keep the
// Prisma client in memory for them.

const PLAN_POINT = `p."id", p."town", p."name", p."level", p."parentId"`;
const PLAN_CONTACT = `c."id", c."servicePointId", c."name", c."role"`;

export async function loadDirectoryState(db: Db): Promise<DirectoryState> {
  const sql = sqlOf(db);
  const points = await sql.query<PlanPoint & Row>(`SELECT ${PLAN_POINT} FROM "ServicePoint" p WHERE p."active" = TRUE ORDER BY p."id"`);
  const contacts = await sql.query<PlanContact & Row>(
    `SELECT ${PLAN_CONTACT} FROM "Contact" c JOIN "ServicePoint" p ON p."id" = c."servicePointId" WHERE c."active" = TRUE AND p."active" = TRUE ORDER BY c."id"`,
  );
  return { points, contacts };
}

export async function loadReportState(db: Db, month: MonthKey, directory?: DirectoryState): Promise<ReportState> {
  const reports = await sqlOf(db).query<{ servicePointId: number; status: string }>('SELECT "servicePointId", "status" FROM "MonthlyReport" WHERE "month" = ?', [month]);
  return { ...(directory ?? (await loadDirectoryState(db))), month, reports };
}

const DAY_MS = 24 * 3600_000;

const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** Sent notices whose follow-up window may include this instant. */
export async function loadFollowUpNotices(db: Db, at: Date, settings: ReminderSettings): Promise<FollowUpNotice[]> {
  const sql = sqlOf(db);
  const notices = await sql.query<Omit<FollowUpNotice, 'recipients' | 'deadline'> & { deadline: Date }>(
    `SELECT * FROM "Notice" WHERE "status" = 'sent' AND "deadline" >= ? AND "deadline" <= ? ORDER BY "id"`,
    [new Date(at.getTime() - (settings.catchUpDays + 1) * DAY_MS), new Date(at.getTime() + 2 * DAY_MS)],
  );
  const relevant = notices.filter((n) => {
    const w = followUpWindows(n.deadline, settings);
    return at >= w.reminderFrom && at < w.escalationUntil;
  });
  if (relevant.length === 0) return [];
  const ids = relevant.map((n) => n.id);
  const recipients = await sql.query<{ noticeId: number; contactId: number; servicePointId: number; acknowledgedAt: Date | null }>(
    `SELECT "noticeId", "contactId", "servicePointId", "acknowledgedAt" FROM "NoticeRecipient" WHERE "noticeId" IN (${marks(ids)}) ORDER BY "id"`,
    ids,
  );
  const outbox = await sql.query<{ noticeId: number; contactId: number; status: string }>(
    `SELECT "noticeId", "contactId", "status" FROM "OutboxMessage" WHERE "noticeId" IN (${marks(ids)}) AND "purpose" = 'notice'`,
    ids,
  );
  const delivery = new Map(outbox.map((o) => [`${o.noticeId}:${o.contactId}`, o.status]));
  return relevant.map((n) => ({
    ...n,
    recipients: recipients
      .filter((r) => r.noticeId === n.id)
      .map((r) => ({
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
  const sql = sqlOf(db);
  const pending = await sql.query<{ id: number; servicePointId: number; state: string; deadline: string; remindOn: string; scheduledOn: string | null }>(
    `SELECT "id", "servicePointId", "state", "deadline", "remindOn", "scheduledOn" FROM "AcceptanceApplication"
     WHERE "state" IN ('received', 'scheduled') AND "deadline" IS NOT NULL AND "remindOn" IS NOT NULL ORDER BY "id"`,
  );
  const towns = await sql.query<{ id: number; acceptanceStatus: string }>(
    `SELECT "id", "acceptanceStatus" FROM "ServicePoint"
     WHERE "active" = TRUE AND "level" = 'town' AND "acceptanceStatus" IN ('accepted', 'deadlineRectification') ORDER BY "id"`,
  );
  if (!pending.length && !towns.length) return { points: [], contacts: [], pending: [], acceptedTowns: [], rectifying: [] };
  const townIds = towns.map((t) => t.id);
  const reinspections = townIds.length
    ? await sql.query<{ id: number; servicePointId: number; year: number; result: string; deadline: string | null }>(
        `SELECT "id", "servicePointId", "year", "result", "deadline" FROM "Reinspection" WHERE "servicePointId" IN (${marks(townIds)}) ORDER BY "id" DESC`,
        townIds,
      )
    : [];
  const plaques = townIds.length
    ? await sql.query<{ servicePointId: number; plaqueOn: string | null }>(
        `SELECT "servicePointId", "plaqueOn" FROM "AcceptanceApplication" WHERE "state" = 'passed' AND "servicePointId" IN (${marks(townIds)}) ORDER BY "id" DESC`,
        townIds,
      )
    : [];
  const involved = [...new Set([...pending.map((a) => a.servicePointId), ...townIds])];
  const points = await sql.query<PlanPoint & Row>(
    `SELECT ${PLAN_POINT} FROM "ServicePoint" p WHERE p."id" IN (${marks(involved)}) OR (p."level" = 'subCenter' AND p."active" = TRUE)`,
    involved,
  );
  const contacts = await sql.query<PlanContact & Row>(
    `SELECT ${PLAN_CONTACT} FROM "Contact" c JOIN "ServicePoint" p ON p."id" = c."servicePointId"
     WHERE c."active" = TRUE AND p."level" = 'subCenter' AND p."active" = TRUE ORDER BY c."id"`,
  );
  const reinspectionsOf = (id: number) => reinspections.filter((r) => r.servicePointId === id);
  return {
    points,
    contacts,
    pending: pending.map((a) => ({ ...a, state: a.state as AcceptanceState['pending'][number]['state'] })),
    acceptedTowns: towns.map((t) => {
      const plaqueOn = plaques.find((a) => a.servicePointId === t.id)?.plaqueOn;
      return {
        servicePointId: t.id,
        acceptanceStatus: t.acceptanceStatus,
        reinspectedYears: [...new Set(reinspectionsOf(t.id).map((r) => r.year))],
        plaqueYear: plaqueOn ? Number(plaqueOn.slice(0, 4)) : null,
      };
    }),
    rectifying: towns.flatMap((t) => {
      const latest = reinspectionsOf(t.id)[0];
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
