// 通信名录: the operator's spreadsheet, one row per contact, read into points and contacts.
// Pure: every bad row is reported with its row number and reason, and nothing is imported unless
// every row is good.
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

export interface DirectoryRow {
  town: string;
  pointName: string;
  level: PointLevel;
  contactName: string;
  role: ContactRole;
  mobile: string;
  email: string | null;
  isPartyEducationPoint: boolean;
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

export function parseDirectoryTable(table: string[][]): ParsedDirectory {
  const problems: RowProblem[] = [];
  const header = (table[0] ?? []).map((h) => h.trim());
  const columnIndex = DIRECTORY_HEADER.map((name) => header.indexOf(name));
  const missing = DIRECTORY_HEADER.filter((_, i) => columnIndex[i] === -1);
  if (missing.length) {
    return { ok: false, problems: [{ row: 1, reason: `表头缺少列：${missing.join('、')}。表头应为：${DIRECTORY_HEADER.join(',')}` }] };
  }
  const rows: DirectoryRow[] = [];
  const byMobile = new Map<string, number>();
  const pointLevels = new Map<string, { level: PointLevel; row: number }>();
  for (let i = 1; i < table.length; i++) {
    const cells = table[i]!;
    if (cells.every((c) => c.trim() === '')) continue;
    const rowNumber = i + 1;
    const cell = (k: number) => (cells[columnIndex[k]!] ?? '').trim();
    const parsed = rowSchema.safeParse({
      town: cell(0),
      pointName: cell(1),
      level: cell(2),
      contactName: cell(3),
      role: cell(4),
      mobile: cell(5),
      email: cell(6),
      isPartyEducationPoint: cell(7),
    });
    if (!parsed.success) {
      problems.push({ row: rowNumber, reason: parsed.error.issues.map((issue) => issue.message).join('；') });
      continue;
    }
    const row = parsed.data;
    const earlierMobile = byMobile.get(row.mobile);
    if (earlierMobile) {
      problems.push({ row: rowNumber, reason: `手机号 ${row.mobile} 与第 ${earlierMobile} 行重复（一个手机号只能对应一位联系人）` });
      continue;
    }
    byMobile.set(row.mobile, rowNumber);
    const pointKey = `${row.town}\u0000${row.pointName}`;
    const earlierPoint = pointLevels.get(pointKey);
    if (earlierPoint && earlierPoint.level !== row.level) {
      problems.push({ row: rowNumber, reason: `服务点“${row.town} ${row.pointName}”在第 ${earlierPoint.row} 行是${POINT_LEVEL_LABELS[earlierPoint.level]}，这里却是${POINT_LEVEL_LABELS[row.level]}` });
      continue;
    }
    if (!earlierPoint) pointLevels.set(pointKey, { level: row.level, row: rowNumber });
    rows.push(row);
  }
  if (problems.length) return { ok: false, problems };
  if (!rows.length) return { ok: false, problems: [{ row: 2, reason: '文件中没有联系人数据（除表头外都是空行）' }] };
  return { ok: true, rows };
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
