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
   * first, else a create. A wrong guess (another chat stored one in between) costs one more
   * statement, never a wrong revision.
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
  const { servicePointId, month, status, contactId, at } = submission;
  // Raw statements in a transaction: four model calls here cost more CPU than the rest of a
  // confirmation. Either order works against another writer: the create yields on the unique key
  // (ON CONFLICT DO NOTHING, no error to recover from) and the update then finds the row; the
  // increment happens in the database, so two confirmations at once get 2 and 3, not 2 and 2.
  return db.$transaction(async (tx) => {
    const update = () => tx.$queryRaw<ReportRow[]>`
      UPDATE "MonthlyReport" SET "status" = ${status}, "figures" = ${figuresJson}, "revision" = "revision" + 1,
        "submittedByContactId" = ${contactId}, "submittedAt" = ${at}, "updatedAt" = ${at}
      WHERE "servicePointId" = ${servicePointId} AND "month" = ${month}
      RETURNING "id", "revision", "isLate"`;
    const create = () => tx.$queryRaw<ReportRow[]>`
      INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "revision", "submittedByContactId", "submittedAt", "isLate", "firstSubmittedAt", "createdAt", "updatedAt")
      VALUES (${servicePointId}, ${month}, ${status}, ${figuresJson}, 1, ${contactId}, ${at}, ${submissionLate}, ${at}, ${at}, ${at})
      ON CONFLICT ("servicePointId", "month") DO NOTHING
      RETURNING "id", "revision", "isLate"`;
    let existing = submission.expectExisting === true;
    let row = (await (existing ? update() : create()))[0];
    if (!row) {
      existing = !existing;
      row = (await (existing ? update() : create()))[0];
    }
    if (!row) throw new Error(`monthly report ${servicePointId}/${month} could be neither created nor updated`);
    const reportId = Number(row.id);
    const revision = Number(row.revision);
    await tx.$executeRaw`
      INSERT INTO "MonthlyReportRevision" ("reportId", "revision", "status", "figures", "submittedByContactId", "channel", "submittedAt", "isLate")
      VALUES (${reportId}, ${revision}, ${status}, ${figuresJson}, ${contactId}, ${submission.channel}, ${at}, ${submissionLate})`;
    const detail = JSON.stringify({ servicePointId, month, revision, status, figures, late: submissionLate });
    await tx.$executeRaw`
      INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail")
      VALUES (${at}, ${contactId}, ${submission.actor}, ${existing ? 'report.revise' : 'report.submit'}, 'MonthlyReport', ${String(reportId)}, ${detail})`;
    return { reportId, revision, isLate: Boolean(row.isLate), submissionLate };
  });
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
