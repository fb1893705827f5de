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
  const attempt = () =>
    db.$transaction(async (tx) => {
      const key = { servicePointId_month: { servicePointId: submission.servicePointId, month: submission.month } };
      const existing = await tx.monthlyReport.findUnique({ where: key, select: { id: true } });
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
      });
      return { reportId: report.id, revision: report.revision, isLate: report.isLate, submissionLate };
    });
  try {
    return await attempt();
  } catch (error) {
    // two first submissions racing: the loser's create hits the unique key; the second try updates
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
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
