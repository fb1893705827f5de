// The rules table as a spreadsheet operators edit: one row per requirement, Chinese headers. Pure:
// a workbook's sheets in, validated RuleInput rows or problems by sheet and row out (and back).
import { z } from 'zod';
import { headerKey } from '../../bot/spreadsheet.ts';
import { CATEGORIES, type RuleRecord } from './model.ts';

export const RULE_COLUMNS = ['级别', '类别', '项目', '数量', '单位', '比较', '备注', '关键词', '排序', '来源'] as const;

const LEVEL_WORDS: Record<string, 'town' | 'village'> = {
  镇级: 'town', 镇: 'town', 镇街: 'town', '镇（街）': 'town', town: 'town',
  村级: 'village', 村: 'village', 村居: 'village', '村（居）': 'village', village: 'village',
};
const LEVEL_OUT: Record<'town' | 'village', string> = { town: '镇级', village: '村级' };
const COMPARATOR_WORDS: Record<string, '>=' | '='> = { '>=': '>=', '≥': '>=', 不少于: '>=', 至少: '>=', '=': '=', 等于: '=' };

const optionalText = z.string().transform((s) => (s.trim() === '' ? null : s.trim()));

export const RuleRow = z
  .object({
    级别: z.string().transform((s, ctx) => {
      const level = LEVEL_WORDS[s.trim()];
      if (!level) ctx.addIssue({ code: 'custom', message: `级别“${s}”无效，应为 镇级 或 村级` });
      return level ?? 'town';
    }),
    类别: z.string().refine((s) => (CATEGORIES as readonly string[]).includes(s.trim()), {
      message: `类别应为 ${CATEGORIES.join('、')} 之一`,
    }).transform((s) => s.trim()),
    项目: z.string().trim().min(1, '项目不能为空').max(100, '项目不超过100字'),
    数量: z.string().transform((s, ctx) => {
      const t = s.trim();
      if (t === '') return null;
      const n = Number(t);
      if (!Number.isFinite(n) || n < 0) ctx.addIssue({ code: 'custom', message: `数量“${s}”不是非负数字` });
      return n;
    }),
    单位: optionalText,
    比较: z.string().transform((s, ctx) => {
      const t = s.trim();
      if (t === '') return null;
      const c = COMPARATOR_WORDS[t];
      if (!c) ctx.addIssue({ code: 'custom', message: `比较“${s}”无效，应为 >= 或 =（也可写 不少于）` });
      return c ?? null;
    }),
    备注: optionalText,
    关键词: optionalText,
    排序: z.string().transform((s, ctx) => {
      const t = s.trim();
      if (t === '') return 0;
      const n = Number(t);
      if (!Number.isInteger(n)) ctx.addIssue({ code: 'custom', message: `排序“${s}”应为整数` });
      return n;
    }),
    来源: z.string().trim().min(1, '来源不能为空（如 附件1 · 村级基层服务点 · 硬件要求）'),
  })
  .superRefine((r, ctx) => {
    if (r.数量 !== null && r.比较 === null) ctx.addIssue({ code: 'custom', message: '有数量时需要填写比较（>= 或 =）' });
    if (r.数量 === null && r.备注 === null) ctx.addIssue({ code: 'custom', message: '没有数量的项目需要在备注里写明要求' });
  })
  .transform((r) => ({
    level: r.级别,
    category: r.类别,
    item: r.项目,
    quantity: r.数量,
    unit: r.单位,
    comparator: r.比较,
    note: r.备注,
    keywords: r.关键词,
    sortOrder: r.排序,
    source: r.来源,
  }));

export type RuleInput = z.output<typeof RuleRow>;

export interface RuleProblem {
  /** the worksheet of an .xlsx; null for a .csv or a table in memory */
  sheet: string | null;
  /** 1-based row of the sheet, as the spreadsheet shows it */
  row: number;
  message: string;
}

export type ParsedRules =
  | { ok: true; rules: RuleInput[]; sheets: { read: string[]; skipped: string[] } }
  | { ok: false; problems: RuleProblem[] };

/** How far down a sheet its header may be (titles, notes and blank rows above it). */
export const RULES_HEADER_SEARCH_ROWS = 20;

const COLUMN_KEYS = RULE_COLUMNS.map(headerKey);

/** The row of a sheet's rules header (0-based) with each column's cell index; else the row with most of them. */
function findHeader(rows: readonly string[][]): { at: number; positions: Map<string, number> | null; missing: string[] } {
  let best = { at: 0, positions: null as Map<string, number> | null, missing: [...RULE_COLUMNS] as string[] };
  rows.slice(0, RULES_HEADER_SEARCH_ROWS).forEach((cells, at) => {
    if (best.positions) return;
    const positions = new Map<string, number>();
    cells.forEach((cell, i) => {
      const key = headerKey(cell);
      const column = RULE_COLUMNS[COLUMN_KEYS.indexOf(key)];
      if (column && !positions.has(column)) positions.set(column, i);
    });
    const missing = RULE_COLUMNS.filter((c) => !positions.has(c));
    if (!missing.length) best = { at, positions, missing };
    else if (missing.length < best.missing.length) best = { at, positions: null, missing };
  });
  return best;
}

/** A sheet whose header row has the rules table's own columns (项目, 数量, 比较): a rules table, not a directory. */
export function isRulesSheet(rows: readonly string[][]): boolean {
  return rows.slice(0, RULES_HEADER_SEARCH_ROWS).some((cells) => {
    const keys = new Set(cells.map(headerKey));
    return ['项目', '数量', '比较'].every((c) => keys.has(c));
  });
}

const placeText = (sheet: string | null, row: number) => (sheet === null ? `第${row}行` : `工作表“${sheet}”第${row}行`);

/** Where a problem is, as the operator finds it: "第3行", "工作表“村级”第5行". */
export const ruleProblemText = (p: RuleProblem): string => `${placeText(p.sheet, p.row)}：${p.message}`;

/**
 * Validates a whole workbook, as the directory is read: every sheet whose header row (found below
 * titles and blank rows, spaces and full-width forms ignored) has the columns is read, the others
 * are skipped and named; a sheet with half the columns but not all is a problem, since skipping it
 * would remove its rules. Any problem rejects the file, with every problem listed by sheet and row.
 */
export function parseRulesSheets(sheets: readonly { name: string | null; rows: string[][] }[]): ParsedRules {
  const problems: RuleProblem[] = [];
  const rules: RuleInput[] = [];
  const read: string[] = [];
  const skipped: string[] = [];
  const seen = new Map<string, { sheet: string | null; row: number }>();
  for (const sheet of sheets) {
    const header = findHeader(sheet.rows);
    if (!header.positions) {
      if (sheet.name === null && !sheet.rows.length) problems.push({ sheet: null, row: 1, message: '文件是空的：第一行应为表头 ' + RULE_COLUMNS.join(',') });
      else if (sheet.name === null || header.missing.length * 2 <= RULE_COLUMNS.length) {
        problems.push({ sheet: sheet.name, row: header.at + 1, message: `表头缺少列：${header.missing.join('、')}（应为 ${RULE_COLUMNS.join(',')}）` });
      } else skipped.push(sheet.name);
      continue;
    }
    const positions = header.positions;
    if (sheet.name !== null) read.push(sheet.name);
    sheet.rows.forEach((cells, i) => {
      if (i <= header.at) return;
      const row = i + 1;
      if (cells.every((c) => c.trim() === '')) return;
      const record = Object.fromEntries(RULE_COLUMNS.map((c) => [c, cells[positions.get(c)!] ?? '']));
      const parsed = RuleRow.safeParse(record);
      if (!parsed.success) {
        problems.push({ sheet: sheet.name, row, message: parsed.error.issues.map((issue) => issue.message).join('；') });
        return;
      }
      const key = `${parsed.data.level}|${parsed.data.item}`;
      const first = seen.get(key);
      if (first) {
        problems.push({ sheet: sheet.name, row, message: `与${first.sheet === sheet.name ? `第${first.row}行` : placeText(first.sheet, first.row)}重复：同一级别的“${parsed.data.item}”只能有一行` });
        return;
      }
      seen.set(key, { sheet: sheet.name, row });
      rules.push(parsed.data);
    });
  }
  if (problems.length) return { ok: false, problems };
  if (!read.length && skipped.length) {
    return { ok: false, problems: [{ sheet: null, row: 1, message: `没有找到规则表的表头（工作表 ${skipped.map((s) => `“${s}”`).join('、')} 都不是规则表）。表头应为：${RULE_COLUMNS.join(',')}` }] };
  }
  if (!rules.length) return { ok: false, problems: [{ sheet: null, row: 2, message: '文件里没有任何规则行；导入会清空规则表，已拒绝' }] };
  return { ok: true, rules, sheets: { read, skipped } };
}

/** One table in memory (a .csv, tests): its header row, then the rules. */
export function parseRulesTable(table: string[][]): ParsedRules {
  return parseRulesSheets([{ name: null, rows: table }]);
}

/** The rules as spreadsheet rows, header first, town before village, in sort order. */
export function rulesToTable(rules: readonly RuleRecord[]): (string | number | null)[][] {
  const sorted = [...rules].sort((a, b) => (a.level === b.level ? a.sortOrder - b.sortOrder : a.level === 'town' ? -1 : 1));
  return [
    [...RULE_COLUMNS],
    ...sorted.map((r) => [
      LEVEL_OUT[r.level as 'town' | 'village'] ?? r.level,
      r.category,
      r.item,
      r.quantity,
      r.unit,
      r.comparator,
      r.note,
      r.keywords,
      r.sortOrder,
      r.source,
    ]),
  ];
}
