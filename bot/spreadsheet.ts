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
 * The rows of the file one at a time, read as a stream: the file is never held in memory whole. CSV
 * rows are numbered by record, as readTable numbers them; .xlsx rows by their row in the first
 * sheet, and rows with no cells are not given at all.
 */
export async function* streamTable(file: string): AsyncGenerator<SheetRow> {
  const format = formatOf(file);
  // opened here, so that a missing file is the same clear message as in readTable
  const handle = await open(file).catch((e: NodeJS.ErrnoException) => {
    throw new SpreadsheetError(e.code === 'ENOENT' ? `找不到文件：${file}` : `无法读取文件 ${file}：${e.message}`);
  });
  const input = handle.createReadStream();
  try {
    if (format === 'csv') {
      const parser = parseStream(CSV_OPTIONS);
      // pipeline, not pipe: a read error ends the iteration with that error
      pipeline(input, parser, () => undefined);
      let number = 0;
      try {
        for await (const record of parser as AsyncIterable<string[]>) yield { number: ++number, cells: record.map((c) => c.trim()) };
      } catch (e) {
        if ((e as { code?: string }).code?.startsWith('CSV_')) throw new SpreadsheetError(`CSV 文件格式有误：${(e as Error).message}`);
        throw e;
      }
      return;
    }
    const ExcelJS = await loadExcel();
    // styles are read so that a date cell is a date, as in readTable; the first sheet only
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
    let first = true;
    try {
      for await (const sheet of reader) {
        for await (const row of sheet) {
          if (!first) continue;
          const values = row.values as CellValue[];
          yield { number: row.number, cells: Array.from({ length: Math.max(values.length - 1, 0) }, (_, i) => cellText(values[i + 1])) };
        }
        first = false;
      }
    } catch (e) {
      if (e instanceof SpreadsheetError) throw e;
      throw new SpreadsheetError(`无法读取 Excel 文件（需要 .xlsx 格式）：${(e as Error).message}`);
    }
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
