// The default reminder schedule (scheduler/settings.ts) as Setting rows. Only missing keys are
// created, so an operator's changed day or hour survives every restart.
import type { Db } from '../../bot/db/client.ts';
import { defaultSettingRows } from '../../scheduler/settings.ts';
import { isUniqueViolation } from '../../scheduler/outbox.ts';

export async function seedSettings(db: Db): Promise<void> {
  const existing = new Set((await db.setting.findMany({ select: { key: true } })).map((s) => s.key));
  for (const row of defaultSettingRows()) {
    if (existing.has(row.key)) continue;
    try {
      await db.setting.create({ data: row });
    } catch (error) {
      // another instance seeding at the same moment created it: theirs is the same default
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
