// The whole application path on both databases: every step a transaction with its version, event,
// audit row and outbox rows; refusals change nothing; the scheduler's reminders and re-inspection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listApplications, loadApplicantContext, loadApplication, recordReinspection, takeStep, type StepActor, type StepInput } from '../../bot/db/acceptance.ts';
import { chinaCalendar } from '../../bot/workdays.ts';
import { fromLocal, ManualClock } from '../../bot/time.ts';
import { createScheduler, planAt } from '../../scheduler/tick.ts';
import pino from 'pino';
import { DEFAULT_REMINDER_SETTINGS } from '../../scheduler/settings.ts';
import { createTestDatabase, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';
import { assessmentColumns } from '../../bot/db/report-store.ts';

const calendar = chinaCalendar();
const form = { unitName: '石龙镇图书馆', address: '石龙镇中山路8号', contactName: '李明', mobile: '13800002001', computers: 3 };

describe.each(TEST_PROVIDERS)('the acceptance path on %s', (provider) => {
  let test: TestDatabase;
  const ids = { town: 0, center: 0, village: 0, townContact: 0, centerContact: 0, operator: 0, operator2: 0, villageContact: 0 };
  let applicant: StepActor, center: StepActor, operator: StepActor;

  beforeAll(async () => {
    test = await createTestDatabase(provider);
    const db = test.db;
    const sub = await db.servicePoint.create({ data: { town: '市支中心', name: '东莞图书馆', level: 'subCenter' } });
    const town = await db.servicePoint.create({ data: { town: '石龙镇', name: '石龙镇图书馆', level: 'town' } });
    const tcc = await db.servicePoint.create({ data: { town: '石龙镇', name: '石龙镇文广中心', level: 'townCultureCenter' } });
    const village = await db.servicePoint.create({ data: { town: '虎门镇', name: '示例村', level: 'village' } });
    const c = (servicePointId: number, name: string, mobile: string) => db.contact.create({ data: { servicePointId, name, role: 'liaison', mobile } });
    ids.town = town.id; ids.center = tcc.id; ids.village = village.id;
    ids.operator = (await c(sub.id, '管理员甲', '13800000001')).id;
    ids.operator2 = (await c(sub.id, '管理员乙', '13800000002')).id;
    ids.townContact = (await c(town.id, '李明', '13800002001')).id;
    ids.centerContact = (await c(tcc.id, '文广张', '13800003001')).id;
    ids.villageContact = (await c(village.id, '村联', '13800004001')).id;
    applicant = { contactId: ids.townContact, point: { id: town.id, town: '石龙镇', level: 'town' }, label: 'console:a' };
    center = { contactId: ids.centerContact, point: { id: tcc.id, town: '石龙镇', level: 'townCultureCenter' }, label: 'console:c' };
    operator = { contactId: ids.operator, point: { id: sub.id, town: '市支中心', level: 'subCenter' }, label: 'console:o' };
  });
  afterAll(async () => test.drop());

  const step = (over: Partial<StepInput> & Pick<StepInput, 'action' | 'actor' | 'at'>) => takeStep(test.db, { calendar, ...over });
  const outboxOf = async (contactId: number) => (await test.db.outboxMessage.findMany({ where: { contactId }, orderBy: { id: 'asc' } })).map((o) => o.text);

  it('starts an application from the directory and the latest monthly report', async () => {
    const at = fromLocal(2026, 1, 20, 9);
    const figures = { openHours: 186, visitors: 300, computers: 4 };
    await test.db.monthlyReport.create({ data: { servicePointId: ids.town, month: '2025-12', status: 'reported', figures: JSON.stringify(figures), ...assessmentColumns(figures), submittedAt: at, firstSubmittedAt: at } });
    const ctx = await loadApplicantContext(test.db, ids.town, ids.townContact, at);
    expect(ctx.prefill.form).toEqual({ unitName: '石龙镇图书馆', contactName: '李明', mobile: '13800002001', computers: 4 });
    expect(ctx.service).toMatchObject({ weeklyHours: 42, yearlyVisitors: null });
    expect(ctx.rules.length).toBeGreaterThan(10);
  });

  it('runs apply → confirm → receive → schedule → 不通过 → resubmit → confirm → receive → 通过, keeping every version and event', async () => {
    const applied = await step({ action: 'apply', actor: applicant, pointId: ids.town, form, selfCheck: [{ item: '电脑', verdict: 'notMet' }], at: fromLocal(2026, 2, 2, 10) });
    expect(applied).toMatchObject({ ok: true, state: 'applied', version: 1 });
    const id = applied.ok ? applied.applicationId : 0;
    expect((await outboxOf(ids.centerContact)).at(-1)).toContain('请镇文广中心审核');

    const again = await step({ action: 'apply', actor: applicant, pointId: ids.town, form, at: fromLocal(2026, 2, 2, 11) });
    expect(again).toEqual({ ok: false, reason: '该服务点已有一份验收申请在办理中（待镇文广中心确认盖章），不能重复申请。' });

    const byOperator = await step({ action: 'confirm', actor: operator, applicationId: id, at: fromLocal(2026, 2, 3, 9) });
    expect(byOperator.ok).toBe(false);
    expect(await step({ action: 'confirm', actor: center, applicationId: id, at: fromLocal(2026, 2, 3, 9) })).toMatchObject({ ok: true, state: 'townConfirmed' });
    expect((await outboxOf(ids.operator)).at(-1)).toContain('镇文广中心已确认盖章');

    const received = await step({ action: 'receive', actor: operator, applicationId: id, at: fromLocal(2026, 2, 10, 9) });
    expect(received).toMatchObject({ ok: true, state: 'received', deadline: '2026-03-02', deadlineNote: '' });
    expect((await outboxOf(ids.townContact)).at(-1)).toContain('两个工作周内（2026年3月2日（星期一）前）派员到现场验收');
    expect((await outboxOf(ids.operator2)).at(-1)).toContain('现场验收期限2026年3月2日');

    const late = await step({ action: 'schedule', actor: operator, applicationId: id, scheduledOn: '2026-03-04', at: fromLocal(2026, 2, 11, 9) });
    expect(late).toMatchObject({ ok: true, state: 'scheduled', pastDeadline: true });
    expect(await step({ action: 'schedule', actor: operator, applicationId: id, scheduledOn: '2026-02-01', at: fromLocal(2026, 2, 11, 9) })).toMatchObject({ ok: false, reason: expect.stringContaining('已经过去') });
    expect((await outboxOf(ids.centerContact)).at(-1)).toContain('定于2026年3月4日（星期三）派员到现场验收');

    expect(await step({ action: 'fail', actor: operator, applicationId: id, opinions: [], at: fromLocal(2026, 3, 4, 15) })).toMatchObject({ ok: false, reason: '验收不通过需要写明整改意见。' });
    expect(await step({ action: 'fail', actor: operator, applicationId: id, opinions: ['电脑：差2台'], at: fromLocal(2026, 3, 4, 15) })).toMatchObject({ ok: true, state: 'failed' });
    expect((await test.db.servicePoint.findUniqueOrThrow({ where: { id: ids.town } })).acceptanceStatus).toBe('rectification');
    expect((await outboxOf(ids.townContact)).at(-1)).toContain('1. 电脑：差2台');

    const resubmitted = await step({ action: 'resubmit', actor: applicant, applicationId: id, form: { ...form, computers: 5 }, at: fromLocal(2026, 3, 20, 9) });
    expect(resubmitted).toMatchObject({ ok: true, state: 'resubmitted', version: 2 });
    await step({ action: 'confirm', actor: center, applicationId: id, at: fromLocal(2026, 3, 20, 10) });
    await step({ action: 'receive', actor: operator, applicationId: id, at: fromLocal(2026, 3, 23, 9) });
    expect(await step({ action: 'pass', actor: operator, applicationId: id, at: fromLocal(2026, 3, 27, 16) })).toMatchObject({ ok: true, state: 'passed' });
    expect((await test.db.servicePoint.findUniqueOrThrow({ where: { id: ids.town } })).acceptanceStatus).toBe('accepted');

    const full = await loadApplication(test.db, id);
    expect(full?.plaqueOn).toBe('2026-03-27');
    expect(full?.versions.map((v) => [v.version, JSON.parse(v.form).computers])).toEqual([[1, 3], [2, 5]]);
    expect(full?.events.map((e) => `${e.fromState ?? '-'}>${e.toState}`)).toEqual([
      '->applied', 'applied>townConfirmed', 'townConfirmed>received', 'received>scheduled', 'scheduled>failed',
      'failed>resubmitted', 'resubmitted>townConfirmed', 'townConfirmed>received', 'received>passed',
    ]);
    const audit = await test.db.auditLog.findMany({ where: { entity: 'AcceptanceApplication', entityId: String(id) } });
    expect(audit).toHaveLength(9);
    expect((await outboxOf(ids.townContact)).at(-1)).toContain('牌匾');
    // the actor is answered in the chat, not through the outbox: the operator who passed it hears nothing twice
    expect((await outboxOf(ids.operator)).some((t) => t.includes('验收通过，授牌'))).toBe(false);
    expect((await outboxOf(ids.operator2)).some((t) => t.includes('验收通过，授牌'))).toBe(true);
    expect((await listApplications(test.db, { town: '石龙镇' })).map((a) => a.state)).toEqual(['passed']);
  });

  it('refuses the wrong party and a second simultaneous application, changing nothing', async () => {
    const villageActor: StepActor = { contactId: ids.villageContact, point: { id: ids.village, town: '虎门镇', level: 'village' }, label: 'console:v' };
    const before = await test.db.acceptanceEvent.count();
    expect((await step({ action: 'apply', actor: villageActor, pointId: ids.town, form, at: fromLocal(2026, 4, 1, 9) })).ok).toBe(false);
    const both = await Promise.all([1, 2].map(() => step({ action: 'apply', actor: villageActor, pointId: ids.village, form, at: fromLocal(2026, 4, 1, 9) })));
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ reason: expect.stringContaining('已有一份验收申请在办理中') });
    expect(await test.db.acceptanceEvent.count()).toBe(before + 1);
    // 虎门镇 lists no 镇文广中心: the operator records the stamped paper form
    const app = (await listApplications(test.db, { pointId: ids.village }))[0]!;
    expect(await step({ action: 'receive', actor: operator, applicationId: app.id, at: fromLocal(2026, 4, 2, 9) })).toMatchObject({ ok: true, state: 'received', deadline: '2026-04-17' });
  });

  it('reminds operators two working days before the deadline, then once overdue', async () => {
    const app = (await listApplications(test.db, { pointId: ids.village }))[0]!;
    expect(app.deadline).toBe('2026-04-17');
    const S = DEFAULT_REMINDER_SETTINGS;
    const stages = async (at: Date) => (await planAt(test.db, at, S)).filter((p) => p.servicePointId === ids.village).map((p) => `${p.stage}:${p.contactId}`);
    expect(await stages(fromLocal(2026, 4, 14, 10))).toEqual([]);
    expect(await stages(fromLocal(2026, 4, 15, 8))).toEqual([]);
    expect(await stages(fromLocal(2026, 4, 15, 10))).toEqual([`inspectionReminder:${ids.operator}`, `inspectionReminder:${ids.operator2}`]);
    expect(await stages(fromLocal(2026, 4, 20, 10))).toEqual([`inspectionOverdue:${ids.operator}`, `inspectionOverdue:${ids.operator2}`]);
  });

  it('enqueues a reminder once however often the scheduler ticks', async () => {
    const scheduler = createScheduler({ db: test.db, clock: new ManualClock(fromLocal(2026, 4, 15, 10)), log: pino({ level: 'silent' }) });
    await scheduler.tick(fromLocal(2026, 4, 15, 10));
    await scheduler.tick(fromLocal(2026, 4, 15, 10, 1));
    await scheduler.tick(fromLocal(2026, 4, 16, 10));
    const rows = await test.db.outboxMessage.findMany({ where: { purpose: 'acceptanceReminder', dedupeKey: { startsWith: 'acceptanceReminder:' } } });
    expect(rows.map((r) => r.contactId).sort()).toEqual([ids.operator, ids.operator2].sort());
    expect(rows[0]!.text).toContain('须在2026年4月17日（星期五）前完成现场验收');
  });

  it('lists accepted town points in the re-inspection window, then 限期整改 past its deadline, then 除牌', async () => {
    const S = DEFAULT_REMINDER_SETTINGS;
    const of = async (at: Date, stage: string) => (await planAt(test.db, at, S)).filter((p) => p.stage === stage);
    // accepted in 2026: not due the same year; due in the window of 2027
    expect(await of(fromLocal(2026, 10, 12, 10), 'reinspectionDue')).toEqual([]);
    expect(await of(fromLocal(2027, 9, 30, 10), 'reinspectionDue')).toEqual([]);
    const due = await of(fromLocal(2027, 10, 8, 10), 'reinspectionDue');
    expect(due.map((p) => p.contactId)).toEqual([ids.operator, ids.operator2]);
    expect(due[0]!.text).toContain('石龙镇图书馆');
    expect(due[0]!.dedupeKey).toBe(`reinspectionDue:2027:contact:${ids.operator}`);

    const noDeadline = await recordReinspection(test.db, { pointId: ids.town, result: 'rectify', deadline: null, note: null, actor: operator, at: fromLocal(2027, 10, 20, 10) });
    expect(noDeadline).toMatchObject({ ok: false, reason: expect.stringContaining('整改期限') });
    const rectify = await recordReinspection(test.db, { pointId: ids.town, result: 'rectify', deadline: '2027-11-30', note: '服务人次不足', actor: operator, at: fromLocal(2027, 10, 20, 10) });
    expect(rectify).toMatchObject({ ok: true, pointStatus: 'deadlineRectification' });
    expect(await of(fromLocal(2027, 10, 21, 10), 'reinspectionDue')).toEqual([]);
    expect(await of(fromLocal(2027, 11, 30, 10), 'rectificationOverdue')).toEqual([]);
    expect((await of(fromLocal(2027, 12, 1, 10), 'rectificationOverdue')).map((p) => p.contactId)).toEqual([ids.operator, ids.operator2]);

    const removed = await recordReinspection(test.db, { pointId: ids.town, result: 'plaqueRemoved', deadline: null, note: null, actor: operator, at: fromLocal(2027, 12, 2, 10) });
    expect(removed).toMatchObject({ ok: true, pointStatus: 'plaqueRemoved' });
    expect((await outboxOf(ids.townContact)).at(-1)).toContain('除牌处理');
    expect((await outboxOf(ids.centerContact)).at(-1)).toContain('除牌处理');
    expect(await of(fromLocal(2027, 12, 3, 10), 'rectificationOverdue')).toEqual([]);
    // after 除牌 the point may apply anew
    expect((await step({ action: 'apply', actor: applicant, pointId: ids.town, form, at: fromLocal(2028, 1, 5, 10) })).ok).toBe(true);
  });
});
