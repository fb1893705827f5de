// Range and type checks of report figures, with Chinese messages that name the field and the
// allowed range. openDays and openHours are bounded by the length of the month reported on.
import { z } from 'zod';
import { daysInMonth, monthLabel, type MonthKey } from '../../bot/time.ts';
import type { FigureValue } from './parse.ts';
import type { ReportField, ReportTemplate } from './template.ts';

export interface FieldBounds {
  min: number | null;
  max: number | null;
}

/** The bounds that apply to a field in a given month (the template's, narrowed by the calendar). */
export function boundsFor(field: ReportField, month: MonthKey): FieldBounds {
  const days = daysInMonth(month);
  let max = field.max;
  if (field.key === 'openDays') max = max === null ? days : Math.min(max, days);
  if (field.key === 'openHours') max = max === null ? 24 * days : Math.min(max, 24 * days);
  return { min: field.min ?? (field.type === 'text' ? null : 0), max };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** null when the value is acceptable, else what is wrong and what is allowed. */
export function checkFigure(field: ReportField, value: FigureValue, month: MonthKey): string | null {
  const { min, max } = boundsFor(field, month);
  const unit = field.unit ?? '';
  if (field.type === 'text') {
    if (typeof value !== 'string') return `${field.label}应是文字。`;
    if (max !== null && value.length > max) return `${field.label}最多 ${max} 个字，现在有 ${value.length} 个字，请精简后再发。`;
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field.label}应填数字。`;
  // the wording is made only for a figure that fails: every figure of every report passes through here
  const range = () => `${fmt(min ?? 0)} 到 ${max === null ? '不限' : fmt(max)}${unit}`;
  const why = () => (field.key === 'openDays' || field.key === 'openHours' ? `（${monthLabel(month)}共 ${daysInMonth(month)} 天）` : '');
  if (value < 0) return `${field.label}不能是负数，应在 ${range()} 之间${why()}。`;
  if (field.type === 'int' && !Number.isInteger(value)) return `${field.label}应是整数，不能有小数（收到 ${fmt(value)}），应在 ${range()} 之间。`;
  if (min !== null && value < min) return `${field.label}不能小于 ${fmt(min)}${unit}，收到 ${fmt(value)}。`;
  if (max !== null && value > max) return `${field.label}应在 ${range()} 之间${why()}，收到 ${fmt(value)}${unit}。`;
  return null;
}

export interface FigureIssue {
  key: string | null;
  message: string;
}

/** Every value checked, plus what can never be true together (hours without days). */
export function validateFigures(figures: Record<string, FigureValue>, template: ReportTemplate, month: MonthKey): FigureIssue[] {
  const issues: FigureIssue[] = [];
  for (const [key, value] of Object.entries(figures)) {
    const field = template.byKey.get(key);
    if (!field) continue;
    const problem = checkFigure(field, value, month);
    if (problem) issues.push({ key, message: problem });
  }
  const days = figures.openDays;
  const hours = figures.openHours;
  if (typeof days === 'number' && typeof hours === 'number' && !issues.some((i) => i.key === 'openDays' || i.key === 'openHours')) {
    const daysLabel = template.byKey.get('openDays')?.label ?? '开放天数';
    const hoursLabel = template.byKey.get('openHours')?.label ?? '开放时长';
    if (days === 0 && hours > 0) issues.push({ key: 'openHours', message: `${daysLabel}是 0 天，${hoursLabel}就应是 0；请核对这两项。` });
    else if (hours > days * 24) issues.push({ key: 'openHours', message: `${hoursLabel} ${fmt(hours)} 小时超过了 ${days} 天最多的 ${days * 24} 小时，请核对。` });
  }
  return issues;
}

export function missingRequired(figures: Record<string, FigureValue>, template: ReportTemplate): ReportField[] {
  return template.fields.filter((f) => f.required && !(f.key in figures));
}

/** The figures as stored (MonthlyReport.figures), checked again at the storage boundary. */
export const storedFiguresSchema = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), z.union([z.number().finite(), z.string().max(2000)]));
export type StoredFigures = z.infer<typeof storedFiguresSchema>;

export function parseStoredFigures(json: string): StoredFigures {
  try {
    const parsed = storedFiguresSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
