// gxgc reminders preview --date YYYY-MM-DD | settings | set KEY VALUE
import { auditStatement } from '../bot/db/audit.ts';
import { sqlOf } from '../bot/db/client.ts';
import type { CliDeps } from '../bot/cli.ts';
import { parseLocalDate } from '../commands/notice/model.ts';
import { previewDay, renderDayPreview } from './preview.ts';
import { REMINDER_SETTING_KEYS, isReminderSettingKey, loadReminderSettings, parseSettingValue } from './settings.ts';

const USAGE = [
  '用法：',
  '  reminders preview --date YYYY-MM-DD   列出这一天将发送的提醒及收件人（不发送）',
  '  reminders settings                    查看提醒时间表',
  '  reminders set 键 值                   修改提醒时间表，例如：reminders set reminders.secondReminder.day 3',
].join('\n');

export async function runRemindersCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'preview') {
    const index = rest.indexOf('--date');
    const raw = index >= 0 ? rest[index + 1] : undefined;
    const day = raw ? parseLocalDate(raw) : null;
    if (!day) {
      deps.out(raw ? `日期格式不对：${raw}。请写成 YYYY-MM-DD，例如 2026-12-01。` : '请用 --date 指定日期，例如：reminders preview --date 2026-12-01');
      return 2;
    }
    const { settings, problems } = await loadReminderSettings(deps.db);
    for (const p of problems) deps.out(`提醒设置有误，已按默认值计算：${p}`);
    for (const line of renderDayPreview(await previewDay(deps.db, day, settings))) deps.out(line);
    return 0;
  }
  if (verb === 'settings') {
    const { settings, problems } = await loadReminderSettings(deps.db);
    const rows = new Map((await deps.db.setting.findMany({ where: { key: { in: REMINDER_SETTING_KEYS } } })).map((r) => [r.key, r.value]));
    deps.out('提醒时间表（东莞时间；未设置的键使用默认值）：');
    for (const key of REMINDER_SETTING_KEYS) deps.out(`  ${key} = ${rows.get(key) ?? '(默认)'}`);
    deps.out(`生效值：${JSON.stringify(settings)}`);
    for (const p of problems) deps.out(`有误，已按默认值：${p}`);
    return problems.length ? 1 : 0;
  }
  if (verb === 'set') {
    const [key, value] = rest;
    if (!key || value === undefined) {
      deps.out(USAGE);
      return 2;
    }
    if (!isReminderSettingKey(key)) {
      deps.out(`没有这个设置：${key}。可用的键：\n  ${REMINDER_SETTING_KEYS.join('\n  ')}`);
      return 2;
    }
    const parsed = parseSettingValue(key, value);
    if (!parsed.ok) {
      deps.out(`${key} 的值不对（${value}）：${parsed.error}`);
      return 2;
    }
    await deps.db.setting.upsert({ where: { key }, create: { key, value: parsed.value }, update: { value: parsed.value } });
    const audit = auditStatement({ at: deps.clock.now(), actorContactId: null, actor: 'cli', action: 'setting.update', entity: 'Setting', entityId: key, detail: { value: parsed.value } });
    await sqlOf(deps.db).execute(audit.sql, audit.params);
    deps.out(`已设置 ${key} = ${parsed.value}，下一次定时检查起生效。`);
    return 0;
  }
  deps.out(USAGE);
  return verb ? 2 : 0;
}
