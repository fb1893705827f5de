// The monthly report template (DESIGN.md) as ReportField rows. Only missing keys are created, so a
// label or alias an operator changed survives every restart.
import type { Db } from '../../bot/db/client.ts';
import { REPORT_FIELD_DEFAULTS } from '../../commands/report/template.ts';

export async function seedReportFields(db: Db): Promise<void> {
  const existing = new Set((await db.reportField.findMany({ select: { key: true } })).map((f) => f.key));
  for (const field of REPORT_FIELD_DEFAULTS) {
    if (existing.has(field.key)) continue;
    const row = {
      key: field.key,
      label: field.label,
      unit: field.unit,
      type: field.type,
      min: field.min,
      max: field.max,
      required: field.required,
      aliases: field.aliases.join(','),
      sortOrder: field.sortOrder,
    };
    // upsert with an empty update: two instances seeding at once must not fail on the primary key
    await db.reportField.upsert({ where: { key: field.key }, create: row, update: {} });
  }
}
