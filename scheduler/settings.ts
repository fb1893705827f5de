// The reminder schedule as operator-changeable Setting rows (one row per key, JSON values), so an
// operator can move one stage without touching the others. Defaults follow annex 3 of the source
// document: 每月5日前上报上个月的数据.
import type { ReadDb } from '../bot/core/capability.ts';
import { readSqlOf } from '../bot/db/sql-of.ts';
import { z } from 'zod';

const day = z.number().int().min(1).max(28);
const hour = z.number().int().min(0).max(23);
const month = z.number().int().min(1).max(12);
const days = z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期应写成 YYYY-MM-DD'));

export const REMINDER_SETTING_SCHEMAS = {
  /** master switch for the monthly report reminders */
  'reminders.enabled': z.boolean(),
  /** local hour (Asia/Shanghai) from which a day's reminders go out */
  'reminders.hour': hour,
  /** day of month: every point is told the previous month's figures are due before the 5th */
  'reminders.firstReminder.day': day,
  /** day of month: a second reminder, only to points that have not reported */
  'reminders.secondReminder.day': day,
  /** day of month: each town contact gets the list of its villages still missing */
  'reminders.townEscalation.day': day,
  /** day of month: operators get the month's completeness summary */
  'reminders.operatorSummary.day': day,
  /** a stage missed (bot down) is still sent up to this many days after its day */
  'reminders.catchUpDays': z.number().int().min(0).max(5),
  /** day of month before which the previous month's figures are due (annex 3: 每月5日前) */
  'reports.dueDay': day,
  /** local hour from which notice follow-ups (day before deadline, deadline day) go out */
  'notices.followUpHour': hour,
  /** months of the yearly re-inspection of accepted town points (五（二）: 10-11月 supervision) */
  'acceptance.reinspection.fromMonth': month,
  'acceptance.reinspection.toMonth': month,
  /** public holidays and make-up working days of a year chinese-days does not cover yet */
  'calendar.holidays': days,
  'calendar.workdays': days,
  /** the first month whose figures are collected through the bot (YYYY-MM); year-to-date figures count from it */
  'reports.countFrom': z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '请写成 YYYY-MM，例如 2026-10').nullable(),
} as const;

export type ReminderSettingKey = keyof typeof REMINDER_SETTING_SCHEMAS;

export interface ReminderSettings {
  enabled: boolean;
  hour: number;
  firstReminderDay: number;
  secondReminderDay: number;
  townEscalationDay: number;
  operatorSummaryDay: number;
  catchUpDays: number;
  dueDay: number;
  noticeFollowUpHour: number;
  reinspectionFromMonth: number;
  reinspectionToMonth: number;
  extraHolidays: string[];
  extraWorkdays: string[];
  reportsCountFrom: string | null;
}

export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = {
  enabled: true,
  hour: 9,
  firstReminderDay: 1,
  secondReminderDay: 3,
  townEscalationDay: 4,
  operatorSummaryDay: 6,
  catchUpDays: 1,
  dueDay: 5,
  noticeFollowUpHour: 9,
  reinspectionFromMonth: 10,
  reinspectionToMonth: 11,
  extraHolidays: [],
  extraWorkdays: [],
  reportsCountFrom: null,
};

const FIELD_OF_KEY: Record<ReminderSettingKey, keyof ReminderSettings> = {
  'reminders.enabled': 'enabled',
  'reminders.hour': 'hour',
  'reminders.firstReminder.day': 'firstReminderDay',
  'reminders.secondReminder.day': 'secondReminderDay',
  'reminders.townEscalation.day': 'townEscalationDay',
  'reminders.operatorSummary.day': 'operatorSummaryDay',
  'reminders.catchUpDays': 'catchUpDays',
  'reports.dueDay': 'dueDay',
  'notices.followUpHour': 'noticeFollowUpHour',
  'acceptance.reinspection.fromMonth': 'reinspectionFromMonth',
  'acceptance.reinspection.toMonth': 'reinspectionToMonth',
  'calendar.holidays': 'extraHolidays',
  'calendar.workdays': 'extraWorkdays',
  'reports.countFrom': 'reportsCountFrom',
};

export const REMINDER_SETTING_KEYS = Object.keys(FIELD_OF_KEY) as ReminderSettingKey[];

export function isReminderSettingKey(key: string): key is ReminderSettingKey {
  return key in FIELD_OF_KEY;
}

/** The Setting rows a new database gets. */
export function defaultSettingRows(): { key: ReminderSettingKey; value: string }[] {
  return REMINDER_SETTING_KEYS.map((key) => ({ key, value: JSON.stringify(DEFAULT_REMINDER_SETTINGS[FIELD_OF_KEY[key]]) }));
}

/**
 * Settings from Setting rows. A missing or malformed row falls back to its default and is reported
 * in `problems`, so one bad edit never stops every reminder.
 */
export function reminderSettingsFromRows(rows: { key: string; value: string }[]): { settings: ReminderSettings; problems: string[] } {
  const settings: ReminderSettings = { ...DEFAULT_REMINDER_SETTINGS };
  const problems: string[] = [];
  for (const row of rows) {
    if (!isReminderSettingKey(row.key)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.value);
    } catch {
      problems.push(`${row.key}: not JSON: ${row.value}`);
      continue;
    }
    const result = REMINDER_SETTING_SCHEMAS[row.key].safeParse(parsed);
    if (!result.success) {
      problems.push(`${row.key}: ${result.error.issues.map((i) => i.message).join('; ')}`);
      continue;
    }
    (settings as unknown as Record<string, unknown>)[FIELD_OF_KEY[row.key]] = result.data;
  }
  return { settings, problems };
}

export async function loadReminderSettings(db: ReadDb): Promise<{ settings: ReminderSettings; problems: string[] }> {
  const rows = await readSqlOf(db).query<{ key: string; value: string }>(
    `SELECT "key", "value" FROM "Setting" WHERE "key" IN (${REMINDER_SETTING_KEYS.map(() => '?').join(', ')})`,
    REMINDER_SETTING_KEYS,
  );
  return reminderSettingsFromRows(rows);
}

/** Parse an operator's value for one key ("3", "true") into the JSON stored in Setting.value. */
export function parseSettingValue(key: ReminderSettingKey, raw: string): { ok: true; value: string } | { ok: false; error: string } {
  let candidate: unknown;
  try {
    candidate = JSON.parse(raw);
  } catch {
    candidate = raw;
  }
  const result = REMINDER_SETTING_SCHEMAS[key].safeParse(candidate);
  if (!result.success) return { ok: false, error: result.error.issues.map((i) => i.message).join('; ') };
  return { ok: true, value: JSON.stringify(result.data) };
}
