// 通信名录: the operator's spreadsheet, one row per contact, read into points and contacts.
// Pure: every bad row is reported with its row number and reason, and nothing is imported unless
// every row is good. Row by row (DirectoryValidator), so a file of 200,000 rows need not be held.
import { z } from 'zod';
import {
  CONTACT_ROLE_LABELS,
  POINT_LEVEL_LABELS,
  SUB_CENTER_TOWN,
  labelToContactRole,
  labelToLevel,
  normaliseMobile,
  type ContactRole,
  type PointLevel,
} from '../../bot/domain.ts';
import { headerKey } from '../../bot/spreadsheet.ts';

/**
 * The columns of the directory file, in the order the export writes them. A file may order them as
 * it likes and leave out the optional ones; a header cell is matched with spaces and full-width
 * forms ignored, and under any of its aliases.
 */
export const DIRECTORY_COLUMNS = [
  { key: 'town', label: '镇街', required: true, maxLength: 30, aliases: ['镇(街)', '所属镇街'] },
  { key: 'pointName', label: '服务点', required: true, maxLength: 60, aliases: ['服务点名称'] },
  { key: 'level', label: '级别', required: true, maxLength: 20, aliases: [] },
  { key: 'contactName', label: '联系人', required: true, maxLength: 30, aliases: ['姓名', '联系人姓名'] },
  { key: 'role', label: '角色', required: true, maxLength: 20, aliases: [] },
  { key: 'mobile', label: '手机', required: true, maxLength: 30, aliases: ['手机号', '手机号码'] },
  { key: 'landline', label: '电话', required: false, maxLength: 30, aliases: ['固定电话', '座机', '办公电话'] },
  { key: 'email', label: '邮箱', required: true, maxLength: 100, aliases: ['电子邮箱'] },
  { key: 'isPartyEducationPoint', label: '党员远程教育点', required: true, maxLength: 10, aliases: [] },
  // the contact's UserID in the sub-center's WeCom; a file without the column leaves the stored ones alone
  { key: 'wecomUserId', label: '企业微信账号', required: false, maxLength: 64, aliases: ['企业微信', '企业微信UserID'] },
] as const;

/** WeCom UserIDs: 1–64 letters, digits and _ - @ . (WeCom's rule for 账号) */
const WECOM_USER_ID = /^[A-Za-z0-9_@.-]{1,64}$/;

type ColumnKey = (typeof DIRECTORY_COLUMNS)[number]['key'];

/** The columns every directory file must have (the header of a minimal file). */
export const DIRECTORY_HEADER = DIRECTORY_COLUMNS.filter((c) => c.required).map((c) => c.label);
/** The header the export writes: every column. */
export const DIRECTORY_EXPORT_HEADER = DIRECTORY_COLUMNS.map((c) => c.label);

export interface DirectoryRow {
  town: string;
  pointName: string;
  level: PointLevel;
  contactName: string;
  role: ContactRole;
  /** null for a contact with only a landline: then (镇街, 服务点, 联系人) identifies them */
  mobile: string | null;
  landline?: string | null;
  email: string | null;
  isPartyEducationPoint: boolean;
  /** 企业微信账号; undefined when the file has no such column */
  wecomUserId?: string | null;
}

export interface RowProblem {
  /** the worksheet of an .xlsx; absent for a .csv or a table in memory */
  sheet?: string | null;
  /** 1-based row number as the spreadsheet shows it (the header is row 1) */
  row: number;
  reason: string;
}

export type ParsedDirectory = { ok: true; rows: DirectoryRow[] } | { ok: false; problems: RowProblem[] };

const COLUMN_OF_HEADER = new Map<string, ColumnKey>(
  DIRECTORY_COLUMNS.flatMap((c) => [c.label, ...c.aliases].map((name) => [headerKey(name), c.key] as [string, ColumnKey])),
);

// Characters a person cannot see or that move the cursor: C0/C1 controls (BEL, ESC, newline, tab),
// format characters (zero-width space and joiners, BOM, RLO and the other direction marks), line and
// paragraph separators. A name holding one looks right on screen and is another name in the database.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** A cell's text shown in an error: invisible characters named, long text cut. */
export function showCell(value: string, max = 30): string {
  const shown = [...value]
    .slice(0, max)
    .map((ch) => (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(ch) ? (ch === '\n' || ch === '\r' ? '[换行]' : `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`) : ch))
    .join('');
  return [...value].length > max ? `${shown}…` : shown;
}

/** The problem of a cell as text, before its meaning is read: invisible characters, length. */
function cellProblem(label: string, value: string, maxLength: number): string | null {
  INVISIBLE.lastIndex = 0;
  if (INVISIBLE.test(value)) return `“${label}”一栏含有看不见的字符（换行、零宽字符、方向控制符等）：“${showCell(value)}”。请删去这些字符（单元格内的换行改成空格）后重新导入`;
  const length = [...value].length;
  if (length > maxLength) return `“${label}”一栏太长（${length} 字，最多 ${maxLength} 字）：“${showCell(value, 20)}”`;
  return null;
}

// Excel shows a long number in scientific notation and saves it so in a .csv: the digits are gone
const SCIENTIFIC = /^[+-]?\d+(?:\.\d+)?e[+-]?\d+$/i;

/** A 手机 cell: '' is no mobile; spreadsheet damage is explained. */
export function readMobile(raw: string): { mobile: string | null } | { problem: string } {
  const value = raw.normalize('NFKC').trim();
  if (!value) return { mobile: null };
  if (SCIENTIFIC.test(value.replace(/\s/g, ''))) {
    return {
      problem:
        `手机号“${raw}”是科学计数法，表格软件已把后几位数字改掉，无法还原。请把“手机”列设为文本格式` +
        `（Excel / WPS：选中该列 → 右键“设置单元格格式” → “文本”），重新填入完整的 11 位手机号后再导入`,
    };
  }
  const mobile = normaliseMobile(value);
  return mobile ? { mobile } : { problem: `手机号“${raw}”格式不对，应为 11 位手机号，例如 13800138000` };
}

const LANDLINE = /^(?:\(?(0\d{2,3})\)?-?)?(\d{7,8})(?:(?:-|转)(\d{1,6}))?$/;

/** A 电话 cell: an area code and number (0769-22834125), a local number, or an extension after 转. */
export function readLandline(raw: string): { landline: string | null } | { problem: string } {
  const value = raw.normalize('NFKC').replace(/[\s]/g, '').replace(/^\+?86-?(?=0?\d)/, '');
  if (!value) return { landline: null };
  const m = LANDLINE.exec(value);
  if (m) return { landline: [m[1] ? `${m[1]}-${m[2]}` : m[2], m[3] ? `转${m[3]}` : ''].join('') };
  if (normaliseMobile(value)) return { landline: normaliseMobile(value) };
  return { problem: `电话“${raw}”格式不对，应写成“区号-号码”，例如 0769-22834125（区号开头的 0 不见了时，请把该列设为文本格式后重填）` };
}

const yesNo = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['', '是', '否', 'y', 'n', 'yes', 'no', '1', '0', 'true', 'false'], { message: '党员远程教育点应填“是”或“否”（可留空）' }))
  .transform((v) => ['是', 'y', 'yes', '1', 'true'].includes(v));

const rowSchema = z
  .object({
    town: z.string(),
    pointName: z.string(),
    level: z.string().transform((v, ctx) => {
      const level = labelToLevel(v);
      if (!level) {
        ctx.addIssue({ code: 'custom', message: `级别“${v}”无法识别，应为：${Object.values(POINT_LEVEL_LABELS).join(' | ')}` });
        return z.NEVER;
      }
      return level;
    }),
    contactName: z.string().min(1, '联系人姓名不能为空'),
    role: z.string().transform((v, ctx) => {
      const role = labelToContactRole(v);
      if (!role) {
        ctx.addIssue({ code: 'custom', message: `角色“${v}”无法识别，应为：${Object.values(CONTACT_ROLE_LABELS).join(' | ')}` });
        return z.NEVER;
      }
      return role;
    }),
    mobile: z.string().transform((v, ctx) => {
      const read = readMobile(v);
      if ('problem' in read) {
        ctx.addIssue({ code: 'custom', message: read.problem });
        return z.NEVER;
      }
      return read.mobile;
    }),
    landline: z.string().transform((v, ctx) => {
      const read = readLandline(v);
      if ('problem' in read) {
        ctx.addIssue({ code: 'custom', message: read.problem });
        return z.NEVER;
      }
      return read.landline;
    }),
    email: z
      .string()
      .transform((v) => v || null)
      .pipe(z.email({ message: '邮箱格式不对' }).nullable()),
    isPartyEducationPoint: yesNo,
    wecomUserId: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? undefined : v || null))
      .pipe(z.string().regex(WECOM_USER_ID, '企业微信账号应为企业微信后台“账号”一栏的内容（字母、数字、_-@.，最长64位）').nullable().optional()),
  })
  .superRefine((row, ctx) => {
    if (!row.pointName) ctx.addIssue({ code: 'custom', message: '服务点名称不能为空' });
    if (row.level !== 'subCenter' && !row.town) {
      ctx.addIssue({ code: 'custom', message: `${POINT_LEVEL_LABELS[row.level]}服务点必须填写所属镇街` });
    }
    if (row.isPartyEducationPoint && row.level !== 'village') {
      ctx.addIssue({ code: 'custom', message: '只有村级服务点可以标为党员远程教育点' });
    }
    if (!row.mobile && !row.landline) ctx.addIssue({ code: 'custom', message: '手机和电话至少要填一个（只有座机的服务点把号码填在“电话”列）' });
  })
  .transform(
    (row): DirectoryRow => ({ ...row, town: row.level === 'subCenter' ? row.town || SUB_CENTER_TOWN : row.town }),
  );

/** A point of the file: where it first appears, and whether any of its rows marks it a 党员远程教育点. */
export interface FilePoint {
  town: string;
  name: string;
  level: PointLevel;
  isPartyEducationPoint: boolean;
  /** the row it first appears on */
  at: { sheet: string | null; row: number };
}

export const pointKey = (town: string, name: string): string => `${town}\u0000${name}`;

/** Adds the row's point to the file's points (in the order of first appearance), or marks it. */
export function notePoint(points: Map<string, FilePoint>, row: DirectoryRow, at: FilePoint['at']): void {
  const key = pointKey(row.town, row.pointName);
  const earlier = points.get(key);
  if (earlier) earlier.isPartyEducationPoint ||= row.isPartyEducationPoint;
  else points.set(key, { town: row.town, name: row.pointName, level: row.level, isPartyEducationPoint: row.isPartyEducationPoint, at });
}

/** A row of a sheet; the sheet is null for a .csv. */
interface Place {
  sheet: string | null;
  row: number;
}

const placeText = (p: Place) => (p.sheet === null ? `第 ${p.row} 行` : `工作表“${p.sheet}”第 ${p.row} 行`);

/** How far down a sheet its header may be (titles, notes and blank rows above it). */
export const HEADER_SEARCH_ROWS = 20;

interface SheetState {
  name: string | null;
  /** the cell index of each column, once the header is found */
  columns: Map<ColumnKey, number> | null;
  /** the row with most of the required columns so far, to say which are missing */
  best: { row: number; found: number; missing: string[] } | null;
  /** the 镇街 of the row above, for a town written once per town */
  town: string;
}

/**
 * Checks a directory file row by row, so that it can be read as a stream: it keeps only what later
 * rows are checked against (each mobile number's row, each point's level and first row), not the
 * rows themselves. Every sheet of a workbook is read: a sheet is a directory sheet when one of its
 * first rows is a header with every required column; a sheet that has most of them but not all is
 * a problem (its contacts would otherwise be deactivated), one without is skipped and named. Every
 * bad row is recorded; a good row is handed back to be stored.
 */
export class DirectoryValidator {
  readonly problems: RowProblem[] = [];
  /** the file's points, in the order of their first row */
  readonly points = new Map<string, FilePoint>();
  /** the sheets read as directory sheets, and the ones skipped */
  readonly sheets: { read: string[]; skipped: string[] } = { read: [], skipped: [] };
  private sheet: SheetState | null = null;
  private readonly placeOfContact = new Map<string, Place>();
  private readonly cultureCenterOfTown = new Map<string, { name: string; at: Place }>();
  private goodRows = 0;
  private rowsSeen = 0;

  /** Any row of the file, in order; a good contact row is returned, anything else gives null. */
  feed(sheetName: string | null, cells: string[], rowNumber: number): DirectoryRow | null {
    if (!this.sheet || this.sheet.name !== sheetName) {
      this.endSheet();
      this.sheet = { name: sheetName, columns: null, best: null, town: '' };
    }
    const sheet = this.sheet;
    if (!sheet.columns) {
      if (rowNumber <= HEADER_SEARCH_ROWS) this.tryHeader(sheet, cells, rowNumber);
      return null;
    }
    return this.row(sheet, cells, rowNumber);
  }

  private tryHeader(sheet: SheetState, cells: string[], rowNumber: number): void {
    const columns = new Map<ColumnKey, number>();
    cells.forEach((cell, i) => {
      const key = COLUMN_OF_HEADER.get(headerKey(cell));
      if (key && !columns.has(key)) columns.set(key, i);
    });
    const missing = DIRECTORY_COLUMNS.filter((c) => c.required && !columns.has(c.key)).map((c) => c.label);
    if (!missing.length) {
      sheet.columns = columns;
      this.sheets.read.push(sheet.name ?? '');
      return;
    }
    const found = DIRECTORY_HEADER.length - missing.length;
    if (!sheet.best || found > sheet.best.found) sheet.best = { row: rowNumber, found, missing };
  }

  private endSheet(): void {
    const sheet = this.sheet;
    if (!sheet || sheet.columns) return;
    // a sheet with half the columns was meant as a directory sheet: skipping it would deactivate its contacts
    const best = sheet.best;
    if (sheet.name === null || (best && best.found * 2 >= DIRECTORY_HEADER.length)) {
      this.problems.push({
        sheet: sheet.name,
        row: best?.row ?? 1,
        reason: `找不到完整的表头，缺少列：${(best?.missing ?? DIRECTORY_HEADER).join('、')}。表头应包含：${DIRECTORY_HEADER.join(',')}（“电话”列可选）`,
      });
    } else this.sheets.skipped.push(sheet.name);
  }

  private row(sheet: SheetState, cells: string[], rowNumber: number): DirectoryRow | null {
    if (cells.every((c) => c.trim() === '')) return null;
    this.rowsSeen++;
    const at: Place = { sheet: sheet.name, row: rowNumber };
    const values = {} as Partial<Record<ColumnKey, string>>;
    const textProblems: string[] = [];
    for (const column of DIRECTORY_COLUMNS) {
      const index = sheet.columns!.get(column.key);
      if (index === undefined && column.key === 'wecomUserId') continue;
      // the export defuses a leading = + - @ with a quote; read back, the quote goes
      const value = (index === undefined ? '' : (cells[index] ?? '')).trim().replace(/^'(?=[=+\-@])/, '');
      const problem = cellProblem(column.label, value, column.maxLength);
      if (problem) textProblems.push(problem);
      values[column.key] = value;
    }
    if (textProblems.length) return this.refuse(at, textProblems.join('；'));
    // a town written once, on the first row of its points (or in merged cells read as blank)
    if (!values.town && values.level !== POINT_LEVEL_LABELS.subCenter) values.town = sheet.town;
    const parsed = rowSchema.safeParse(values);
    if (!parsed.success) return this.refuse(at, parsed.error.issues.map((issue) => issue.message).join('；'));
    const row = parsed.data;
    if (row.level !== 'subCenter') sheet.town = row.town;
    const key = contactKey(row);
    const earlier = this.placeOfContact.get(key);
    if (earlier) {
      return this.refuse(
        at,
        row.mobile
          ? `手机号 ${row.mobile} 与${placeText(earlier)}重复（一个手机号只能对应一位联系人）`
          : `“${row.town} ${row.pointName}”的联系人“${row.contactName}”与${placeText(earlier)}重复（没有手机号的联系人以服务点和姓名区分）`,
      );
    }
    this.placeOfContact.set(key, at);
    const earlierPoint = this.points.get(pointKey(row.town, row.pointName));
    if (earlierPoint && earlierPoint.level !== row.level) {
      return this.refuse(at, `服务点“${row.town} ${row.pointName}”在${placeText(earlierPoint.at)}是${POINT_LEVEL_LABELS[earlierPoint.level]}，这里却是${POINT_LEVEL_LABELS[row.level]}`);
    }
    if (!earlierPoint && row.level === 'townCultureCenter') {
      // 二（一）2: the one 镇文广中心 of each town, which stamps its applications
      const other = this.cultureCenterOfTown.get(row.town);
      if (other) return this.refuse(at, `${row.town}已有镇文广中心“${other.name}”（${placeText(other.at)}），每个镇街只能有一个镇文广中心`);
      this.cultureCenterOfTown.set(row.town, { name: row.pointName, at });
    }
    notePoint(this.points, row, at);
    this.goodRows++;
    return row;
  }

  private refuse(at: Place, reason: string): null {
    this.problems.push({ sheet: at.sheet, row: at.row, reason });
    return null;
  }

  /** After the last row: every problem of the file, none when it may be imported. */
  finish(): RowProblem[] {
    this.endSheet();
    this.sheet = null;
    if (!this.problems.length && !this.sheets.read.length) {
      this.problems.push({ row: 1, reason: `没有找到通信名录的表头（${this.sheets.skipped.length ? `工作表 ${this.sheets.skipped.map((s) => `“${s}”`).join('、')} 都不是名录` : '文件是空的'}）。表头应包含：${DIRECTORY_HEADER.join(',')}` });
    }
    if (!this.problems.length && !this.goodRows) this.problems.push({ row: 2, reason: '文件中没有联系人数据（除表头外都是空行）' });
    return this.problems;
  }
}

/** What identifies a contact of the file: the mobile, or for one without, the point and the name. */
export const contactKey = (row: Pick<DirectoryRow, 'mobile' | 'town' | 'pointName' | 'contactName'>): string =>
  row.mobile ?? `${pointKey(row.town, row.pointName)}\u0000${row.contactName}`;

/** A table in memory (tests, the demo): the first sheet of a file, header included. */
export function parseDirectoryTable(table: string[][]): ParsedDirectory {
  const validator = new DirectoryValidator();
  const rows: DirectoryRow[] = [];
  table.forEach((cells, i) => {
    const row = validator.feed(null, cells, i + 1);
    if (row) rows.push(row);
  });
  const problems = validator.finish();
  return problems.length ? { ok: false, problems } : { ok: true, rows };
}

export function directoryRowToCells(row: DirectoryRow): string[] {
  return [
    row.level === 'subCenter' && row.town === SUB_CENTER_TOWN ? '' : row.town,
    row.pointName,
    POINT_LEVEL_LABELS[row.level],
    row.contactName,
    CONTACT_ROLE_LABELS[row.role],
    row.mobile ?? '',
    row.landline ?? '',
    row.email ?? '',
    row.isPartyEducationPoint ? '是' : '否',
    row.wecomUserId ?? '',
  ];
}

export function formatProblems(problems: RowProblem[], limit = 50): string {
  const lines = problems.slice(0, limit).map((p) => `${placeText({ sheet: p.sheet ?? null, row: p.row })}：${p.reason}`);
  if (problems.length > limit) lines.push(`……另有 ${problems.length - limit} 行有问题`);
  return lines.join('\n');
}
