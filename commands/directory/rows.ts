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

export const DIRECTORY_HEADER = ['镇街', '服务点', '级别', '联系人', '角色', '手机', '邮箱', '党员远程教育点'] as const;
/** optional column: the contact's UserID in the sub-center's WeCom; a file without it leaves the stored ones alone */
export const WECOM_COLUMN = '企业微信账号';
/** WeCom UserIDs: 1–64 letters, digits and _ - @ . (WeCom's rule for 账号) */
const WECOM_USER_ID = /^[A-Za-z0-9_@.-]{1,64}$/;

export interface DirectoryRow {
  town: string;
  pointName: string;
  level: PointLevel;
  contactName: string;
  role: ContactRole;
  mobile: string;
  email: string | null;
  isPartyEducationPoint: boolean;
  /** 企业微信账号; undefined when the file has no such column */
  wecomUserId?: string | null;
}

export interface RowProblem {
  /** 1-based row number as the spreadsheet shows it (the header is row 1) */
  row: number;
  reason: string;
}

export type ParsedDirectory = { ok: true; rows: DirectoryRow[] } | { ok: false; problems: RowProblem[] };

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
      const mobile = normaliseMobile(v);
      if (!mobile) {
        ctx.addIssue({ code: 'custom', message: `手机号“${v}”格式不对，应为 11 位手机号，例如 13800138000` });
        return z.NEVER;
      }
      return mobile;
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
  row: number;
}

export const pointKey = (town: string, name: string): string => `${town}\u0000${name}`;

/** Adds the row's point to the file's points (in the order of first appearance), or marks it. */
export function notePoint(points: Map<string, FilePoint>, row: DirectoryRow, rowNumber: number): void {
  const key = pointKey(row.town, row.pointName);
  const earlier = points.get(key);
  if (earlier) earlier.isPartyEducationPoint ||= row.isPartyEducationPoint;
  else points.set(key, { town: row.town, name: row.pointName, level: row.level, isPartyEducationPoint: row.isPartyEducationPoint, row: rowNumber });
}

/**
 * Checks a directory file row by row, so that it can be read as a stream: it keeps only what later
 * rows are checked against (each mobile number's row, each point's level and first row), not the
 * rows themselves. Every bad row is recorded; a good row is handed back to be stored.
 */
export class DirectoryValidator {
  readonly problems: RowProblem[] = [];
  /** the file's points, in the order of their first row */
  readonly points = new Map<string, FilePoint>();
  private columnIndex: number[] = [];
  private wecomIndex = -1;
  private readonly rowOfMobile = new Map<string, number>();
  /** 二（一）2: the one 镇文广中心 of each town, which stamps its applications */
  private readonly cultureCenterOfTown = new Map<string, { name: string; row: number }>();
  private goodRows = 0;

  /** The header row (row 1). False when a column is missing: that is the only problem then, and no row can be read. */
  header(cells: string[]): boolean {
    const header = cells.map((h) => h.trim());
    this.columnIndex = DIRECTORY_HEADER.map((name) => header.indexOf(name));
    this.wecomIndex = header.indexOf(WECOM_COLUMN);
    const missing = DIRECTORY_HEADER.filter((_, i) => this.columnIndex[i] === -1);
    if (missing.length) this.problems.push({ row: 1, reason: `表头缺少列：${missing.join('、')}。表头应为：${DIRECTORY_HEADER.join(',')}` });
    return !missing.length;
  }

  /** A row after the header: the row when it is good; null when it is empty, or bad (then its problem is recorded). */
  row(cells: string[], rowNumber: number): DirectoryRow | null {
    if (cells.every((c) => c.trim() === '')) return null;
    const cell = (k: number) => (cells[this.columnIndex[k]!] ?? '').trim();
    const parsed = rowSchema.safeParse({
      town: cell(0),
      pointName: cell(1),
      level: cell(2),
      contactName: cell(3),
      role: cell(4),
      mobile: cell(5),
      email: cell(6),
      isPartyEducationPoint: cell(7),
      ...(this.wecomIndex >= 0 ? { wecomUserId: (cells[this.wecomIndex] ?? '').trim() } : {}),
    });
    if (!parsed.success) {
      this.problems.push({ row: rowNumber, reason: parsed.error.issues.map((issue) => issue.message).join('；') });
      return null;
    }
    const row = parsed.data;
    const earlierMobile = this.rowOfMobile.get(row.mobile);
    if (earlierMobile) {
      this.problems.push({ row: rowNumber, reason: `手机号 ${row.mobile} 与第 ${earlierMobile} 行重复（一个手机号只能对应一位联系人）` });
      return null;
    }
    this.rowOfMobile.set(row.mobile, rowNumber);
    const earlierPoint = this.points.get(pointKey(row.town, row.pointName));
    if (earlierPoint && earlierPoint.level !== row.level) {
      this.problems.push({ row: rowNumber, reason: `服务点“${row.town} ${row.pointName}”在第 ${earlierPoint.row} 行是${POINT_LEVEL_LABELS[earlierPoint.level]}，这里却是${POINT_LEVEL_LABELS[row.level]}` });
      return null;
    }
    if (!earlierPoint && row.level === 'townCultureCenter') {
      const other = this.cultureCenterOfTown.get(row.town);
      if (other) {
        this.problems.push({ row: rowNumber, reason: `${row.town}已有镇文广中心“${other.name}”（第 ${other.row} 行），每个镇街只能有一个镇文广中心` });
        return null;
      }
      this.cultureCenterOfTown.set(row.town, { name: row.pointName, row: rowNumber });
    }
    notePoint(this.points, row, rowNumber);
    this.goodRows++;
    return row;
  }

  /** After the last row: every problem of the file, none when it may be imported. */
  finish(): RowProblem[] {
    if (!this.problems.length && !this.goodRows) this.problems.push({ row: 2, reason: '文件中没有联系人数据（除表头外都是空行）' });
    return this.problems;
  }
}

export function parseDirectoryTable(table: string[][]): ParsedDirectory {
  const validator = new DirectoryValidator();
  if (!validator.header(table[0] ?? [])) return { ok: false, problems: validator.problems };
  const rows: DirectoryRow[] = [];
  for (let i = 1; i < table.length; i++) {
    const row = validator.row(table[i]!, i + 1);
    if (row) rows.push(row);
  }
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
    row.mobile,
    row.email ?? '',
    row.isPartyEducationPoint ? '是' : '否',
  ];
}

export function formatProblems(problems: RowProblem[], limit = 50): string {
  const lines = problems.slice(0, limit).map((p) => `第 ${p.row} 行：${p.reason}`);
  if (problems.length > limit) lines.push(`……另有 ${problems.length - limit} 行有问题`);
  return lines.join('\n');
}
