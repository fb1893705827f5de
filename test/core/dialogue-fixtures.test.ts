// One runner for the dialogue fixtures (test/fixtures/dialogues/*.json, one file per capability), as
// goflow has one fixture file per action. Each case is messages in (typed text or a pressed button,
// as a directory contact) and what must come out: the reply text, the choices offered, the effects
// the capability returned, the conversation's flow and step, and what was stored.
// Every case runs twice: on a world in memory (test/support/fixture-world.ts: the real core and
// capabilities, no database at all) and on a fresh SQLite database, so the world cannot drift from
// what the database does. The same cases on PostgreSQL are covered by the end-to-end tests.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Effect } from '../../bot/core/effects.ts';
import type { Core } from '../../bot/core/pipeline.ts';
import type { ChannelName, Reply } from '../../bot/core/types.ts';
import { hashCode, INVITATION_VALID_DAYS, normaliseCode } from '../../commands/directory/invitations.ts';
import { invitationKey } from '../../commands/directory/invitation-key.ts';
import { createFixtureWorld } from '../support/fixture-world.ts';
import { chatOn, createTestBot, DEMO, demoDirectoryRows, type TestChat } from '../support/harness.ts';

/** a contact of the demo directory, or someone whose chat is bound to no one */
type Who = keyof typeof DEMO | 'stranger';

interface FixtureStep {
  as?: Who;
  send?: string;
  press?: string;
  /** press a button remembered from an earlier step */
  pressRemembered?: string;
  label?: string;
  remember?: string;
  /** /notice cancel <the newest notice's id> */
  sendNoticeCancel?: boolean;
  /** the same text handled at the same moment by this instance and another one sharing its storage */
  sendOnTwoInstances?: string;
  reply?: string[];
  not?: string[];
  choices?: string[];
  /** the effects this message's outcome had the core apply, in order (each matched as a subset) */
  effects?: Record<string, unknown>[];
  /** the chat's conversation after the message: its flow (null: no dialogue open) and step */
  state?: { flow: string | null; step?: string | null };
  reports?: number;
  revisions?: number;
  notices?: number;
  figure?: { month?: string; key: string; value: number | string };
}

interface FixtureCase {
  name: string;
  as: Who;
  /**
   * the conversation of the case's chat before the first message (a draft an older version of the
   * bot saved, say); in its state, "$point:<name>" stands for that point's id
   */
  conversation?: { flow: string; step: string | null; state: Record<string, unknown>; choices?: { label: string; value: string }[] };
  /** invitation codes issued before the messages, valid for the usual 14 days */
  invitations?: { for: keyof typeof DEMO; code: string }[];
  before?: FixtureStep[];
  steps: FixtureStep[];
}

/** What a fixture needs of a bot, in memory or on a database. */
interface FixtureBot {
  /** the chat of the contact with this mobile, or (none) of a stranger */
  chat(mobile?: string): Promise<TestChat>;
  invite(mobile: string, code: string): Promise<void>;
  setConversation(chatId: string, row: { flow: string; step: string | null; state: string; choices: string }): Promise<void>;
  pointId(name: string): Promise<number>;
  /** a second instance of the bot on the same storage, its connections open */
  anotherInstance(): Promise<Pick<Core, 'handleMessage'>>;
  /** effects applied since the last call */
  takeApplied(): Effect[];
  conversation(chatId: string): Promise<{ flow: string | null; step: string | null } | null>;
  counts(): Promise<{ reports: number; revisions: number; notices: number }>;
  /** the figures of the newest report (of the month, if given), as stored */
  newestFigures(month?: string): Promise<string>;
  newestNoticeId(): Promise<number>;
  close(): Promise<void>;
}

const NOW = '2026-11-02T02:00:00Z';
const CHANNEL: ChannelName = 'console';

async function inMemory(): Promise<FixtureBot> {
  const { world, core, anotherInstance } = createFixtureWorld(await demoDirectoryRows(), NOW);
  let seen = 0;
  return {
    chat: async (mobile) => chatOn(core, CHANNEL, mobile ? world.consoleChatOf(mobile) : `stranger-${randomUUID().slice(0, 8)}`),
    invite: async (mobile, code) => world.invite(mobile, code),
    setConversation: async (chatId, row) => world.setConversation(CHANNEL, chatId, row),
    pointId: async (name) => world.pointIdOf(name),
    anotherInstance: async () => anotherInstance(),
    takeApplied() {
      const fresh = world.applied.slice(seen);
      seen = world.applied.length;
      return fresh;
    },
    conversation: async (chatId) => world.conversationOf(CHANNEL, chatId),
    counts: async () => ({ reports: world.reports.length, revisions: world.revisions.length, notices: world.notices.length }),
    async newestFigures(month) {
      const found = [...world.reports].filter((r) => !month || r.month === month).sort((a, b) => b.id - a.id)[0];
      if (!found) throw new Error(`no report${month ? ` of ${month}` : ''}`);
      return found.figures;
    },
    async newestNoticeId() {
      const last = world.notices.at(-1);
      if (!last) throw new Error('no notice');
      return last.id;
    },
    close: async () => undefined,
  };
}

async function onSqlite(): Promise<FixtureBot> {
  const applied: Effect[] = [];
  const bot = await createTestBot({
    provider: 'sqlite',
    now: NOW,
    wrapStore: (store) => ({
      ...store,
      commit: async (commit) => {
        await store.commit(commit);
        applied.push(...commit.effects);
      },
    }),
  });
  return {
    chat: (mobile) => bot.chat(mobile),
    async invite(mobile, code) {
      const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile } });
      const key = invitationKey();
      await bot.db.invitation.create({
        data: { contactId: contact.id, codeHash: hashCode(normaliseCode(code), key), hashKeyId: key.id, expiresAt: new Date(bot.clock.now().getTime() + INVITATION_VALID_DAYS * 86_400_000) },
      });
    },
    takeApplied: () => applied.splice(0),
    async setConversation(chatId, row) {
      await bot.db.conversation.upsert({ where: { channel_chatId: { channel: CHANNEL, chatId } }, create: { channel: CHANNEL, chatId, ...row }, update: row });
    },
    pointId: async (name) => (await bot.db.servicePoint.findFirstOrThrow({ where: { name } })).id,
    async anotherInstance() {
      const other = bot.restart();
      // a running instance has its connection open before the race
      await other.core.handleMessage({ channel: CHANNEL, chatId: 'another-chat', text: '/help' });
      return other.core;
    },
    conversation: (chatId) => bot.db.conversation.findUnique({ where: { channel_chatId: { channel: CHANNEL, chatId } }, select: { flow: true, step: true } }),
    counts: async () => ({ reports: await bot.db.monthlyReport.count(), revisions: await bot.db.monthlyReportRevision.count(), notices: await bot.db.notice.count() }),
    newestFigures: async (month) => (await bot.db.monthlyReport.findFirstOrThrow({ where: month ? { month } : {}, orderBy: { id: 'desc' } })).figures,
    newestNoticeId: async () => (await bot.db.notice.findFirstOrThrow({ orderBy: { id: 'desc' } })).id,
    close: () => bot.close(),
  };
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'dialogues');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

const textOf = (replies: Reply[]) => replies.map((r) => r.text).join('\n');

describe.each(files)('dialogue fixtures %s', (file) => {
  const fixture = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { cases: FixtureCase[] };
  describe.each([
    ['without a database', inMemory],
    ['on SQLite', onSqlite],
  ] as const)('%s', (_where, start) => {
    let bot: FixtureBot | null = null;
    afterEach(async () => {
      await bot?.close();
      bot = null;
    });

    it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      bot = await start();
      const chats = new Map<string, TestChat>();
      const chatOf = async (who: Who) => {
        if (!chats.has(who)) chats.set(who, await bot!.chat(who === 'stranger' ? undefined : DEMO[who]));
        return chats.get(who)!;
      };
      for (const invitation of testCase.invitations ?? []) await bot.invite(DEMO[invitation.for], invitation.code);
      if (testCase.conversation) {
        const { flow, step, state, choices = [] } = testCase.conversation;
        const resolved: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(state)) {
          resolved[key] = typeof value === 'string' && value.startsWith('$point:') ? await bot.pointId(value.slice('$point:'.length)) : value;
        }
        const chat = await chatOf(testCase.as);
        await bot.setConversation(chat.chatId, { flow, step, state: JSON.stringify(resolved), choices: JSON.stringify(choices) });
      }
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
        } else if (step.sendOnTwoInstances !== undefined) {
          const other = await bot!.anotherInstance();
          const both = await Promise.all([chat.send(step.sendOnTwoInstances), other.handleMessage({ channel: CHANNEL, chatId: chat.chatId, text: step.sendOnTwoInstances })]);
          replies = both.flat();
        } else if (step.sendNoticeCancel) {
          replies = await chat.send(`/notice cancel ${await bot!.newestNoticeId()}`);
        } else throw new Error(`step ${index} does nothing`);
        const where = `step ${index + 1} (${step.send ?? step.press ?? step.pressRemembered ?? step.sendOnTwoInstances ?? 'cancel'})`;
        const said = textOf(replies);
        const applied = bot!.takeApplied();
        for (const wanted of step.reply ?? []) expect(said, where).toContain(wanted);
        for (const unwanted of step.not ?? []) expect(said, where).not.toContain(unwanted);
        if (step.choices) expect(chat.offered?.map((c) => c.label), where).toEqual(step.choices);
        if (step.remember) remembered.set(step.remember, chat.offered);
        if (step.effects) {
          expect(applied.map((e) => e.kind), `${where}: effects`).toEqual(step.effects.map((e) => e['kind']));
          step.effects.forEach((wanted, i) => expect(applied[i], `${where}: effect ${i + 1}`).toMatchObject(wanted));
        }
        if (step.state) {
          const conversation = await bot!.conversation(chat.chatId);
          expect(conversation?.flow ?? null, `${where}: flow`).toBe(step.state.flow);
          if (step.state.step !== undefined) expect(conversation?.step ?? null, `${where}: step`).toBe(step.state.step);
        }
        const counts = step.reports !== undefined || step.revisions !== undefined || step.notices !== undefined ? await bot!.counts() : null;
        if (step.reports !== undefined) expect(counts!.reports, `${where}: reports`).toBe(step.reports);
        if (step.revisions !== undefined) expect(counts!.revisions, `${where}: revisions`).toBe(step.revisions);
        if (step.notices !== undefined) expect(counts!.notices, `${where}: notices`).toBe(step.notices);
        if (step.figure) {
          const figures = JSON.parse(await bot!.newestFigures(step.figure.month)) as Record<string, unknown>;
          expect(figures[step.figure.key], where).toBe(step.figure.value);
        }
      };
      for (const [i, step] of (testCase.before ?? []).entries()) await run(step, i);
      for (const [i, step] of testCase.steps.entries()) await run(step, i);
    });
  });
});
