// The evaluation set: realistic questions with the facts each answer must contain (and must not
// contain), run through the pure answering function with the seeded rules and facts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerStandardsQuestion, fullText } from '../../commands/standards/answer.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';
import { FACT_SEEDS } from '../../prisma/seed/facts.ts';

const EvalCase = z.object({
  q: z.string().min(1),
  level: z.enum(['town', 'village', 'school', 'enterprise']).optional(),
  /** how the question is written or what it asks; the first 85 cases have none ("original") */
  category: z.enum(['traditional', 'typo', 'english', 'colloquial', 'document', 'unsettled', 'selfCheck', 'help']).optional(),
  kind: z.enum(['rules', 'facts', 'checklist', 'selfCheck', 'help', 'unsettled']),
  expect: z.array(z.string()).min(1),
  forbid: z.array(z.string()).optional(),
});

/** the longest first answer allowed; the whole table of a level fits, the checklist does not */
const SHORT_ANSWER = 700;

const cases = z.array(EvalCase).parse(JSON.parse(readFileSync(new URL('./eval-questions.json', import.meta.url), 'utf8')));

function failures(c: z.infer<typeof EvalCase>): string[] {
  const a = answerStandardsQuestion(c.q, RULE_SEEDS, FACT_SEEDS, { pointLevel: c.level ?? null });
  const problems: string[] = [];
  // what the person sees: the answer, and the full text a summary offers one reply away ("回复 1 查看全文")
  const seen = a.full ? `${a.text}\n${fullText(a.full, RULE_SEEDS, FACT_SEEDS) ?? ''}` : a.text;
  if (a.kind !== c.kind) problems.push(`kind ${a.kind}, expected ${c.kind}`);
  for (const s of c.expect) if (!seen.includes(s)) problems.push(`missing “${s}”`);
  for (const s of c.forbid ?? []) if (seen.includes(s)) problems.push(`must not contain “${s}”`);
  // a phone screen wants the short answer first
  if (a.text.length > SHORT_ANSWER) problems.push(`answer is ${a.text.length} characters, more than ${SHORT_ANSWER}`);
  if (problems.length) problems.push(`answer was:\n${a.text}`);
  return problems;
}

describe('standards evaluation set', () => {
  it('has at least 60 questions of every kind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const kind of ['rules', 'facts', 'checklist', 'selfCheck', 'help']) {
      expect(cases.some((c) => c.kind === kind)).toBe(true);
    }
  });

  it('answers the original questions exactly and the ones written as people write at 95% or more', () => {
    const results = cases.map((c) => ({ q: c.q, level: c.level, category: c.category ?? 'original', problems: failures(c) }));
    const wrong = results.filter((r) => r.problems.length);
    const accuracy = (cases.length - wrong.length) / cases.length;
    process.stdout.write(`standards evaluation: ${cases.length - wrong.length}/${cases.length} correct (${(accuracy * 100).toFixed(1)}%)\n`);
    for (const category of [...new Set(results.map((r) => r.category))]) {
      const of = results.filter((r) => r.category === category);
      const right = of.filter((r) => !r.problems.length).length;
      process.stdout.write(`  ${category}: ${right}/${of.length} (${((100 * right) / of.length).toFixed(1)}%)\n`);
    }
    for (const w of wrong) process.stdout.write(`✗ [${w.category}] ${w.q}${w.level ? ` [${w.level}]` : ''}\n  ${w.problems.join('\n  ')}\n`);
    // the original set stays exact; the written-as-people-write set is held to the issue's 95%
    expect(wrong.filter((w) => w.category === 'original').map((w) => w.q)).toEqual([]);
    const written = results.filter((r) => r.category !== 'original');
    expect(written.length).toBeGreaterThanOrEqual(80);
    expect(written.filter((r) => !r.problems.length).length / written.length).toBeGreaterThanOrEqual(0.95);
  });
});
