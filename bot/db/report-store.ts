// The monthly report aggregate: MonthlyReport holds the current state, and every confirmed
// submission is also a MonthlyReportRevision (1, 2, ...) and an AuditLog row, in one transaction,
// so a correction never erases what was sent before. On the driver (DirectSql): these statements
// run for nearly every report message.
import { isLateSubmission } from '../../commands/report/months.ts';
import type { FigureValue } from '../../commands/report/parse.ts';
import { parseStoredFigures, storedFiguresSchema } from '../../commands/report/validate.ts';
import type { MonthKey } from '../time.ts';
import { auditReadingStatement } from './audit.ts';
import type { ReadSql } from '../core/capability.ts';
import type { BatchStep, DirectSql } from './direct-sql.ts';

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

/** The figures MonthlyReport also keeps as columns for the year's assessment, in their order. */
export const ASSESSMENT_COLUMNS = ['visitors', 'openHours', 'activities', 'computers'] as const;

/**
 * The column values of a report's stored figures: a number is copied, anything else (absent, a
 * text) is null, as the assessment's fold reads them. Every writer of MonthlyReport uses this, so
 * the columns never disagree with the JSON.
 */
export function assessmentColumns(figures: Readonly<Record<string, unknown>>): Record<(typeof ASSESSMENT_COLUMNS)[number], number | null> {
  const pick = (key: string): number | null => {
    const v = figures[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  return { visitors: pick('visitors'), openHours: pick('openHours'), activities: pick('activities'), computers: pick('computers') };
}

/**
 * The statements that store a confirmed submission, for a batch (the core runs them in the
 * message's transaction). The upsert increments the revision in the database, so two
 * confirmations at once get 2 and 3, not 2 and 2; the revision and audit rows read the id and
 * revision it wrote back in the same transaction (VALUES with subqueries, so PostgreSQL types the
 * values from the target columns), so all three go to the database together. The audit detail has
 * the revision spliced in by the database. `stored` receives the upsert's row once the batch has it.
 */
export function storeReportSteps(submission: Submission, stored: (result: StoredReport) => void): BatchStep[] {
  const figures = storedFiguresSchema.parse(submission.status === 'noNewData' ? {} : submission.figures);
  const figuresJson = JSON.stringify(figures);
  const submissionLate = isLateSubmission(submission.month, submission.at);
  const { servicePointId, month, status, contactId, at } = submission;
  const columns = assessmentColumns(figures);
  const key = [servicePointId, month];
  const thisReport = 'FROM "MonthlyReport" WHERE "servicePointId" = ? AND "month" = ?';
  // the detail's JSON in the order { servicePointId, month, revision, status, figures, late }
  const detailHead = `${JSON.stringify({ servicePointId, month }).slice(0, -1)},"revision":`;
  const detailTail = `,${JSON.stringify({ status, figures, late: submissionLate }).slice(1)}`;
  return [
    {
      sql: `INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "visitors", "openHours", "activities", "computers", "revision", "submittedByContactId", "submittedAt", "isLate", "firstSubmittedAt", "createdAt", "updatedAt")
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
        ON CONFLICT ("servicePointId", "month") DO UPDATE SET
          "status" = excluded."status", "figures" = excluded."figures",
          "visitors" = excluded."visitors", "openHours" = excluded."openHours", "activities" = excluded."activities", "computers" = excluded."computers",
          "revision" = "MonthlyReport"."revision" + 1,
          "submittedByContactId" = excluded."submittedByContactId", "submittedAt" = excluded."submittedAt", "updatedAt" = excluded."updatedAt"
        RETURNING "id", "revision", "isLate"`,
      params: [servicePointId, month, status, figuresJson, columns.visitors, columns.openHours, columns.activities, columns.computers, contactId, at, submissionLate, at, at, at],
      expectChanges: 1,
      onRows: ([row]) => {
        const written = row as ReportRow;
        stored({ reportId: Number(written.id), revision: Number(written.revision), isLate: Boolean(written.isLate), submissionLate });
      },
    },
    {
      sql: `INSERT INTO "MonthlyReportRevision" ("reportId", "revision", "status", "figures", "submittedByContactId", "channel", "submittedAt", "isLate")
        VALUES ((SELECT "id" ${thisReport}), (SELECT "revision" ${thisReport}), ?, ?, ?, ?, ?, ?)`,
      params: [...key, ...key, status, figuresJson, contactId, submission.channel, at, submissionLate],
    },
    auditReadingStatement(
      { at, actorContactId: contactId, actor: submission.actor, entity: 'MonthlyReport' },
      {
        action: { sql: `(SELECT CASE WHEN "revision" = 1 THEN 'report.submit' ELSE 'report.revise' END ${thisReport})`, params: key },
        entityId: { sql: `(SELECT CAST("id" AS TEXT) ${thisReport})`, params: key },
        detail: { sql: `(SELECT ? || CAST("revision" AS TEXT) || ? ${thisReport})`, params: [detailHead, detailTail, ...key] },
      },
    ),
  ];
}

/** Stores a submission in a transaction of its own (the command line, tests). */
export async function saveReport(sql: DirectSql, submission: Submission): Promise<StoredReport> {
  let stored: StoredReport | null = null;
  await sql.batch(storeReportSteps(submission, (result) => (stored = result)));
  if (!stored) throw new Error(`monthly report ${submission.servicePointId}/${submission.month} was not stored`);
  return stored;
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
  /** the name of the contact who submitted the current revision (null: the command line) */
  submittedBy: string | null;
}

export async function findReport(sql: ReadSql, servicePointId: number, month: MonthKey): Promise<CurrentReport | null> {
  const rows = await sql.query<{ status: string; figures: string; revision: number; submittedAt: Date; isLate: boolean; submittedBy: string | null }>(
    `SELECT r."status", r."figures", r."revision", r."submittedAt", r."isLate", c."name" AS "submittedBy"
     FROM "MonthlyReport" r LEFT JOIN "Contact" c ON c."id" = r."submittedByContactId"
     WHERE r."servicePointId" = ? AND r."month" = ?`,
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
    submittedBy: row.submittedBy,
  };
}

export interface StoredMonth {
  month: MonthKey;
  status: ReportStatus;
  /** as stored (JSON) */
  figures: string;
}

/** A point's stored reports of months from..to (inclusive), in one query. */
export async function loadReportMonths(sql: ReadSql, servicePointId: number, from: MonthKey, to: MonthKey): Promise<StoredMonth[]> {
  const rows = await sql.query<{ month: string; status: string; figures: string }>(
    'SELECT "month", "status", "figures" FROM "MonthlyReport" WHERE "servicePointId" = ? AND "month" >= ? AND "month" <= ?',
    [servicePointId, from, to],
  );
  return rows.map((r) => ({ month: r.month as MonthKey, status: r.status === 'noNewData' ? 'noNewData' : 'reported', figures: r.figures }));
}
