// Tables in the two formats operators use: .csv (UTF-8, BOM written so Excel shows Chinese) and
// .xlsx. Every cell is read as text: a mobile number must not become 1.38e10, nor a 镇街 a date.
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export type SpreadsheetFormat = 'csv' | 'xlsx';

export class SpreadsheetError extends Error {
  override name = 'SpreadsheetError';
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

export function parseCsv(content: Buffer | string): string[][] {
  try {
    const rows = parse(content, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    return rows.map((r) => r.map((c) => c.trim()));
  } catch (e) {
    throw new SpreadsheetError(`CSV 文件格式有误：${(e as Error).message}`);
  }
}

export async function parseXlsx(content: Buffer): Promise<string[][]> {
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

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((t) => t.text).join('').trim();
  if (typeof value === 'object' && 'text' in value) return String(value.text).trim();
  if (typeof value === 'object' && 'result' in value) return cellText(value.result as ExcelJS.CellValue);
  return String(value).trim();
}

export async function tableToBytes(format: SpreadsheetFormat, rows: (string | number | null)[][], sheetName = 'Sheet1'): Promise<Buffer> {
  if (format === 'csv') return Buffer.from('\uFEFF' + stringify(rows.map((r) => r.map((c) => (c === null ? '' : c)))), 'utf8');
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
