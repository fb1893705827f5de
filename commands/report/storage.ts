// Storing a confirmed report: MonthlyReport holds the current state, and every confirmed
// submission is also a MonthlyReportRevision (1, 2, ...) and an AuditLog row, in one transaction,
// so a correction never erases what was sent before.
import type { Db } from '../../bot/db/client.ts';
import type { MonthKey } from '../../bot/time.ts';
import { isLateSubmission } from './months.ts';
import type { FigureValue } from './parse.ts';
import { parseStoredFigures, storedFiguresSchema } from './validate.ts';

export type ReportStatus = 'reported' | 'noNewData';

export interface Submission {
  servicePointId: number;
  month: MonthKey;
  status: ReportStatus;
  figures: Record<string, FigureValue>;
  contactId: number | null;
  channel: string | null;
  /** AuditLog.actor: "<channel>:<chat id>" or "cli" */
  actor: string;
  at: Date;
  /**
   * Whether the caller has just seen a stored report for the month: the write then tries an update
   * first, else a create, and skips reading the row again. A wrong guess (another chat stored one in
   * between) costs one retry, never a wrong revision.
   */
  expectExisting?: boolean;
}

export interface StoredReport {
  reportId: number;
  revision: number;
  /** the month's first submission came on or after the 5th of the following month */
  isLate: boolean;
  /** this submission itself came late */
  submissionLate: boolean;
}

export async function saveReport(db: Db, submission: Submission): Promise<StoredReport> {
  const figures = storedFiguresSchema.parse(submission.status === 'noNewData' ? {} : submission.figures);
  const figuresJson = JSON.stringify(figures);
  const submissionLate = isLateSubmission(submission.month, submission.at);
  const key = { servicePointId_month: { servicePointId: submission.servicePointId, month: submission.month } };
  const attempt = (mode: 'update' | 'create' | 'read') =>
    db.$transaction(async (tx) => {
      const existing = mode === 'read' ? (await tx.monthlyReport.findUnique({ where: key, select: { id: true } })) !== null : mode === 'update';
      // the increment happens in the database, so two confirmations at once get 2 and 3, not 2 and 2
      const report = existing
        ? await tx.monthlyReport.update({
            where: key,
            data: {
              status: submission.status,
              figures: figuresJson,
              revision: { increment: 1 },
              submittedByContactId: submission.contactId,
              submittedAt: submission.at,
            },
            select: { id: true, revision: true, isLate: true },
          })
        : await tx.monthlyReport.create({
            data: {
              servicePointId: submission.servicePointId,
              month: submission.month,
              status: submission.status,
              figures: figuresJson,
              revision: 1,
              submittedByContactId: submission.contactId,
              submittedAt: submission.at,
              firstSubmittedAt: submission.at,
              isLate: submissionLate,
            },
            select: { id: true, revision: true, isLate: true },
          });
      await tx.monthlyReportRevision.create({
        data: {
          reportId: report.id,
          revision: report.revision,
          status: submission.status,
          figures: figuresJson,
          submittedByContactId: submission.contactId,
          channel: submission.channel,
          submittedAt: submission.at,
          isLate: submissionLate,
        },
        select: { id: true },
      });
      await tx.auditLog.create({
        data: {
          at: submission.at,
          actorContactId: submission.contactId,
          actor: submission.actor,
          action: existing ? 'report.revise' : 'report.submit',
          entity: 'MonthlyReport',
          entityId: String(report.id),
          detail: JSON.stringify({
            servicePointId: submission.servicePointId,
            month: submission.month,
            revision: report.revision,
            status: submission.status,
            figures,
            late: submissionLate,
          }),
        },
        select: { id: true },
      });
      return { reportId: report.id, revision: report.revision, isLate: report.isLate, submissionLate };
    });
  const first = submission.expectExisting === undefined ? 'read' : submission.expectExisting ? 'update' : 'create';
  try {
    return await attempt(first);
  } catch (error) {
    // two first submissions racing: the loser's create hits the unique key; a guessed update found
    // no row (P2025). Either way the transaction rolled back, and reading the row decides the retry
    if (isUniqueViolation(error) || (first === 'update' && isNotFound(error))) return attempt('read');
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2025';
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

export interface CurrentReport {
  status: ReportStatus;
  figures: Record<string, FigureValue>;
  revision: number;
  submittedAt: Date;
  isLate: boolean;
}

export async function findReport(db: Db, servicePointId: number, month: MonthKey): Promise<CurrentReport | null> {
  const row = await db.monthlyReport.findUnique({ where: { servicePointId_month: { servicePointId, month } } });
  if (!row) return null;
  return {
    status: row.status === 'noNewData' ? 'noNewData' : 'reported',
    figures: parseStoredFigures(row.figures),
    revision: row.revision,
    submittedAt: row.submittedAt,
    isLate: row.isLate,
  };
}

export interface StoredMonth {
  month: MonthKey;
  status: ReportStatus;
  /** as stored (JSON) */
  figures: string;
}

/** A point's stored reports of months from..to (inclusive), in one query. */
export async function loadReportMonths(db: Db, servicePointId: number, from: MonthKey, to: MonthKey): Promise<StoredMonth[]> {
  const rows = await db.monthlyReport.findMany({
    where: { servicePointId, month: { gte: from, lte: to } },
    select: { month: true, status: true, figures: true },
  });
  return rows.map((r) => ({ month: r.month as MonthKey, status: r.status === 'noNewData' ? 'noNewData' : 'reported', figures: r.figures }));
}
