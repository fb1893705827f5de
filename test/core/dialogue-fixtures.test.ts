// One runner for the dialogue fixtures (test/fixtures/dialogues/*.json), as goflow has one fixture
// file per action: each case is messages in (typed text or a pressed button, as a directory
// contact) and what must come out (reply text, offered choices, what was stored). The cases run
// through the real core on a fresh SQLite database each (the same cases on PostgreSQL are covered
// by the end-to-end tests; the engine does not depend on the database kind).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../bot/core/types.ts';
import { createTestBot, DEMO, type TestBot, type TestChat } from '../support/harness.ts';

interface FixtureStep {
  as?: keyof typeof DEMO;
  send?: string;
  press?: string;
  /** press a button remembered from an earlier step */
  pressRemembered?: string;
  label?: string;
  remember?: string;
  /** /notice cancel <the newest notice's id> */
  sendNoticeCancel?: boolean;
  reply?: string[];
  not?: string[];
  choices?: string[];
  reports?: number;
  revisions?: number;
  notices?: number;
  figure?: { month?: string; key: string; value: number | string };
}

interface FixtureCase {
  name: string;
  as: keyof typeof DEMO;
  before?: FixtureStep[];
  steps: FixtureStep[];
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'dialogues');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

const textOf = (replies: Reply[]) => replies.map((r) => r.text).join('\n');

describe.each(files)('dialogue fixtures %s', (file) => {
  const fixture = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { cases: FixtureCase[] };
  let bot: TestBot | null = null;
  afterEach(async () => {
    await bot?.close();
    bot = null;
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    bot = await createTestBot({ provider: 'sqlite' });
    const chats = new Map<string, TestChat>();
    const chatOf = async (who: keyof typeof DEMO) => {
      if (!chats.has(who)) chats.set(who, await bot!.chat(DEMO[who]));
      return chats.get(who)!;
    };
    const remembered = new Map<string, Reply['choices']>();
    const run = async (step: FixtureStep, index: number) => {
      const chat = await chatOf(step.as ?? testCase.as);
      let replies: Reply[];
      if (step.send !== undefined) replies = await chat.send(step.send);
      else if (step.press !== undefined) replies = await chat.choose(step.press);
      else if (step.pressRemembered !== undefined) {
        const choice = remembered.get(step.pressRemembered)?.find((c) => c.label === step.label);
        expect(choice, `remembered ${step.pressRemembered}`).toBeDefined();
        replies = await chat.pick(choice!.value);
      } else if (step.sendNoticeCancel) {
        const latest = await bot!.db.notice.findFirstOrThrow({ orderBy: { id: 'desc' } });
        replies = await chat.send(`/notice cancel ${latest.id}`);
      } else throw new Error(`step ${index} does nothing`);
      const where = `step ${index + 1} (${step.send ?? step.press ?? step.pressRemembered ?? 'cancel'})`;
      const said = textOf(replies);
      for (const wanted of step.reply ?? []) expect(said, where).toContain(wanted);
      for (const unwanted of step.not ?? []) expect(said, where).not.toContain(unwanted);
      if (step.choices) expect(chat.offered?.map((c) => c.label), where).toEqual(step.choices);
      if (step.remember) remembered.set(step.remember, chat.offered);
      if (step.reports !== undefined) expect(await bot!.db.monthlyReport.count(), `${where}: reports`).toBe(step.reports);
      if (step.revisions !== undefined) expect(await bot!.db.monthlyReportRevision.count(), `${where}: revisions`).toBe(step.revisions);
      if (step.notices !== undefined) expect(await bot!.db.notice.count(), `${where}: notices`).toBe(step.notices);
      if (step.figure) {
        const report = await bot!.db.monthlyReport.findFirstOrThrow({ where: step.figure.month ? { month: step.figure.month } : {}, orderBy: { id: 'desc' } });
        expect((JSON.parse(report.figures) as Record<string, unknown>)[step.figure.key], where).toBe(step.figure.value);
      }
    };
    for (const [i, step] of (testCase.before ?? []).entries()) await run(step, i);
    for (const [i, step] of testCase.steps.entries()) await run(step, i);
  });
});
