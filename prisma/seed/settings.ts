// The default reminder schedule (scheduler/settings.ts) as Setting rows. Only missing keys are
// created, so an operator's changed day or hour survives every restart.
import type { Db } from '../../bot/db/client.ts';
import { defaultSettingRows } from '../../scheduler/settings.ts';

export async function seedSettings(db: Db): Promise<void> {
  const existing = new Set((await db.setting.findMany({ select: { key: true } })).map((s) => s.key));
  for (const row of defaultSettingRows()) {
    if (existing.has(row.key)) continue;
    // upsert with an empty update: two instances seeding at once must not fail on the primary key
    await db.setting.upsert({ where: { key: row.key }, create: row, update: {} });
  }
}
