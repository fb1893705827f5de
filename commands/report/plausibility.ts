// Figures that are possible but unlikely, read back before storing so a slip ("1200" for "120") is
// caught while the contact still remembers the month. The contact may confirm them as they are.
import type { FigureValue } from './parse.ts';
import type { ReportTemplate } from './template.ts';

/** More than this many times, or under 1/this, of last month's value asks for a second look. */
export const HISTORY_FACTOR = 3;
/**
 * More visitors per opening hour than this asks for a second look. A village room has two
 * computers and a TV (annex 1), a town room a handful more; even with an activity in the hall,
 * 50 people every hour the room is open is far beyond what such a room can serve.
 */
export const MAX_VISITORS_PER_OPEN_HOUR = 50;
/** Values this small vary too much month to month to compare (3 activities after 1 is normal). */
const HISTORY_FLOOR = 10;

export interface PlausibilityWarning {
  key: string;
  message: string;
}

export function checkPlausibility(
  figures: Record<string, FigureValue>,
  lastMonth: Record<string, FigureValue> | null,
  template: ReportTemplate,
): PlausibilityWarning[] {
  const warnings: PlausibilityWarning[] = [];
  const label = (key: string) => template.byKey.get(key)?.label ?? key;
  if (lastMonth) {
    for (const field of template.fields) {
      if (field.type === 'text') continue;
      const now = figures[field.key];
      const before = lastMonth[field.key];
      if (typeof now !== 'number' || typeof before !== 'number') continue;
      if (Math.max(now, before) < HISTORY_FLOOR) continue;
      const unit = field.unit ?? '';
      if (before > 0 && now > before * HISTORY_FACTOR) {
        warnings.push({ key: field.key, message: `${field.label} ${now}${unit} 是上个月（${before}${unit}）的 ${HISTORY_FACTOR} 倍以上` });
      } else if (before > 0 && now < before / HISTORY_FACTOR) {
        warnings.push({ key: field.key, message: `${field.label} ${now}${unit} 不到上个月（${before}${unit}）的三分之一` });
      } else if (before === 0 && now >= HISTORY_FLOOR * HISTORY_FACTOR) {
        warnings.push({ key: field.key, message: `${field.label} ${now}${unit}，而上个月是 0` });
      }
    }
  }
  const visitors = figures.visitors;
  const hours = figures.openHours;
  if (typeof visitors === 'number' && typeof hours === 'number') {
    if (hours === 0 && visitors > 0) {
      warnings.push({ key: 'visitors', message: `${label('openHours')}是 0，却有 ${visitors} ${label('visitors')}` });
    } else if (visitors > hours * MAX_VISITORS_PER_OPEN_HOUR) {
      warnings.push({
        key: 'visitors',
        message: `${label('visitors')} ${visitors} 相当于开放时每小时超过 ${MAX_VISITORS_PER_OPEN_HOUR} 人次（${label('openHours')} ${hours} 小时）`,
      });
    }
  }
  return warnings;
}
