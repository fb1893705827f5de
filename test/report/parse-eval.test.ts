// The report parser against messages written as clerks write them (speech numerals, approximations,
// ranges, unit-only figures, several lines, traditional characters, typos, arithmetic), with accuracy per
// category. A case is right when exactly its figures are read, each reading to be shown is among the
// interpretations, and a figure that must not be guessed is refused with a problem.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseReportMessage } from '../../commands/report/parse.ts';
import { buildTemplate, REPORT_FIELD_DEFAULTS } from '../../commands/report/template.ts';

const Case = z.object({
  category: z.string(),
  text: z.string(),
  figures: z.record(z.string(), z.number()),
  /** words each found in some interpretation */
  read: z.array(z.string()).optional(),
  /** a problem must be reported (for this field, or for none in particular when null) */
  problem: z.string().nullable().optional(),
  month: z.string().optional(),
});
const cases = z.array(Case).parse(JSON.parse(readFileSync(new URL('./parse-eval.json', import.meta.url), 'utf8')));
const template = buildTemplate(REPORT_FIELD_DEFAULTS);
const now = new Date('2026-11-03T02:00:00Z');

function failures(c: z.infer<typeof Case>): string[] {
  const parsed = parseReportMessage(c.text, template, now);
  const problems: string[] = [];
  if (JSON.stringify(sorted(parsed.figures)) !== JSON.stringify(sorted(c.figures))) problems.push(`figures ${JSON.stringify(parsed.figures)}`);
  const readings = Object.values(parsed.interpretations).join(' | ');
  for (const r of c.read ?? []) if (!readings.includes(r)) problems.push(`no reading “${r}” in ${readings || 'none'}`);
  if (c.problem !== undefined && !parsed.problems.some((p) => c.problem === null || p.key === c.problem)) problems.push(`no problem for ${c.problem}`);
  if (c.problem === undefined && parsed.problems.length) problems.push(`problems ${parsed.problems.map((p) => p.message).join('; ')}`);
  if (c.month && parsed.month !== c.month) problems.push(`month ${parsed.month}`);
  return problems;
}

function sorted(o: Record<string, unknown>): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

describe('report parse evaluation', () => {
  it('reads messages as people write them at 95% or more, per category reported', () => {
    const results = cases.map((c) => ({ ...c, problems: failures(c) }));
    const right = results.filter((r) => !r.problems.length).length;
    process.stdout.write(`report parse evaluation: ${right}/${results.length} correct (${((100 * right) / results.length).toFixed(1)}%)\n`);
    for (const category of [...new Set(results.map((r) => r.category))]) {
      const of = results.filter((r) => r.category === category);
      const ok = of.filter((r) => !r.problems.length).length;
      process.stdout.write(`  ${category}: ${ok}/${of.length} (${((100 * ok) / of.length).toFixed(1)}%)\n`);
    }
    for (const r of results.filter((x) => x.problems.length)) process.stdout.write(`✗ [${r.category}] ${JSON.stringify(r.text)}\n  ${r.problems.join('\n  ')}\n`);
    expect(cases.length).toBeGreaterThanOrEqual(70);
    // never a wrong figure stored silently: a case whose figures differ is a failure whatever its category
    expect(right / results.length).toBeGreaterThanOrEqual(0.95);
  });
});
