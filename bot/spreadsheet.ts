// Tables in the two formats operators use: .csv (UTF-8, BOM written so Excel shows Chinese) and
// .xlsx. Every cell is read as text: a mobile number must not become 1.38e10, nor a 镇街 a date.
// A whole table in memory (readTable) for small files such as the rules; row by row (streamTable)
// for the directory, which may have 200,000 rows.
import { open, readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { parse as parseStream } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { CellValue } from 'exceljs';

export type SpreadsheetFormat = 'csv' | 'xlsx';

export class SpreadsheetError extends Error {
  override name = 'SpreadsheetError';
}

/**
 * exceljs, loaded when an .xlsx is read or written: it is the largest module the command line would
 * otherwise load for every command (about 35 MB resident), and most commands never touch an .xlsx.
 */
export async function loadExcel(): Promise<typeof import('exceljs')> {
  return (await import('exceljs')).default;
}

export function formatOf(file: string): SpreadsheetFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new SpreadsheetError(`不支持的文件类型“${ext || '(无扩展名)'}”：请使用 .csv 或 .xlsx 文件。`);
}

/** All rows including the header, each cell trimmed text. */
export async function readTable(file: string): Promise<string[][]> {
  const format = formatOf(file);
  const content = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new SpreadsheetError(e.code === 'ENOENT' ? `找不到文件：${file}` : `无法读取文件 ${file}：${e.message}`);
  });
  return format === 'csv' ? parseCsv(content) : parseXlsx(content);
}

const CSV_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: false } as const;

export function parseCsv(content: Buffer | string): string[][] {
  try {
    const rows = parse(content, CSV_OPTIONS) as string[][];
    return rows.map((r) => r.map((c) => c.trim()));
  } catch (e) {
    throw new SpreadsheetError(`CSV 文件格式有误：${(e as Error).message}`);
  }
}

export async function parseXlsx(content: Buffer): Promise<string[][]> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (e) {
    throw new SpreadsheetError(`无法读取 Excel 文件（需要 .xlsx 格式）：${(e as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  const width = sheet.columnCount;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    rows.push(cells);
  }
  return rows;
}

export interface SheetRow {
  /** 1-based, as a spreadsheet shows it: the header is row 1 */
  number: number;
  /** each cell trimmed text; a row may be shorter than the header */
  cells: string[];
}

/**
 * The rows of the file one at a time, numbered as readTable numbers them (the header is row 1). A
 * .csv is read as a stream and never held whole. An .xlsx is read whole (readTable's way) and then
 * handed out row by row: exceljs's streaming reader turns a Chinese character that falls on a chunk
 * boundary into U+FFFD, a few rows in every thousand (exceljs issues #2063 and #2084, open), and a
 * directory of garbled names is worse than a large one read slowly. A directory of 100,000 points is
 * best imported as .csv.
 */
export async function* streamTable(file: string): AsyncGenerator<SheetRow> {
  if (formatOf(file) === 'xlsx') {
    const rows = await readTable(file);
    for (let i = 0; i < rows.length; i++) yield { number: i + 1, cells: rows[i]! };
    return;
  }
  // opened here, so that a missing file is the same clear message as in readTable
  const handle = await open(file).catch((e: NodeJS.ErrnoException) => {
    throw new SpreadsheetError(e.code === 'ENOENT' ? `找不到文件：${file}` : `无法读取文件 ${file}：${e.message}`);
  });
  const input = handle.createReadStream();
  const parser = parseStream(CSV_OPTIONS);
  // pipeline, not pipe: a read error ends the iteration with that error
  pipeline(input, parser, () => undefined);
  let number = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield { number: ++number, cells: record.map((c) => c.trim()) };
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('CSV_')) throw new SpreadsheetError(`CSV 文件格式有误：${(e as Error).message}`);
    throw e;
  } finally {
    input.destroy();
  }
}

function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((t) => t.text).join('').trim();
  if (typeof value === 'object' && 'text' in value) return String(value.text).trim();
  if (typeof value === 'object' && 'result' in value) return cellText(value.result as CellValue);
  return String(value).trim();
}

export async function tableToBytes(format: SpreadsheetFormat, rows: (string | number | null)[][], sheetName = 'Sheet1'): Promise<Buffer> {
  if (format === 'csv') return Buffer.from('\uFEFF' + stringify(rows.map((r) => r.map((c) => (c === null ? '' : c)))), 'utf8');
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow(row.map((c) => (c === null ? '' : c)));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function writeTable(file: string, rows: (string | number | null)[][], sheetName?: string): Promise<void> {
  await writeFile(file, await tableToBytes(formatOf(file), rows, sheetName));
}
