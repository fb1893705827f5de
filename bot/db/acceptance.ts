// The acceptance store: applications, their versions and events, re-inspections. Each step is one
// transaction: the point's row is written first (so two steps on one point queue behind each other on
// both databases), then the facts are read, the pure machine decides (commands/acceptance/machine.ts),
// and the new state, the event, the audit row and the outbox rows telling each party are written
// together. A refused step changes nothing.
import { sqlOf, type Db } from './client.ts';
import { auditStatement, writeAudit } from './audit.ts';
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

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface StepActor extends ActorPoint {
  /** cli | system | <channel>:<chat id>, as AuditLog.actor */
  label: string;
}

export class AcceptanceRefusal extends Error {
  override name = 'AcceptanceRefusal';
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

async function partiesOf(tx: Tx, point: { id: number; town: string }): Promise<Parties> {
  const contacts = await tx.contact.findMany({
    where: {
      active: true,
      servicePoint: {
        active: true,
        OR: [{ id: point.id }, { town: point.town, level: { in: ['townCultureCenter', 'town'] } }, { level: 'subCenter' }],
      },
    },
    select: { id: true, servicePoint: { select: { id: true, level: true } } },
    orderBy: { id: 'asc' },
  });
  const of = (test: (p: { id: number; level: string }) => boolean) => contacts.filter((c) => test(c.servicePoint)).map((c) => ({ contactId: c.id }));
  return {
    applicant: of((p) => p.id === point.id),
    townCultureCenter: of((p) => p.level === 'townCultureCenter'),
    townPoint: of((p) => p.level === 'town' && p.id !== point.id),
    operators: of((p) => p.level === 'subCenter'),
  };
}

async function partyEducationAllowed(tx: Tx, pointId: number): Promise<boolean> {
  const row = await tx.setting.findUnique({ where: { key: PARTY_EDUCATION_SETTING } });
  try {
    const ids = JSON.parse(row?.value ?? '[]') as unknown;
    return Array.isArray(ids) && ids.includes(pointId);
  } catch {
    return false;
  }
}

async function writeOutbox(tx: Tx, notifications: readonly Notification[], at: Date): Promise<void> {
  if (!notifications.length) return;
  await tx.outboxMessage.createMany({
    data: notifications.map((n) => ({
      dedupeKey: n.dedupeKey,
      contactId: n.contactId,
      purpose: n.purpose,
      text: n.text,
      choices: JSON.stringify(n.choices),
      status: 'pending',
      nextAttemptAt: at,
      createdAt: at,
    })),
  });
}

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

/** One step of an application, all or nothing. */
export async function takeStep(db: Db, input: StepInput): Promise<StepResult> {
  const problem = checkInput(input);
  if (problem) return { ok: false, reason: problem };
  try {
    const outcome = await db.$transaction(async (tx) => {
      const app = input.applicationId
        ? await tx.acceptanceApplication.findUnique({ where: { id: input.applicationId } })
        : null;
      if (input.applicationId && !app) throw new AcceptanceRefusal(`没有编号为 ${input.applicationId} 的验收申请。`);
      const pointId = app?.servicePointId ?? input.pointId;
      if (!pointId) throw new AcceptanceRefusal('请说明是哪个服务点的验收申请。');
      // written first: the lock every later step on this point waits for
      const touched = await tx.servicePoint.updateMany({ where: { id: pointId }, data: { updatedAt: input.at } });
      if (!touched.count) throw new AcceptanceRefusal('通信名录中没有这个服务点。');
      const point = await tx.servicePoint.findUniqueOrThrow({ where: { id: pointId } });
      const current = app
        ? await tx.acceptanceApplication.findUniqueOrThrow({ where: { id: app.id } })
        : await tx.acceptanceApplication.findFirst({ where: { servicePointId: pointId, state: { in: [...OPEN_STATES] } }, orderBy: { id: 'desc' } });
      const state = current ? parseApplicationState(current.state) : null;
      const openState = state && OPEN_STATES.includes(state) ? state : null;
      const parties = await partiesOf(tx, point);
      const decision = decide(input.action, input.actor, {
        state: input.action === 'apply' ? openState : state,
        point,
        partyEducationAllowed: await partyEducationAllowed(tx, point.id),
        townHasCultureCenterContact: parties.townCultureCenter.length > 0,
      });
      if (!decision.ok) throw new AcceptanceRefusal(decision.reason);

      const today = localDateString(input.at);
      let id = current?.id ?? 0;
      let version = current?.version ?? 1;
      const detail: Record<string, unknown> = {};
      const news: Omit<StepNews, 'eventId' | 'application'> = { action: input.action, actorContactId: input.actor.contactId };
      let deadline: LocalDay | null = current?.deadline ?? null;
      let deadlineNote = '';
      let pastDeadline = false;
      if (input.action === 'apply') {
        const created = await tx.acceptanceApplication.create({
          data: { servicePointId: point.id, state: decision.to, version: 1, appliedByContactId: input.actor.contactId, createdAt: input.at, updatedAt: input.at },
        });
        id = created.id;
        version = 1;
      } else {
        const data: Record<string, unknown> = { state: decision.to, updatedAt: input.at };
        if (input.action === 'resubmit') version = data.version = version + 1;
        if (input.action === 'receive') {
          const d = inspectionDeadline(input.calendar, today);
          deadline = d.deadline;
          deadlineNote = uncoveredNote(d.uncoveredYears);
          Object.assign(data, { receivedOn: today, deadline: d.deadline, remindOn: d.remindOn, deadlineProvisional: d.uncoveredYears.length > 0 });
          Object.assign(detail, { receivedOn: today, deadline: d.deadline, viaPaperForm: decision.viaPaperForm });
          Object.assign(news, { receivedOn: today, deadline: d.deadline, deadlineNote, viaPaperForm: decision.viaPaperForm });
        }
        if (input.action === 'resubmit') Object.assign(data, { receivedOn: null, deadline: null, remindOn: null, deadlineProvisional: false, scheduledOn: null });
        if (input.action === 'schedule') {
          pastDeadline = deadline !== null && input.scheduledOn! > deadline;
          data.scheduledOn = input.scheduledOn;
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
        // the state read above is still the state: a second operator's step on it was refused by the lock
        await tx.acceptanceApplication.update({ where: { id }, data });
      }
      if (input.action === 'apply' || input.action === 'resubmit') {
        await tx.acceptanceApplicationVersion.create({
          data: { applicationId: id, version, form: JSON.stringify(input.form), selfCheck: JSON.stringify(input.selfCheck ?? []), submittedByContactId: input.actor.contactId, submittedAt: input.at },
        });
        detail.version = version;
      }
      const event = await tx.acceptanceEvent.create({
        data: { applicationId: id, at: input.at, action: input.action, fromState: state, toState: decision.to, actorContactId: input.actor.contactId, actor: input.actor.label, detail: JSON.stringify(detail) },
      });
      await tx.servicePoint.update({ where: { id: point.id }, data: { acceptanceStatus: pointStatusAfter(decision.to) } });
      await writeAudit(tx, { at: input.at, actorContactId: input.actor.contactId, actor: input.actor.label, action: `acceptance.${input.action}`, entity: 'AcceptanceApplication', entityId: String(id), detail: { servicePointId: point.id, from: state, to: decision.to, ...detail } });
      const notifications = stepNotifications({ ...news, eventId: event.id, application: { id, version, pointLabel: pointLabel(point) } }, parties);
      await writeOutbox(tx, notifications, input.at);
      return { applicationId: id, state: decision.to, version, eventId: event.id, notifications, deadline, deadlineNote, pastDeadline };
    });
    return { ok: true, ...outcome };
  } catch (error) {
    if (error instanceof AcceptanceRefusal) return { ok: false, reason: error.message };
    throw error;
  }
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

/** 合格 / 限期整改 / 除牌 of one point, with the point's new status, audit and outbox rows. */
export async function recordReinspection(db: Db, input: ReinspectionInput): Promise<ReinspectionOutcome> {
  try {
    return await db.$transaction(async (tx) => {
      const touched = await tx.servicePoint.updateMany({ where: { id: input.pointId }, data: { updatedAt: input.at } });
      if (!touched.count) throw new AcceptanceRefusal('通信名录中没有这个服务点。');
      const point = await tx.servicePoint.findUniqueOrThrow({ where: { id: input.pointId } });
      const today = localDateString(input.at);
      const decision = decideReinspection(input.result, input.actor, point, input.deadline, today);
      if (!decision.ok) throw new AcceptanceRefusal(decision.reason);
      const year = toLocal(input.at).year;
      const row = await tx.reinspection.create({
        data: { servicePointId: point.id, year, result: input.result, deadline: input.result === 'rectify' ? input.deadline : null, note: input.note, recordedByContactId: input.actor.contactId, recordedAt: input.at },
      });
      await tx.servicePoint.update({ where: { id: point.id }, data: { acceptanceStatus: decision.pointStatus } });
      await writeAudit(tx, { at: input.at, actorContactId: input.actor.contactId, actor: input.actor.label, action: `reinspection.${input.result}`, entity: 'ServicePoint', entityId: String(point.id), detail: { reinspectionId: row.id, year, deadline: row.deadline, note: input.note, from: point.acceptanceStatus, to: decision.pointStatus } });
      const parties = await partiesOf(tx, point);
      const notifications = reinspectionNotifications(
        { reinspectionId: row.id, result: input.result, year, pointLabel: pointLabel(point), deadline: row.deadline ?? undefined, note: input.note ?? undefined, actorContactId: input.actor.contactId },
        parties,
      );
      await writeOutbox(tx, notifications, input.at);
      return { ok: true as const, reinspectionId: row.id, pointStatus: decision.pointStatus, notifications };
    });
  } catch (error) {
    if (error instanceof AcceptanceRefusal) return { ok: false, reason: error.message };
    throw error;
  }
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
