// Tables in the two formats operators use: .csv (written as UTF-8 with a BOM, so Excel shows Chinese)
// and .xlsx. Every cell is read as text: a mobile number must not become 1.38e10, nor a 镇街 a date.
// A .csv may come as Excel or WPS on Chinese Windows writes it: GBK/GB18030, UTF-16 ("Unicode 文本",
// tab-separated) or UTF-8 with or without a BOM; the encoding is found from the bytes, never from
// the name. An .xlsx is read sheet by sheet (every sheet: the caller decides which are tables).
// The format is found from the bytes too: an .xls renamed .xlsx gets an answer, not a zip error.
// Every sheet in memory (readSheets) for small files such as the rules; row by row (openTable)
// for the directory, which may have 200,000 rows.
import { open, readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable, Transform, pipeline } from 'node:stream';
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

const SAVE_AS_XLSX =
  '请打开文件另存为 .xlsx 后重新导入：Excel 中点“文件 → 另存为”，“保存类型”选“Excel 工作簿(*.xlsx)”；' +
  'WPS 表格中点左上角“文件 → 另存为”，“文件类型”选“Microsoft Excel 文件(*.xlsx)”。';

/**
 * No reader of .xls (BIFF), .et or .ods on the npm registry is both kept up and safe for files from
 * outside (SheetJS's npm release is 0.18.5 with published advisories; the rest are forks of it), so
 * these are refused with how to save them as .xlsx.
 */
const UNREADABLE: Record<string, string> = {
  '.xls': `这是 Excel 97-2003 工作簿（.xls），机器人读不了这种旧格式。${SAVE_AS_XLSX}`,
  '.et': `这是 WPS 表格文件（.et），机器人读不了这种格式。${SAVE_AS_XLSX}`,
  '.ods': `这是 OpenDocument 表格（.ods），机器人读不了这种格式。${SAVE_AS_XLSX}（LibreOffice 中“文件 → 另存为”，文件类型选“Excel 2007-365 (.xlsx)”。）`,
};
UNREADABLE['.ett'] = UNREADABLE['.et']!;
UNREADABLE['.xlt'] = UNREADABLE['.xls']!;

const SUPPORTED = '请使用 .xlsx（Excel 工作簿）或 .csv 文件。';

/** The format a file is written in, from its name (for writing). */
export function formatOf(file: string): SpreadsheetFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new SpreadsheetError(`不支持的文件类型“${ext || '(无扩展名)'}”：${SUPPORTED}`);
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * The format of a file from its first bytes and its name; a SpreadsheetError in Chinese for what
 * cannot be read. `head` is at least the first 64 bytes when the file has them.
 */
export function formatOfContent(name: string, head: Uint8Array): SpreadsheetFormat {
  const ext = extname(name).toLowerCase();
  if (startsWith(head, OLE2)) throw new SpreadsheetError(UNREADABLE[ext] ?? UNREADABLE['.xls']!);
  if (startsWith(head, ZIP)) {
    // an OpenDocument file names its type in a first, uncompressed entry called "mimetype"
    if (Buffer.from(head).toString('latin1', 30, 80).includes('opendocument')) throw new SpreadsheetError(UNREADABLE['.ods']!);
    if (UNREADABLE[ext] || ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
    throw new SpreadsheetError(`文件“${name}”是压缩文件，不是表格。${SUPPORTED}`);
  }
  if (UNREADABLE[ext]) {
    // WPS and Excel save "网页" or text under these names too; only real text is read as a table
    if (looksLikeText(head)) return 'csv';
    throw new SpreadsheetError(UNREADABLE[ext]!);
  }
  if (ext === '.xlsx' || ext === '.xlsm') throw new SpreadsheetError(`文件“${name}”不是有效的 .xlsx 工作簿（可能损坏，或只是改了扩展名）。请在 Excel 或 WPS 中打开它，另存为 .xlsx 后重新导入。`);
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  throw new SpreadsheetError(`不支持的文件类型“${ext || '(无扩展名)'}”：${SUPPORTED}`);
}

const looksLikeText = (head: Uint8Array) => !head.subarray(0, 512).some((b, i, all) => b === 0 && all[i ^ 1] === 0);

export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export interface SniffedEncoding {
  encoding: TextEncoding;
  /** bytes of byte-order mark to skip */
  bom: number;
  /** how the summary names it */
  label: string;
}

/**
 * The encoding of a text file from its first bytes (`complete` when they are the whole file): a
 * byte-order mark; else NUL bytes, which only UTF-16 has in a table of text; else UTF-8 when the
 * bytes are valid UTF-8 (GBK Chinese practically never is); else GB18030, which GBK is part of.
 */
export function sniffEncoding(head: Uint8Array, complete: boolean): SniffedEncoding {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bom: 3, label: 'UTF-8（带 BOM）' };
  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: 2, label: 'UTF-16（Unicode 文本）' };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: 2, label: 'UTF-16（Unicode 文本）' };
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < Math.min(head.length, 4096); i++) if (head[i] === 0) i % 2 ? oddNul++ : evenNul++;
  if (evenNul + oddNul) return { encoding: oddNul >= evenNul ? 'utf-16le' : 'utf-16be', bom: 0, label: 'UTF-16（Unicode 文本）' };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
    return { encoding: 'utf-8', bom: 0, label: 'UTF-8' };
  } catch {
    return { encoding: 'gb18030', bom: 0, label: 'GBK/GB18030' };
  }
}

/** Bytes of text in `encoding` to UTF-8, chunk by chunk; a byte that does not fit is an error in Chinese. */
function decoderStream(sniffed: SniffedEncoding): Transform {
  const decoder = new TextDecoder(sniffed.encoding, { fatal: true });
  let skip = sniffed.bom;
  const fail = () =>
    new SpreadsheetError(
      `文件的编码前后不一致：开头按 ${sniffed.label} 读取，后面有不符合这种编码的字符。请在 Excel 或 WPS 中打开文件，另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新导入。`,
    );
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const bytes = skip ? chunk.subarray(Math.min(skip, chunk.length)) : chunk;
      skip = Math.max(0, skip - chunk.length);
      try {
        done(null, Buffer.from(decoder.decode(bytes, { stream: true }), 'utf8'));
      } catch {
        done(fail());
      }
    },
    flush(done) {
      try {
        done(null, Buffer.from(decoder.decode(), 'utf8'));
      } catch {
        done(fail());
      }
    },
  });
}

/** Excel's "Unicode 文本" separates by tabs; everything else by commas: whichever the first lines have more of. */
function delimiterOf(head: Uint8Array, sniffed: SniffedEncoding): string {
  let text: string;
  try {
    text = new TextDecoder(sniffed.encoding).decode(head.subarray(sniffed.bom, 8192));
  } catch {
    return ',';
  }
  const lines = text.split(/\r?\n/).slice(0, 10).join('\n');
  return (lines.match(/\t/g)?.length ?? 0) > (lines.match(/,/g)?.length ?? 0) ? '\t' : ',';
}

export interface SheetRow {
  /** the worksheet's name in an .xlsx; null for a .csv */
  sheet: string | null;
  /** 1-based, as a spreadsheet shows it, within its sheet */
  number: number;
  /** each cell trimmed text; a row may be shorter than the header */
  cells: string[];
}

/** A file on disk, or one that arrived in a chat. */
export type TableSource = string | { filename: string; content: Uint8Array };

export interface OpenedTable {
  format: SpreadsheetFormat;
  /** how a .csv was decoded (for the summary); null for an .xlsx */
  encoding: string | null;
  /** the sheets of an .xlsx in their order; [null] for a .csv */
  sheets: (string | null)[];
  rows: AsyncGenerator<SheetRow>;
}

const sourceName = (source: TableSource) => (typeof source === 'string' ? source : source.filename);

async function readHead(source: TableSource): Promise<{ head: Uint8Array; complete: boolean }> {
  if (typeof source !== 'string') return { head: source.content.subarray(0, 65536), complete: source.content.length <= 65536 };
  const handle = await open(source).catch((e: NodeJS.ErrnoException) => {
    throw new SpreadsheetError(e.code === 'ENOENT' ? `找不到文件：${source}` : `无法读取文件 ${source}（${e.code ?? '读取出错'}）`);
  });
  try {
    const head = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), complete: bytesRead < head.length };
  } finally {
    await handle.close();
  }
}

/**
 * Opens a table: finds its format and, for a .csv, its encoding and delimiter. The rows of a .csv
 * are then read as a stream and never held whole. An .xlsx is read whole and handed out row by row:
 * exceljs's streaming reader turns a Chinese character that falls on a chunk boundary into U+FFFD, a
 * few rows in every thousand (exceljs issues #2063 and #2084, open), and a directory of garbled names
 * is worse than a large one read slowly. A directory of 100,000 points is best imported as .csv.
 */
export async function openTable(source: TableSource): Promise<OpenedTable> {
  const { head, complete } = await readHead(source);
  const format = formatOfContent(sourceName(source), head);
  if (format === 'xlsx') {
    const content = typeof source === 'string' ? await readFile(source) : Buffer.from(source.content);
    const sheets = await parseXlsxSheets(content);
    async function* rows(): AsyncGenerator<SheetRow> {
      for (const sheet of sheets) for (let i = 0; i < sheet.rows.length; i++) yield { sheet: sheet.name, number: i + 1, cells: sheet.rows[i]! };
    }
    return { format, encoding: null, sheets: sheets.map((s) => s.name), rows: rows() };
  }
  const sniffed = sniffEncoding(head, complete);
  const delimiter = delimiterOf(head, sniffed);
  async function* rows(): AsyncGenerator<SheetRow> {
    const input = typeof source === 'string' ? (await open(source)).createReadStream() : Readable.from([Buffer.from(source.content)]);
    const parser = parseStream({ ...CSV_OPTIONS, delimiter });
    let failure: unknown = null;
    // pipeline, not pipe: a read or decoding error ends the iteration with that error
    pipeline(input, decoderStream(sniffed), parser, (e) => {
      failure = e ?? null;
    });
    let number = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) yield { sheet: null, number: ++number, cells: record.map((c) => c.trim()) };
    } catch (e) {
      throw csvError(failure ?? e);
    } finally {
      input.destroy();
    }
    if (failure) throw csvError(failure);
  }
  return { format, encoding: sniffed.label, sheets: [null], rows: rows() };
}

function csvError(e: unknown): unknown {
  if (e instanceof SpreadsheetError) return e;
  const err = e as { code?: string; lines?: number };
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') return new SpreadsheetError(`CSV 文件有一个引号没有配对（从第 ${err.lines ?? '?'} 行附近开始）。请在 Excel 或 WPS 中打开文件检查后另存为 .csv 或 .xlsx。`);
  if (err.code?.startsWith('CSV_')) return new SpreadsheetError(`CSV 文件格式有误（第 ${err.lines ?? '?'} 行附近）。请在 Excel 或 WPS 中打开文件检查后另存为 .csv 或 .xlsx。`);
  return e;
}

/** The rows of every sheet of the table, in order (see openTable). */
export async function* streamTable(source: TableSource): AsyncGenerator<SheetRow> {
  yield* (await openTable(source)).rows;
}

/** All rows of the first sheet, header included, each cell trimmed text. */
export async function readTable(source: TableSource): Promise<string[][]> {
  const table = await openTable(source);
  const first = table.sheets[0] ?? null;
  const rows: string[][] = [];
  for await (const row of table.rows) if (row.sheet === first) rows.push(row.cells);
  return rows;
}

export interface TableSheet {
  /** the worksheet's name; null for a .csv */
  name: string | null;
  rows: string[][];
}

/** Every sheet of a small table (the rules), in order, empty ones included, with how it was read. */
export async function readSheets(source: TableSource): Promise<{ format: SpreadsheetFormat; encoding: string | null; sheets: TableSheet[] }> {
  const table = await openTable(source);
  const sheets = table.sheets.map((name): TableSheet => ({ name, rows: [] }));
  for await (const row of table.rows) sheets.find((s) => s.name === row.sheet)!.rows.push(row.cells);
  return { format: table.format, encoding: table.encoding, sheets };
}

/** How a header cell is compared: full-width folded, spaces and required-field stars dropped. */
export function headerKey(cell: string): string {
  return cell.normalize('NFKC').replace(/[\s*]/g, '');
}

/** How a file was read, for an import's summary: a CSV's encoding, a workbook's sheets read and skipped. */
export interface TableReading {
  format: SpreadsheetFormat;
  encoding: string | null;
  sheetsRead: string[];
  sheetsSkipped: string[];
}

/** "（CSV 文件，按 GBK/GB18030 编码读取）", "（Excel 工作簿，读取工作表：“村级”；跳过不是规则表的工作表：“填表说明”）" */
export function readingText(r: TableReading, tableName: string): string {
  const parts = [r.format === 'csv' ? `CSV 文件，按 ${r.encoding} 编码读取` : `Excel 工作簿，读取工作表：${r.sheetsRead.map((s) => `“${s}”`).join('、')}`];
  if (r.sheetsSkipped.length) parts.push(`跳过不是${tableName}的工作表：${r.sheetsSkipped.map((s) => `“${s}”`).join('、')}`);
  return `（${parts.join('；')}）`;
}

const CSV_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: false } as const;

/** A .csv in memory, in any encoding sniffEncoding knows. */
export function parseCsv(content: Buffer | string): string[][] {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const sniffed = sniffEncoding(bytes, true);
  let text: string;
  try {
    text = new TextDecoder(sniffed.encoding, { fatal: true }).decode(bytes.subarray(sniffed.bom));
  } catch {
    throw new SpreadsheetError(`文件的编码无法识别。请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新导入。`);
  }
  try {
    const rows = parse(text, { ...CSV_OPTIONS, delimiter: delimiterOf(bytes, sniffed) }) as string[][];
    return rows.map((r) => r.map((c) => c.trim()));
  } catch (e) {
    throw csvError(e);
  }
}

export interface XlsxSheet {
  name: string;
  rows: string[][];
}

/** Every worksheet of an .xlsx, hidden ones included (their name tells the operator what they are). */
export async function parseXlsxSheets(content: Buffer): Promise<XlsxSheet[]> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch {
    throw new SpreadsheetError('无法读取这个 .xlsx 工作簿（文件可能已损坏，或不是 Excel 格式）。请在 Excel 或 WPS 中打开它，另存为 .xlsx 后重新导入。');
  }
  return workbook.worksheets.map((sheet) => {
    const rows: string[][] = [];
    const width = sheet.columnCount;
    for (let r = 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
      rows.push(cells);
    }
    return { name: sheet.name, rows };
  });
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

/** Text a spreadsheet would run as a formula (= + - @, or a tab or CR before one) gets a leading quote. */
export function defuseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export async function tableToBytes(format: SpreadsheetFormat, rows: (string | number | null)[][], sheetName = 'Sheet1'): Promise<Buffer> {
  // BOM and CRLF: Excel and WPS on Windows open it by double-click with the Chinese right
  if (format === 'csv') return Buffer.from('\uFEFF' + stringify(rows.map((r) => r.map((c) => (c === null ? '' : c))), { record_delimiter: 'windows' }), 'utf8');
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
