import { describe, expect, it } from 'vitest';
import { knownTemplateOf, REPORT_FIELD_DEFAULTS, templateOfRows } from '../../commands/report/template.ts';
import { reportDialogue } from '../../commands/report/dialogue.ts';

// what a draft's fields look like when read back from the database: new objects every message
const readBack = (rows: unknown) => JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];

describe('templateOfRows', () => {
  it('gives the same template for fields read back equal, and another one when any property differs', () => {
    const template = templateOfRows(readBack(REPORT_FIELD_DEFAULTS));
    expect(templateOfRows(readBack(template.fields))).toBe(template);
    expect(knownTemplateOf(readBack(template.fields))).toBe(template);

    const renamed = readBack(template.fields).map((f) => (f.key === 'visitors' ? { ...f, label: '到馆人次' } : f));
    const other = templateOfRows(renamed);
    expect(other).not.toBe(template);
    expect(other.byKey.get('visitors')!.label).toBe('到馆人次');
    const aliasAdded = readBack(template.fields).map((f) => (f.key === 'openDays' ? { ...f, aliases: [...(f.aliases as string[]), '开门天数'] } : f));
    expect(templateOfRows(aliasAdded).byKey.get('openDays')!.aliases).toContain('开门天数');
    expect(templateOfRows(readBack(template.fields))).toBe(template);
  });

  it('never takes rows that would not survive the parse unchanged as a known template', () => {
    const template = templateOfRows(readBack(REPORT_FIELD_DEFAULTS));
    const withExtra = readBack(template.fields).map((f, i) => (i === 0 ? { ...f, hidden: 1 } : f));
    expect(knownTemplateOf(withExtra)).toBeNull();
    const aliasText = readBack(template.fields).map((f, i) => (i === 0 ? { ...f, aliases: (f.aliases as string[]).join(',') } : f));
    expect(knownTemplateOf(aliasText)).toBeNull();
    expect(knownTemplateOf(readBack(template.fields).slice(1))).toBeNull();
  });
});

describe('a report draft read back', () => {
  const draft = (fields: unknown) => ({
    pointId: 1, pointLabel: '某镇 某村', pointLevel: 'village', month: '2026-10', fields, figures: { visitors: 120 }, noNewData: false,
    guided: false, skipped: [], notes: [], warned: null, previousRevision: null, previous: null, replaceConfirmed: false,
  });

  it('keeps fields of a template in use, and checks other fields as before', () => {
    const template = templateOfRows(readBack(REPORT_FIELD_DEFAULTS));
    const known = reportDialogue.schema.safeParse(readBack(draft(template.fields)));
    expect(known.success).toBe(true);
    expect(known.data!.fields).toEqual(template.fields);
    // a template no longer current (renamed since the draft began) is checked field by field
    const older = readBack(template.fields).map((f) => (f.key === 'visitors' ? { ...f, label: '接待人次' } : f));
    const parsed = reportDialogue.schema.safeParse(readBack(draft(older)));
    expect(parsed.success).toBe(true);
    expect(parsed.data!.fields.find((f) => f.key === 'visitors')!.label).toBe('接待人次');
    // and a broken one is refused, as before
    const broken = readBack(template.fields).map((f, i) => (i === 0 ? { ...f, required: 'yes' } : f));
    expect(reportDialogue.schema.safeParse(readBack(draft(broken))).success).toBe(false);
  });
});
