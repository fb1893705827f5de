// The month's figures for the provincial system: one row per active service point (missing ones as
// 未报), as .csv (UTF-8 with BOM, so Excel shows the Chinese) or .xlsx. Points are read in batches
// along the (town, name) index and written as they come, so 100,000 points need little memory.
// Everything is read on a DirectSql: the command line exports on a driver connection of its own,
// without loading the Prisma client (most of a process's memory), and the chat's /export on the
// bot's DirectSql.
import { createWriteStream } from 'node:fs';
import { once, type EventEmitter } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import type { DirectSql } from '../../bot/db/direct-sql.ts';
import type { ReadSql } from '../../bot/core/capability.ts';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { formatOf, loadExcel, type SpreadsheetFormat } from '../../bot/spreadsheet.ts';
import { localDateTimeString, parseMonthKey, type MonthKey } from '../../bot/time.ts';
import { readTemplate, type ReportTemplate } from './template.ts';
import { parseStoredFigures } from './validate.ts';

export const BATCH_SIZE = 2000;
export const STATE_LABELS = { reported: '已报', noNewData: '无新增', missing: '未报' } as const;

export type Cell = string | number | null;

export function exportHeader(template: ReportTemplate): string[] {
  return ['镇街', '服务点', '级别', '月份', '状态', ...template.fields.map((f) => f.label), '提交人', '提交时间', '是否逾期'];
}

// one query per batch (points with their report and its submitter), continuing after the last
// (town, name) on the unique index: Prisma's findMany for 2,000 points and their reports cost more
// CPU than writing the file, and its garbage most of the memory
const PAGE = (after: boolean) => `
  SELECT p."town" AS town, p."name" AS name, p."level" AS level, r."status" AS status, r."figures" AS figures,
         c."name" AS submitter, r."submittedAt" AS "submittedAt", r."isLate" AS "isLate"
  FROM "ServicePoint" p
  LEFT JOIN "MonthlyReport" r ON r."servicePointId" = p."id" AND r."month" = ?
  LEFT JOIN "Contact" c ON c."id" = r."submittedByContactId"
  WHERE p."active" = TRUE AND p."level" NOT IN ('subCenter', 'townCultureCenter') ${after ? 'AND (p."town", p."name") > (?, ?)' : ''}
  ORDER BY p."town", p."name"
  LIMIT ?`;
const FIRST_PAGE = PAGE(false);
const NEXT_PAGE = PAGE(true);

/** The rows of the export after the header, batch by batch, in (镇街, 服务点) order. */
export async function* exportBatches(sql: ReadSql, month: MonthKey, template: ReportTemplate, batchSize = BATCH_SIZE): AsyncGenerator<Cell[][]> {
  parseMonthKey(month);
  let after: { town: string; name: string } | null = null;
  for (;;) {
    const page: ExportRow[] = after
      ? await sql.query<ExportRow>(NEXT_PAGE, [month, after.town, after.name, batchSize])
      : await sql.query<ExportRow>(FIRST_PAGE, [month, batchSize]);
    if (page.length === 0) return;
    yield page.map((p) => {
      const level = POINT_LEVEL_LABELS[p.level as PointLevel] ?? p.level;
      if (p.status === null) return [p.town, p.name, level, month, STATE_LABELS.missing, ...template.fields.map(() => null), null, null, null];
      const figures = parseStoredFigures(p.figures ?? '{}');
      const state = p.status === 'noNewData' ? 'noNewData' : 'reported';
      return [
        p.town,
        p.name,
        level,
        month,
        STATE_LABELS[state],
        ...template.fields.map((f) => figures[f.key] ?? null),
        p.submitter,
        p.submittedAt === null ? null : localDateTimeString(p.submittedAt instanceof Date ? p.submittedAt : new Date(p.submittedAt)),
        p.isLate === true || p.isLate === 1 || p.isLate === 1n ? '是' : '否',
      ];
    });
    const last = page[page.length - 1]!;
    after = { town: last.town, name: last.name };
    if (page.length < batchSize) return;
  }
}

interface ExportRow extends Record<string, unknown> {
  town: string;
  name: string;
  level: string;
  status: string | null;
  figures: string | null;
  submitter: string | null;
  submittedAt: Date | string | null;
  // SQLite returns booleans as 0/1
  isLate: boolean | number | bigint | null;
}

/** A CSV cell: quoted when needed; text a spreadsheet would run as a formula is defused with a quote. */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

export async function writeCsv(out: Writable, header: string[], batches: AsyncIterable<Cell[][]>): Promise<number> {
  let rows = 0;
  await write(out, `\ufeff${header.map(csvCell).join(',')}\r\n`);
  for await (const batch of batches) {
    await write(out, batch.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n');
    rows += batch.length;
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

const ZIP_BACKLOG_LIMIT = 1 << 20;

/**
 * How many bytes of the sheet's XML wait for the compressor, or null when that cannot be seen.
 * exceljs's streaming writer hands each committed row to its zip (archiver) without waiting: its
 * stream ignores backpressure. The compressor only runs when the event loop turns, which reads
 * from SQLite never let it do, so without a pause the whole sheet (about 70 MB of XML for 100,000
 * rows) waited in memory. What is waiting is the zip entry's input stream (readable-stream 2, hence
 * _writableState); if a new exceljs hides it, this answers null and the export still works, only
 * with more memory (test/report/export-memory.test.ts notices).
 */
export function zipBacklog(sheet: unknown): number | null {
  const entry = (sheet as { stream?: { pipes?: { _writableState?: { length?: number } }[] } }).stream?.pipes?.[0];
  const length = entry?._writableState?.length;
  return typeof length === 'number' ? length : null;
}

async function zipCaughtUp(sheet: unknown): Promise<void> {
  const backlog = zipBacklog(sheet);
  if (backlog !== null && backlog > ZIP_BACKLOG_LIMIT) {
    await once((sheet as { stream: { pipes: EventEmitter[] } }).stream.pipes[0]!, 'drain');
  }
}

export async function writeXlsx(out: Writable, header: string[], batches: AsyncIterable<Cell[][]>, sheetName: string): Promise<number> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = header.map((h, i) => ({ header: h, width: i < 2 ? 16 : i === header.length - 2 ? 18 : Math.max(10, h.length * 2 + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let rows = 0;
  for await (const batch of batches) {
    for (const row of batch) sheet.addRow(row).commit();
    rows += batch.length;
    await zipCaughtUp(sheet);
  }
  sheet.commit();
  await workbook.commit();
  return rows;
}

export interface ExportResult {
  file: string;
  rows: number;
  format: SpreadsheetFormat;
}

/** gxgc report export --month YYYY-MM FILE */
export async function exportMonthToFile(sql: DirectSql, month: MonthKey, file: string): Promise<ExportResult> {
  const format = formatOf(file);
  const template = await readTemplate(sql);
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  const batches = exportBatches(sql, month, template);
  const rows = await Promise.race([
    format === 'csv' ? writeCsv(out, exportHeader(template), batches) : writeXlsx(out, exportHeader(template), batches, `${month}月报`),
    failed,
  ]);
  return { file, rows, format };
}

/** The same file in memory, for sending in a chat. */
export async function exportMonthToBuffer(sql: ReadSql, month: MonthKey, format: SpreadsheetFormat): Promise<{ content: Uint8Array; rows: number }> {
  const template = await readTemplate(sql);
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const batches = exportBatches(sql, month, template);
  const rows = format === 'csv' ? await writeCsv(sink, exportHeader(template), batches) : await writeXlsx(sink, exportHeader(template), batches, `${month}月报`);
  if (!sink.readableEnded) await once(sink, 'end');
  return { content: new Uint8Array(Buffer.concat(chunks)), rows };
}
