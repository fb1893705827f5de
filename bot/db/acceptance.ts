// The acceptance store: applications, their versions and events, re-inspections. Each step is
// statements of one batch (the message's own, so the step and the chat's conversation are one
// transaction): the point's row is written first (so two steps on one point queue behind each other
// on both databases), then the facts are read, the pure machine decides (commands/acceptance/
// machine.ts), and the new state, the event, the audit row and the outbox rows telling each party
// are written together. A refused step writes nothing.
import { sqlOf, type Db } from './client.ts';
import { auditStatement } from './audit.ts';
import type { BatchStep, Row, SqlValue, Statement } from './direct-sql.ts';
import type { ReadDb } from '../core/capability.ts';
import {
  decide,
  decideReinspection,
  OPEN_STATES,
  parseApplicationState,
  pointStatusAfter,
  type ActorPoint,
  type ApplicationAction,
  type ApplicationState,
  type ReinspectionResult,
} from '../../commands/acceptance/machine.ts';
import { reinspectionNotifications, stepNotifications, type Notification, type Parties, type StepNews } from '../../commands/acceptance/notify.ts';
import { prefillForm, type ApplicationForm } from '../../commands/acceptance/form.ts';
import { latestReport, serviceFiguresFrom } from '../../commands/acceptance/context.ts';
import { parseStoredFigures } from '../../commands/report/validate.ts';
import { inspectionDeadline, uncoveredNote, type LocalDay, type WorkCalendar } from '../workdays.ts';
import { currentMonth, localDateString, toLocal } from '../time.ts';

export interface StepActor extends ActorPoint {
  /** cli | system | <channel>:<chat id>, as AuditLog.actor */
  label: string;
}

export interface StepOutcome {
  applicationId: number;
  state: ApplicationState;
  version: number;
  eventId: number;
  notifications: Notification[];
  deadline: LocalDay | null;
  deadlineNote: string;
  /** a visit scheduled after the deadline: still recorded, and said */
  pastDeadline: boolean;
}

export type StepResult = ({ ok: true } & StepOutcome) | { ok: false; reason: string };

export const PARTY_EDUCATION_SETTING = 'acceptance.partyEducationAllowed';

/** 二（二）1: an operator lets a 党员远程教育基层点 apply anyway; the setting and its audit row in one batch. */
export async function allowPartyEducationPoint(db: Db, point: { id: number; town: string; name: string }, who: { at: Date; actor: string }): Promise<void> {
  const row = await db.setting.findUnique({ where: { key: PARTY_EDUCATION_SETTING } });
  const ids = new Set<number>(row ? (JSON.parse(row.value) as number[]) : []);
  ids.add(point.id);
  const value = JSON.stringify([...ids].sort((a, b) => a - b));
  await sqlOf(db).batch([
    {
      sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updatedAt" = excluded."updatedAt"',
      params: [PARTY_EDUCATION_SETTING, value, who.at],
    },
    auditStatement({ at: who.at, actorContactId: null, actor: who.actor, action: 'acceptance.allowPartyEducationPoint', entity: 'ServicePoint', entityId: String(point.id), detail: { town: point.town, name: point.name } }),
  ]);
}

function pointLabel(p: { town: string; name: string }): string {
  return p.name.startsWith(p.town) ? p.name : `${p.town} ${p.name}`;
}

const CONTACT_PARTIES = `SELECT c."id", sp."id" AS "pointId", sp."level" FROM "Contact" c JOIN "ServicePoint" sp ON sp."id" = c."servicePointId"
  WHERE c."active" = ? AND sp."active" = ? AND (sp."id" = ? OR (sp."town" = ? AND sp."level" IN ('townCultureCenter', 'town')) OR sp."level" = 'subCenter')
  ORDER BY c."id"`;

/** Everyone told of a step on this point: its contacts, its town's culture center and town point, the operators. */
function partiesStatement(point: { id: number; town: string }): Statement {
  return { sql: CONTACT_PARTIES, params: [true, true, point.id, point.town] };
}

function partiesFrom(rows: readonly Row[], point: { id: number }): Parties {
  const contacts = rows as unknown as { id: number; pointId: number; level: string }[];
  const of = (test: (c: { pointId: number; level: string }) => boolean) => contacts.filter(test).map((c) => ({ contactId: c.id }));
  return {
    applicant: of((c) => c.pointId === point.id),
    townCultureCenter: of((c) => c.level === 'townCultureCenter'),
    townPoint: of((c) => c.level === 'town' && c.pointId !== point.id),
    operators: of((c) => c.level === 'subCenter'),
  };
}

function partyEducationAllowed(rows: readonly Row[], pointId: number): boolean {
  try {
    const ids = JSON.parse(String(rows[0]?.['value'] ?? '[]')) as unknown;
    return Array.isArray(ids) && ids.includes(pointId);
  } catch {
    return false;
  }
}

function outboxStatements(notifications: readonly Notification[], at: Date): Statement[] {
  return notifications.map((n) => ({
    sql: `INSERT INTO "OutboxMessage" ("dedupeKey", "contactId", "purpose", "text", "choices", "status", "attempts", "nextAttemptAt", "createdAt") VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    params: [n.dedupeKey, n.contactId, n.purpose, n.text, JSON.stringify(n.choices), at, at],
  }));
}

/** written first in a step: the lock every later step on this point waits for (a row that changes on both databases) */
function lockPointStatement(pointId: number, at: Date): Statement {
  return { sql: 'UPDATE "ServicePoint" SET "updatedAt" = ? WHERE "id" = ? RETURNING "id"', params: [at, pointId] };
}

const POINT = 'SELECT "id", "town", "name", "level", "isPartyEducationPoint", "acceptanceStatus" FROM "ServicePoint" WHERE "id" = ?';
type PointRow = { id: number; town: string; name: string; level: string; isPartyEducationPoint: boolean; acceptanceStatus: string };
type ApplicationRow = { id: number; state: string; version: number; deadline: string | null };

export interface StepInput {
  action: ApplicationAction;
  actor: StepActor;
  at: Date;
  /** apply: the point; the others: the application */
  pointId?: number;
  applicationId?: number;
  /** apply / resubmit */
  form?: ApplicationForm;
  selfCheck?: unknown;
  /** return */
  reason?: string;
  /** schedule */
  scheduledOn?: LocalDay;
  /** pass: default the day of the step */
  plaqueOn?: LocalDay;
  /** fail */
  opinions?: string[];
  calendar: WorkCalendar;
}

function checkInput(input: StepInput): string | null {
  switch (input.action) {
    case 'apply':
    case 'resubmit':
      return input.form ? null : '缺少申请表内容。';
    case 'return':
      return input.reason?.trim() ? null : '退回申请需要写明原因，例如“退回 电脑台数填写有误”。';
    case 'schedule':
      if (!input.scheduledOn) return '请写明现场验收的日期，例如“12月15日”。';
      return input.scheduledOn < localDateString(input.at) ? `验收日期 ${input.scheduledOn} 已经过去，请写今天或以后的日期。` : null;
    case 'fail':
      return input.opinions?.some((o) => o.trim()) ? null : '验收不通过需要写明整改意见。';
    default:
      return null;
  }
}

/**
 * One step of an application as statements of a batch, all or nothing: the caller's batch (the
 * message's, with its conversation save) or one of its own (takeStep). A refused step writes
 * nothing; `done` gets the outcome either way.
 */
export function takeStepSteps(input: StepInput, done: (result: StepResult) => void): BatchStep[] {
  const problem = checkInput(input);
  if (problem) {
    done({ ok: false, reason: problem });
    return [];
  }
  const refuse = (reason: string): BatchStep[] => (done({ ok: false, reason }), []);
  const openWhere = `"servicePointId" = ? AND "state" IN (${OPEN_STATES.map(() => '?').join(', ')}) ORDER BY "id" DESC LIMIT 1`;
  return [
    ...(input.applicationId ? [{ sql: 'SELECT "servicePointId" FROM "AcceptanceApplication" WHERE "id" = ?', params: [input.applicationId] }] : []),
    (results) => {
      const app = input.applicationId ? (results[results.length - 1]![0] as { servicePointId: number } | undefined) : undefined;
      if (input.applicationId && !app) return refuse(`没有编号为 ${input.applicationId} 的验收申请。`);
      const pointId = app?.servicePointId ?? input.pointId;
      if (!pointId) return refuse('请说明是哪个服务点的验收申请。');
      const at = results.length;
      return [
        lockPointStatement(pointId, input.at),
        { sql: POINT, params: [pointId] },
        input.applicationId
          ? { sql: 'SELECT "id", "state", "version", "deadline" FROM "AcceptanceApplication" WHERE "id" = ?', params: [input.applicationId] }
          : { sql: `SELECT "id", "state", "version", "deadline" FROM "AcceptanceApplication" WHERE ${openWhere}`, params: [pointId, ...OPEN_STATES] },
        { sql: 'SELECT "value" FROM "Setting" WHERE "key" = ?', params: [PARTY_EDUCATION_SETTING] },
        (rows) => {
          if (!rows[at]!.length) return refuse('通信名录中没有这个服务点。');
          const point = rows[at + 1]![0] as PointRow;
          return [partiesStatement(point), (all) => decideStep(input, point, all[at + 2]![0] as ApplicationRow | undefined, partiesFrom(all[all.length - 1]!, point), partyEducationAllowed(all[at + 3]!, point.id), done)];
        },
      ];
    },
  ];
}

/** The step decided on what was read under the point's lock, and its writes. */
function decideStep(input: StepInput, point: PointRow, current: ApplicationRow | undefined, parties: Parties, educationAllowed: boolean, done: (result: StepResult) => void): BatchStep[] {
  const state = current ? parseApplicationState(current.state) : null;
  const openState = state && OPEN_STATES.includes(state) ? state : null;
  const decision = decide(input.action, input.actor, {
    state: input.action === 'apply' ? openState : state,
    point,
    partyEducationAllowed: educationAllowed,
    townHasCultureCenterContact: parties.townCultureCenter.length > 0,
  });
  if (!decision.ok) {
    done({ ok: false, reason: decision.reason });
    return [];
  }
  const today = localDateString(input.at);
  let version = current?.version ?? 1;
  const detail: Record<string, unknown> = {};
  const news: Omit<StepNews, 'eventId' | 'application'> = { action: input.action, actorContactId: input.actor.contactId };
  let deadline: LocalDay | null = current?.deadline ?? null;
  let deadlineNote = '';
  let pastDeadline = false;
  const data: Record<string, SqlValue> = { state: decision.to, updatedAt: input.at };
  if (input.action === 'resubmit') {
    version = data.version = version + 1;
    Object.assign(data, { receivedOn: null, deadline: null, remindOn: null, deadlineProvisional: false, scheduledOn: null });
  }
  if (input.action === 'receive') {
    const d = inspectionDeadline(input.calendar, today);
    deadline = d.deadline;
    deadlineNote = uncoveredNote(d.uncoveredYears);
    Object.assign(data, { receivedOn: today, deadline: d.deadline, remindOn: d.remindOn, deadlineProvisional: d.uncoveredYears.length > 0 });
    Object.assign(detail, { receivedOn: today, deadline: d.deadline, viaPaperForm: decision.viaPaperForm });
    Object.assign(news, { receivedOn: today, deadline: d.deadline, deadlineNote, viaPaperForm: decision.viaPaperForm });
  }
  if (input.action === 'schedule') {
    pastDeadline = deadline !== null && input.scheduledOn! > deadline;
    data.scheduledOn = input.scheduledOn!;
    Object.assign(detail, { scheduledOn: input.scheduledOn, pastDeadline });
    Object.assign(news, { scheduledOn: input.scheduledOn, deadline, pastDeadline });
  }
  if (input.action === 'pass') {
    const plaqueOn = input.plaqueOn ?? today;
    data.plaqueOn = plaqueOn;
    detail.plaqueOn = plaqueOn;
    news.plaqueOn = plaqueOn;
  }
  if (input.action === 'fail') {
    const opinions = input.opinions!.map((o) => o.trim()).filter(Boolean);
    data.rectification = JSON.stringify(opinions);
    detail.opinions = opinions;
    news.opinions = opinions;
  }
  if (input.action === 'return') {
    detail.reason = input.reason!.trim();
    news.reason = detail.reason as string;
  }
  if (input.action === 'apply' || input.action === 'resubmit') detail.version = version;
  const written = (id: number): BatchStep[] => [
    ...(input.action === 'apply' || input.action === 'resubmit'
      ? [{
          sql: 'INSERT INTO "AcceptanceApplicationVersion" ("applicationId", "version", "form", "selfCheck", "submittedByContactId", "submittedAt") VALUES (?, ?, ?, ?, ?, ?)',
          params: [id, version, JSON.stringify(input.form), JSON.stringify(input.selfCheck ?? []), input.actor.contactId, input.at],
        }]
      : []),
    {
      sql: 'INSERT INTO "AcceptanceEvent" ("applicationId", "at", "action", "fromState", "toState", "actorContactId", "actor", "detail") VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"',
      params: [id, input.at, input.action, state, decision.to, input.actor.contactId, input.actor.label, JSON.stringify(detail)],
    },
    (rows) => {
      const eventId = Number(rows[rows.length - 1]![0]!['id']);
      const notifications = stepNotifications({ ...news, eventId, application: { id, version, pointLabel: pointLabel(point) } }, parties);
      done({ ok: true, applicationId: id, state: decision.to, version, eventId, notifications, deadline, deadlineNote, pastDeadline });
      return [
        { sql: 'UPDATE "ServicePoint" SET "acceptanceStatus" = ?, "updatedAt" = ? WHERE "id" = ?', params: [pointStatusAfter(decision.to), input.at, point.id] },
        auditStatement({ at: input.at, actorContactId: input.actor.contactId, actor: input.actor.label, action: `acceptance.${input.action}`, entity: 'AcceptanceApplication', entityId: String(id), detail: { servicePointId: point.id, from: state, to: decision.to, ...detail } }),
        ...outboxStatements(notifications, input.at),
      ];
    },
  ];
  if (input.action === 'apply') {
    return [
      {
        sql: 'INSERT INTO "AcceptanceApplication" ("servicePointId", "state", "version", "appliedByContactId", "createdAt", "updatedAt") VALUES (?, ?, 1, ?, ?, ?) RETURNING "id"',
        params: [point.id, decision.to, input.actor.contactId, input.at, input.at],
        expectChanges: 1,
      },
      (rows) => written(Number(rows[rows.length - 1]![0]!['id'])),
    ];
  }
  // the state read above is still the state: a second step on it waited for the point's lock
  const columns = Object.keys(data);
  return [
    { sql: `UPDATE "AcceptanceApplication" SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE "id" = ?`, params: [...columns.map((c) => data[c]!), current!.id], expectChanges: 1 },
    ...written(current!.id),
  ];
}

/** One step of an application in a transaction of its own (the command line, tests). */
export async function takeStep(db: Db, input: StepInput): Promise<StepResult> {
  let result: StepResult | undefined;
  const steps = takeStepSteps(input, (r) => (result = r));
  if (steps.length) await sqlOf(db).batch(steps);
  return result!;
}

export interface ReinspectionInput {
  pointId: number;
  result: ReinspectionResult;
  deadline: LocalDay | null;
  note: string | null;
  actor: StepActor;
  at: Date;
}

export type ReinspectionOutcome = { ok: true; reinspectionId: number; pointStatus: string; notifications: Notification[] } | { ok: false; reason: string };

/** 合格 / 限期整改 / 除牌 of one point, with the point's new status, audit and outbox rows, as statements of a batch. */
export function reinspectionSteps(input: ReinspectionInput, done: (outcome: ReinspectionOutcome) => void): BatchStep[] {
  return [
    lockPointStatement(input.pointId, input.at),
    { sql: POINT, params: [input.pointId] },
    (rows) => {
      const point = rows[rows.length - 1]![0] as PointRow | undefined;
      if (!rows[rows.length - 2]!.length || !point) return (done({ ok: false, reason: '通信名录中没有这个服务点。' }), []);
      const decision = decideReinspection(input.result, input.actor, point, input.deadline, localDateString(input.at));
      if (!decision.ok) return (done({ ok: false, reason: decision.reason }), []);
      const year = toLocal(input.at).year;
      const deadline = input.result === 'rectify' ? input.deadline : null;
      return [
        {
          sql: 'INSERT INTO "Reinspection" ("servicePointId", "year", "result", "deadline", "note", "recordedByContactId", "recordedAt") VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING "id"',
          params: [point.id, year, input.result, deadline, input.note, input.actor.contactId, input.at],
          expectChanges: 1,
        },
        partiesStatement(point),
        (written) => {
          const reinspectionId = Number(written[written.length - 2]![0]!['id']);
          const parties = partiesFrom(written[written.length - 1]!, point);
          const notifications = reinspectionNotifications(
            { reinspectionId, result: input.result, year, pointLabel: pointLabel(point), deadline: deadline ?? undefined, note: input.note ?? undefined, actorContactId: input.actor.contactId },
            parties,
          );
          done({ ok: true, reinspectionId, pointStatus: decision.pointStatus, notifications });
          return [
            { sql: 'UPDATE "ServicePoint" SET "acceptanceStatus" = ?, "updatedAt" = ? WHERE "id" = ?', params: [decision.pointStatus, input.at, point.id] },
            auditStatement({ at: input.at, actorContactId: input.actor.contactId, actor: input.actor.label, action: `reinspection.${input.result}`, entity: 'ServicePoint', entityId: String(point.id), detail: { reinspectionId, year, deadline, note: input.note, from: point.acceptanceStatus, to: decision.pointStatus } }),
            ...outboxStatements(notifications, input.at),
          ];
        },
      ];
    },
  ];
}

/** A re-inspection in a transaction of its own (the command line, tests). */
export async function recordReinspection(db: Db, input: ReinspectionInput): Promise<ReinspectionOutcome> {
  let outcome: ReinspectionOutcome | undefined;
  await sqlOf(db).batch(reinspectionSteps(input, (o) => (outcome = o)));
  return outcome!;
}

export interface ApplicationSummary {
  id: number;
  state: ApplicationState;
  version: number;
  point: { id: number; town: string; name: string; level: string };
  receivedOn: string | null;
  deadline: string | null;
  deadlineProvisional: boolean;
  scheduledOn: string | null;
  plaqueOn: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Applications, newest first; a town's alone when given. */
/** the reads the views need; a capability's read-only client has them */
type ApplicationReads = { acceptanceApplication: Pick<Db['acceptanceApplication'], 'findMany' | 'findUnique'> };

export async function listApplications(db: ApplicationReads, filter: { town?: string; pointId?: number } = {}): Promise<ApplicationSummary[]> {
  const rows = await db.acceptanceApplication.findMany({
    where: { servicePoint: { ...(filter.town ? { town: filter.town } : {}), ...(filter.pointId ? { id: filter.pointId } : {}) } },
    include: { servicePoint: { select: { id: true, town: true, name: true, level: true } } },
    orderBy: { id: 'desc' },
  });
  return rows.map((r) => ({
    id: r.id,
    state: parseApplicationState(r.state) ?? 'applied',
    version: r.version,
    point: r.servicePoint,
    receivedOn: r.receivedOn,
    deadline: r.deadline,
    deadlineProvisional: r.deadlineProvisional,
    scheduledOn: r.scheduledOn,
    plaqueOn: r.plaqueOn,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

/** One application with its point, every version and every event, oldest first. */
export type StoredApplication = NonNullable<Awaited<ReturnType<typeof loadApplication>>>;
export async function loadApplication(db: ApplicationReads, id: number) {
  return db.acceptanceApplication.findUnique({
    where: { id },
    include: {
      servicePoint: { select: { id: true, town: true, name: true, level: true, acceptanceStatus: true } },
      versions: { orderBy: { version: 'asc' } },
      events: { orderBy: { id: 'asc' } },
    },
  });
}

/** What the /apply dialogue starts from, for one point and the contact applying. */
export type ApplicantContext = Awaited<ReturnType<typeof loadApplicantContext>>;
export async function loadApplicantContext(db: ReadDb, pointId: number, contactId: number | null, now: Date) {
  const [point, contact, reports, rules] = await Promise.all([
    db.servicePoint.findUniqueOrThrow({ where: { id: pointId }, select: { id: true, town: true, name: true, level: true, isPartyEducationPoint: true } }),
    contactId ? db.contact.findUnique({ where: { id: contactId }, select: { name: true, mobile: true, email: true } }) : null,
    db.monthlyReport.findMany({ where: { servicePointId: pointId }, select: { month: true, status: true, figures: true }, orderBy: { month: 'desc' }, take: 24 }),
    db.rule.findMany({ orderBy: [{ level: 'asc' }, { sortOrder: 'asc' }] }),
  ]);
  const rows = reports.map((r) => ({ month: r.month, status: r.status, figures: parseStoredFigures(r.figures) }));
  return {
    point,
    prefill: prefillForm({ point, contact, latestReport: latestReport(rows) }),
    service: serviceFiguresFrom(rows, currentMonth(now)),
    rules,
  };
}
