// Storing a confirmed report: MonthlyReport holds the current state, and every confirmed
// submission is also a MonthlyReportRevision (1, 2, ...) and an AuditLog row, in one transaction,
// so a correction never erases what was sent before.
import { sqlOf, type Db } from '../../bot/db/client.ts';
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
  // Three statements in one transaction, on the driver (direct-sql.ts). The upsert increments the
  // revision in the database, so two confirmations at once get 2 and 3, not 2 and 2; the revision
  // and audit rows copy the id and revision it produced. The audit detail is the same JSON as
  // before, with the revision spliced in by the database.
  const detailHead = JSON.stringify({ servicePointId, month }).slice(0, -1) + ',"revision":';
  const detailTail = ',' + JSON.stringify({ status, figures, late: submissionLate }).slice(1);
  const upsert = {
    sql: `INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "revision", "submittedByContactId", "submittedAt", "isLate", "firstSubmittedAt", "createdAt", "updatedAt")
      VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("servicePointId", "month") DO UPDATE SET
        "status" = excluded."status", "figures" = excluded."figures", "revision" = "MonthlyReport"."revision" + 1,
        "submittedByContactId" = excluded."submittedByContactId", "submittedAt" = excluded."submittedAt", "updatedAt" = excluded."updatedAt"
      RETURNING "id", "revision", "isLate"`,
    params: [servicePointId, month, status, figuresJson, contactId, at, submissionLate, at, at, at],
  };
  const revision = [status, figuresJson, contactId, submission.channel, at, submissionLate];
  const audit = [at, contactId, submission.actor, detailHead, detailTail];
  const sql = sqlOf(db);
  let rows: ReportRow[];
  if (sql.provider === 'postgresql') {
    // one round trip instead of five (BEGIN, three statements, COMMIT): data-modifying CTEs, which
    // SQLite lacks; a statement is atomic on its own. INSERT … SELECT takes no type from the target
    // columns, hence the casts.
    rows = await sql.query<ReportRow>(
      `WITH r AS (${upsert.sql}),
      rev AS (INSERT INTO "MonthlyReportRevision" ("reportId", "revision", "status", "figures", "submittedByContactId", "channel", "submittedAt", "isLate")
        SELECT r."id", r."revision", CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TIMESTAMP(3)), CAST(? AS BOOLEAN) FROM r),
      audit AS (INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail")
        SELECT CAST(? AS TIMESTAMP(3)), CAST(? AS INTEGER), CAST(? AS TEXT), CASE WHEN r."revision" = 1 THEN 'report.submit' ELSE 'report.revise' END,
          'MonthlyReport', CAST(r."id" AS TEXT), CAST(? AS TEXT) || CAST(r."revision" AS TEXT) || CAST(? AS TEXT) FROM r)
      SELECT "id", "revision", "isLate" FROM r`,
      [...upsert.params, ...revision, ...audit],
    );
  } else {
    // VALUES with subqueries: reads the row the upsert just wrote, inside the same transaction
    const thisReport = 'FROM "MonthlyReport" WHERE "servicePointId" = ? AND "month" = ?';
    const key = [servicePointId, month];
    const results = await sql.batch([
      upsert,
      {
        sql: `INSERT INTO "MonthlyReportRevision" ("reportId", "revision", "status", "figures", "submittedByContactId", "channel", "submittedAt", "isLate")
          VALUES ((SELECT "id" ${thisReport}), (SELECT "revision" ${thisReport}), ?, ?, ?, ?, ?, ?)`,
        params: [...key, ...key, ...revision],
      },
      {
        sql: `INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail")
          VALUES (?, ?, ?, (SELECT CASE WHEN "revision" = 1 THEN 'report.submit' ELSE 'report.revise' END ${thisReport}), 'MonthlyReport',
            (SELECT CAST("id" AS TEXT) ${thisReport}), (SELECT ? || CAST("revision" AS TEXT) || ? ${thisReport}))`,
        params: [...audit.slice(0, 3), ...key, ...key, audit[3]!, audit[4]!, ...key],
      },
    ]);
    rows = results[0] as ReportRow[];
  }
  const row = rows[0];
  if (!row) throw new Error(`monthly report ${servicePointId}/${month} was not stored`);
  return { reportId: Number(row.id), revision: Number(row.revision), isLate: Boolean(row.isLate), submissionLate };
}

interface ReportRow extends Record<string, unknown> {
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
  // on the driver (direct-sql.ts): read for nearly every report message
  const rows = await sqlOf(db).query<{ status: string; figures: string; revision: number; submittedAt: Date; isLate: boolean }>(
    'SELECT "status", "figures", "revision", "submittedAt", "isLate" FROM "MonthlyReport" WHERE "servicePointId" = ? AND "month" = ?',
    [servicePointId, month],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    status: row.status === 'noNewData' ? 'noNewData' : 'reported',
    figures: parseStoredFigures(row.figures),
    revision: Number(row.revision),
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
  const rows = await sqlOf(db).query<{ month: string; status: string; figures: string }>(
    'SELECT "month", "status", "figures" FROM "MonthlyReport" WHERE "servicePointId" = ? AND "month" >= ? AND "month" <= ?',
    [servicePointId, from, to],
  );
  return rows.map((r) => ({ month: r.month as MonthKey, status: r.status === 'noNewData' ? 'noNewData' : 'reported', figures: r.figures }));
}
