// The monthly report template as data. The rows live in the ReportField table (seeded from
// REPORT_FIELD_DEFAULTS by prisma/seed/report-fields.ts), so an operator can rename a label or add
// an alias without a code change; the code only knows the stable keys.
import type { ReadDb, ReadSql } from '../../bot/core/capability.ts';
import { z } from 'zod';
import { readMostly } from '../../bot/db/read-cache.ts';
import { readSqlOf } from '../../bot/db/sql-of.ts';

export const FIELD_TYPES = ['int', 'decimal', 'text'] as const;

/** The keys the code relies on (month-dependent bounds, plausibility, standard checks). */
export const FIELD_KEYS = {
  openDays: 'openDays',
  openHours: 'openHours',
  visitors: 'visitors',
  activities: 'activities',
  activityParticipants: 'activityParticipants',
  trainings: 'trainings',
  trainees: 'trainees',
  computers: 'computers',
  remarks: 'remarks',
} as const;

const aliasList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[,，、]/)))
  .transform((list) => [...new Set(list.map((a) => a.normalize('NFKC').trim()).filter((a) => a.length > 0))]);

/** One ReportField row as stored (aliases comma separated) or as written in code (an array). */
export const reportFieldSchema = z
  .object({
    key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'key 只能是英文字母和数字'),
    label: z.string().trim().min(1).max(20),
    unit: z.string().trim().max(10).nullable().optional().transform((u) => (u ? u : null)),
    type: z.enum(FIELD_TYPES),
    min: z.number().nullable().optional().transform((v) => v ?? null),
    max: z.number().nullable().optional().transform((v) => v ?? null),
    required: z.boolean().default(false),
    aliases: aliasList.default([]),
    sortOrder: z.number().int().default(0),
  })
  .refine((f) => f.min === null || f.max === null || f.min <= f.max, { message: 'min 不能大于 max' });

export type ReportField = z.infer<typeof reportFieldSchema>;

export interface ReportTemplate {
  /** in sortOrder */
  fields: ReportField[];
  byKey: Map<string, ReportField>;
}

export function buildTemplate(rows: readonly unknown[]): ReportTemplate {
  const fields = rows
    .map((row, i) => {
      const parsed = reportFieldSchema.safeParse(row);
      if (!parsed.success) throw new Error(`ReportField row ${i + 1} is invalid: ${parsed.error.message}`);
      return parsed.data;
    })
    .sort((a, b) => a.sortOrder - b.sortOrder || a.key.localeCompare(b.key));
  return { fields, byKey: new Map(fields.map((f) => [f.key, f])) };
}

const byRows = new WeakMap<readonly unknown[], ReportTemplate>();
/** the templates built lately, newest first: a template changes a few times a year */
const recent: ReportTemplate[] = [];
const RECENT_TEMPLATES = 8;

/**
 * buildTemplate, memoised: a report dialogue keeps its fields in its state and reads the template
 * several times per message, and zod-parsing the rows each time was a visible share of a report's CPU.
 * Rows read back from a draft are new objects each message: they are the same template when they
 * equal a recent template's fields, which is cheaper to check than to key them by their JSON.
 */
export function templateOfRows(rows: readonly unknown[]): ReportTemplate {
  const known = knownTemplateOf(rows);
  if (known) return known;
  const template = buildTemplate(rows);
  recent.unshift(template);
  if (recent.length > RECENT_TEMPLATES) recent.pop();
  byRows.set(rows, template);
  return template;
}

/** The template these rows are the fields of, if it was built lately (nothing is built here). */
export function knownTemplateOf(rows: readonly unknown[]): ReportTemplate | null {
  const known = byRows.get(rows) ?? recent.find((template) => sameFields(rows, template.fields));
  if (!known) return null;
  byRows.set(rows, known);
  return known;
}

const FIELD_PROPERTIES = ['key', 'label', 'unit', 'type', 'min', 'max', 'required', 'sortOrder'] as const;

/** rows equal, property for property, to parsed fields (whose parse they would survive unchanged) */
function sameFields(rows: readonly unknown[], fields: readonly ReportField[]): boolean {
  if (rows.length !== fields.length) return false;
  return fields.every((field, i) => {
    const row = rows[i] as Record<string, unknown> | null;
    if (typeof row !== 'object' || row === null || Object.keys(row).length !== FIELD_PROPERTIES.length + 1) return false;
    if (!FIELD_PROPERTIES.every((p) => row[p] === field[p])) return false;
    const aliases = row.aliases;
    return Array.isArray(aliases) && aliases.length === field.aliases.length && aliases.every((a, j) => a === field.aliases[j]);
  });
}

/** The template operators maintain; falls back to the defaults when the table is still empty. */
export function loadTemplate(db: ReadDb): Promise<ReportTemplate> {
  return readMostly(db, 'reportTemplate', async () => {
    return readTemplate(readSqlOf(db));
  });
}

/** The same template read on a DirectSql, for the export, which runs without a Prisma client on the command line. */
export async function readTemplate(sql: ReadSql): Promise<ReportTemplate> {
  const rows = await sql.query(`SELECT "key", "label", "unit", "type", "min", "max", "required", "aliases", "sortOrder" FROM "ReportField" ORDER BY "sortOrder"`);
  return buildTemplate(rows.length > 0 ? rows : REPORT_FIELD_DEFAULTS);
}

/**
 * The fields of DESIGN.md. Bounds are generous sanity limits (a village room does not serve a
 * million visitors a month); openDays and openHours are further limited by the month's length in
 * validate.ts. Aliases are words staff actually write; operators extend them in the table.
 */
export const REPORT_FIELD_DEFAULTS: ReportField[] = [
  { key: 'openDays', label: '开放天数', unit: '天', type: 'int', min: 0, max: 31, required: true, sortOrder: 10,
    aliases: ['开放日数', '开馆天数', '开放了', '开放'] },
  { key: 'openHours', label: '开放时长', unit: '小时', type: 'decimal', min: 0, max: 744, required: true, sortOrder: 20,
    aliases: ['开放时间', '开馆时长', '开馆时间', '开放小时', '开放总时长', '总开放时长', '时长'] },
  { key: 'visitors', label: '服务人次', unit: '人次', type: 'int', min: 0, max: 1_000_000, required: true, sortOrder: 30,
    aliases: ['到馆人次', '接待人次', '读者人次', '服务人数', '接待读者', '到馆读者', '来访人次', '接待', '服务'] },
  { key: 'activities', label: '活动场次', unit: '场', type: 'int', min: 0, max: 10_000, required: true, sortOrder: 40,
    aliases: ['活动次数', '举办活动', '开展活动', '活动'] },
  { key: 'activityParticipants', label: '活动参与人次', unit: '人次', type: 'int', min: 0, max: 1_000_000, required: false, sortOrder: 50,
    aliases: ['活动参与人数', '参与活动人次', '活动参加人次', '活动人次', '参与人次', '参加人次'] },
  { key: 'trainings', label: '培训场次', unit: '场', type: 'int', min: 0, max: 10_000, required: false, sortOrder: 60,
    aliases: ['培训次数', '培训班', '举办培训', '培训'] },
  { key: 'trainees', label: '培训人次', unit: '人次', type: 'int', min: 0, max: 1_000_000, required: false, sortOrder: 70,
    aliases: ['培训人数', '参训人次', '受训人次', '参加培训人次'] },
  { key: 'computers', label: '可用电脑', unit: '台', type: 'int', min: 0, max: 10_000, required: false, sortOrder: 80,
    aliases: ['电脑数', '电脑台数', '可用电脑数', '电脑'] },
  { key: 'remarks', label: '备注', unit: null, type: 'text', min: null, max: 500, required: false, sortOrder: 90,
    aliases: ['说明', '附注'] },
];

/** Every name a field answers to, label first. */
export function fieldNames(field: ReportField): string[] {
  return [field.label, ...field.aliases.filter((a) => a !== field.label)];
}
