// Storing confirmed reports when confirmations meet: every one becomes its own revision, whatever
// the caller guessed about the month being stored already, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlOf } from '../../bot/db/client.ts';
import { findReport, saveReport, type Submission } from '../../bot/db/report-store.ts';
import { createTestDatabase, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';

describe.each(TEST_PROVIDERS)('report storage on %s', (provider) => {
  let test: TestDatabase;
  let pointId: number;
  const at = new Date('2026-11-02T02:00:00Z');
  const submission = (month: string, visitors: number): Submission => ({
    servicePointId: pointId,
    month: month as Submission['month'],
    status: 'reported',
    figures: { openDays: 20, openHours: 160, visitors, activities: 2 },
    contactId: null,
    channel: 'console',
    actor: 'cli',
    at,
  });

  beforeAll(async () => {
    test = await createTestDatabase(provider);
    const point = await test.db.servicePoint.create({ data: { town: '石龙镇', name: '存储测试村', level: 'village' } });
    pointId = point.id;
  });
  afterAll(async () => test.drop());

  it('numbers simultaneous first submissions 1..n, each with its revision and audit row', async () => {
    const stored = await Promise.all([1, 2, 3, 4].map((i) => saveReport(sqlOf(test.db), submission('2026-10', 100 + i))));
    expect(stored.map((s) => s.revision).sort()).toEqual([1, 2, 3, 4]);
    const report = await findReport(sqlOf(test.db), pointId, '2026-10');
    expect(report?.revision).toBe(4);
    expect(report?.isLate).toBe(false);
    const revisions = await test.db.monthlyReportRevision.findMany({ where: { reportId: stored[0]!.reportId }, orderBy: { revision: 'asc' } });
    expect(revisions.map((r) => r.revision)).toEqual([1, 2, 3, 4]);
    const audit = await test.db.auditLog.findMany({ where: { entity: 'MonthlyReport', entityId: String(stored[0]!.reportId) } });
    expect(audit.map((a) => a.action).sort()).toEqual(['report.revise', 'report.revise', 'report.revise', 'report.submit']);
  });

  it('keeps the first submission’s lateness and time, and the audit detail of each revision', async () => {
    const other = await test.db.servicePoint.create({ data: { town: '石龙镇', name: '存储测试二村', level: 'village' } });
    const forOther = (visitors: number): Submission => ({ ...submission('2026-10', visitors), servicePointId: other.id });
    const first = await saveReport(sqlOf(test.db), forOther(90));
    expect(first).toMatchObject({ revision: 1, isLate: false, submissionLate: false });
    const later = new Date('2026-11-20T02:00:00Z');
    const second = await saveReport(sqlOf(test.db), { ...forOther(95), at: later });
    expect(second).toMatchObject({ reportId: first.reportId, revision: 2, isLate: false, submissionLate: true });
    const report = await findReport(sqlOf(test.db), other.id, '2026-10');
    expect(report).toMatchObject({ status: 'reported', revision: 2, figures: { visitors: 95 }, isLate: false });
    expect(report?.submittedAt.toISOString()).toBe(later.toISOString());
    const row = await test.db.monthlyReport.findUniqueOrThrow({ where: { id: first.reportId } });
    expect(row.firstSubmittedAt.toISOString()).toBe(at.toISOString());
    const audit = await test.db.auditLog.findMany({ where: { entity: 'MonthlyReport', entityId: String(first.reportId) }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, JSON.parse(a.detail)])).toEqual([
      ['report.submit', { servicePointId: other.id, month: '2026-10', revision: 1, status: 'reported', figures: { openDays: 20, openHours: 160, visitors: 90, activities: 2 }, late: false }],
      ['report.revise', { servicePointId: other.id, month: '2026-10', revision: 2, status: 'reported', figures: { openDays: 20, openHours: 160, visitors: 95, activities: 2 }, late: true }],
    ]);
  });
});
