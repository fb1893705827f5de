// The rules spreadsheet: validation by row, and the table round trip.
import { describe, expect, it } from 'vitest';
import { parseRulesTable, rulesToTable, RULE_COLUMNS } from '../../commands/standards/rulesFile.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';

const asText = (rows: (string | number | null)[][]): string[][] => rows.map((r) => r.map((c) => (c === null ? '' : String(c))));

describe('rules table', () => {
  it('round-trips the seeded rules', () => {
    const parsed = parseRulesTable(asText(rulesToTable(RULE_SEEDS)));
    expect(parsed.ok).toBe(true);
    const byKey = <T extends { level: string; item: string }>(rows: readonly T[]) => [...rows].sort((a, b) => `${a.level}|${a.item}`.localeCompare(`${b.level}|${b.item}`));
    if (parsed.ok) expect(byKey(parsed.rules)).toEqual(byKey(RULE_SEEDS));
  });

  it('lists every bad row with its number and reason', () => {
    const rows = asText(rulesToTable(RULE_SEEDS));
    rows[2]![0] = '县级';
    rows[3]![3] = '两台';
    rows[4]![1] = '软件要求';
    rows[5] = [...rows[1]!];
    const parsed = parseRulesTable(rows);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems.map((p) => p.row)).toEqual([3, 4, 5, 6]);
      expect(parsed.problems[0]!.message).toContain('级别“县级”无效');
      expect(parsed.problems[1]!.message).toContain('数量“两台”不是非负数字');
      expect(parsed.problems[2]!.message).toContain('类别应为');
      expect(parsed.problems[3]!.message).toContain('与第2行重复');
    }
  });

  it('rejects a missing column and an empty table', () => {
    const missing = parseRulesTable([RULE_COLUMNS.filter((c) => c !== '来源')]);
    expect(missing.ok === false && missing.problems[0]!.message).toContain('来源');
    const empty = parseRulesTable([[...RULE_COLUMNS]]);
    expect(empty.ok).toBe(false);
  });

  it('accepts 不少于 for the comparator and requires one with a figure', () => {
    const rows = asText(rulesToTable(RULE_SEEDS));
    rows[1]![5] = '不少于';
    const ok = parseRulesTable(rows);
    expect(ok.ok && ok.rules[0]!.comparator).toBe('>=');
    rows[1]![5] = '';
    const bad = parseRulesTable(rows);
    expect(bad.ok === false && bad.problems[0]!.message).toContain('比较');
  });
});
