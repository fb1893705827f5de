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
  const { servicePointId, month, status, contactId, at } = submission;
  // Three statements in one batch transaction: an interactive transaction (read, then write) cost
  // more CPU than the rest of a confirmation. The upsert increments the revision in the database,
  // so two confirmations at once get 2 and 3, not 2 and 2; the revision and audit rows copy the id
  // and revision it produced. The audit detail is the same JSON as before, with the revision
  // spliced in by the database.
  const detailHead = JSON.stringify({ servicePointId, month }).slice(0, -1) + ',"revision":';
  const detailTail = ',' + JSON.stringify({ status, figures, late: submissionLate }).slice(1);
  const [rows] = await db.$transaction([
    db.$queryRaw<ReportRow[]>`
      INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "revision", "submittedByContactId", "submittedAt", "isLate", "firstSubmittedAt", "createdAt", "updatedAt")
      VALUES (${servicePointId}, ${month}, ${status}, ${figuresJson}, 1, ${contactId}, ${at}, ${submissionLate}, ${at}, ${at}, ${at})
      ON CONFLICT ("servicePointId", "month") DO UPDATE SET
        "status" = excluded."status", "figures" = excluded."figures", "revision" = "MonthlyReport"."revision" + 1,
        "submittedByContactId" = excluded."submittedByContactId", "submittedAt" = excluded."submittedAt", "updatedAt" = excluded."updatedAt"
      RETURNING "id", "revision", "isLate"`,
    db.$executeRaw`
      INSERT INTO "MonthlyReportRevision" ("reportId", "revision", "status", "figures", "submittedByContactId", "channel", "submittedAt", "isLate")
      SELECT "id", "revision", ${status}, ${figuresJson}, ${contactId}, ${submission.channel}, ${at}, ${submissionLate}
      FROM "MonthlyReport" WHERE "servicePointId" = ${servicePointId} AND "month" = ${month}`,
    db.$executeRaw`
      INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail")
      SELECT ${at}, ${contactId}, ${submission.actor}, CASE WHEN "revision" = 1 THEN 'report.submit' ELSE 'report.revise' END,
        'MonthlyReport', CAST("id" AS TEXT), CAST(${detailHead} AS TEXT) || CAST("revision" AS TEXT) || CAST(${detailTail} AS TEXT)
      FROM "MonthlyReport" WHERE "servicePointId" = ${servicePointId} AND "month" = ${month}`,
  ]);
  const row = rows[0];
  if (!row) throw new Error(`monthly report ${servicePointId}/${month} was not stored`);
  return { reportId: Number(row.id), revision: Number(row.revision), isLate: Boolean(row.isLate), submissionLate };
}

interface ReportRow {
  id: number | bigint;
  revision: number | bigint;
  isLate: boolean | number;
}

export interface CurrentReport {
  status: ReportStatus;
  figures: Record<string, FigureValue>;
  revision: number;
  submittedAt: Date;
  isLate: boolean;
}

export async function findReport(db: Db, servicePointId: number, month: MonthKey): Promise<CurrentReport | null> {
  // raw: read for nearly every report message, and half the CPU of the model call
  const rows = await db.$queryRaw<{ status: string; figures: string; revision: number | bigint; submittedAt: Date | string; isLate: boolean | number }[]>`
    SELECT "status", "figures", "revision", "submittedAt", "isLate" FROM "MonthlyReport" WHERE "servicePointId" = ${servicePointId} AND "month" = ${month}`;
  const row = rows[0];
  if (!row) return null;
  return {
    status: row.status === 'noNewData' ? 'noNewData' : 'reported',
    figures: parseStoredFigures(row.figures),
    revision: Number(row.revision),
    submittedAt: row.submittedAt instanceof Date ? row.submittedAt : new Date(row.submittedAt),
    isLate: Boolean(row.isLate),
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
  const rows = await db.$queryRaw<{ month: string; status: string; figures: string }[]>`
    SELECT "month", "status", "figures" FROM "MonthlyReport" WHERE "servicePointId" = ${servicePointId} AND "month" >= ${from} AND "month" <= ${to}`;
  return rows.map((r) => ({ month: r.month as MonthKey, status: r.status === 'noNewData' ? 'noNewData' : 'reported', figures: r.figures }));
}
