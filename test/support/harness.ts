// Drives the real core (identity, roles, conversation state, choice mapping, every capability)
// on a fresh database with the demo directory, as the console channel does. Tests talk to it as
// the people in the directory: bot.chat('13800002101').send('本月无新增').
import { randomUUID } from 'node:crypto';
import type { Provider, Db } from '../../bot/db/client.ts';
import { createCore, type Core, type CoreServices } from '../../bot/core/pipeline.ts';
import type { CoreStore } from '../../bot/core/store.ts';
import { databaseCoreStore } from '../../bot/db/core-store.ts';
import { databaseQueries } from '../../bot/db/queries.ts';
import { createCapabilities } from '../../commands/index.ts';
import { consoleChatFor } from '../../bot/channels/console.ts';
import { ManualClock } from '../../bot/time.ts';
import { silentLogger } from '../../bot/logger.ts';
import { readTable } from '../../bot/spreadsheet.ts';
import { parseDirectoryTable, type DirectoryRow } from '../../commands/directory/rows.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { DEMO_DIRECTORY } from '../../bot/db/cli.ts';
import type { ChannelName, Reply } from '../../bot/core/types.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { invitationKeyFrom, useInvitationKey } from '../../commands/directory/invitation-key.ts';

/** the invitation secret of every test bot (the entry points load theirs at start-up) */
export const TEST_INVITATION_SECRET = 'test-invitation-secret-0123456789abcdef';
useInvitationKey(invitationKeyFrom(TEST_INVITATION_SECRET));

/** Mobile numbers of the demo directory (prisma/seed/demo-directory.csv). */
export const DEMO = {
  operator: '13800000001',
  operator2: '13800000002',
  guanchengTown: '13800001001',
  guanchengVillage1: '13800001101',
  guanchengVillage2: '13800001102',
  shilongTown: '13800002001',
  shilongVillage1: '13800002101',
  shilongVillage2: '13800002102',
  shilongSchool: '13800002201',
  humenTown: '13800003001',
  humenVillage: '13800003101',
  humenEnterprise: '13800003301',
} as const;

export interface TestChat {
  chatId: string;
  send(text: string): Promise<Reply[]>;
  pick(choiceValue: string): Promise<Reply[]>;
  /** presses the button with this label among those the bot offered last (a dialogue's choices carry their draft and step) */
  choose(label: string): Promise<Reply[]>;
  /** the choices the bot offered last in this chat */
  readonly offered: Reply['choices'];
  /** the text of all replies to one message, joined, for assertions */
  say(text: string): Promise<string>;
}

export interface TestBot {
  db: Db;
  clock: ManualClock;
  core: Core;
  testDatabase: TestDatabase;
  chat(mobile?: string, channel?: ChannelName): Promise<TestChat>;
  /** a core on a second client of the same database: a restart, or another instance */
  restart(): TestBot;
  importDirectory(rows: DirectoryRow[]): Promise<void>;
  close(): Promise<void>;
}

export async function demoDirectoryRows(): Promise<DirectoryRow[]> {
  const parsed = parseDirectoryTable(await readTable(DEMO_DIRECTORY));
  if (!parsed.ok) throw new Error(`demo directory is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.rows;
}

/** A person writing in one chat of a core, remembering the choices offered last. */
export function chatOn(core: Pick<Core, 'handleMessage'>, channel: ChannelName, chatId: string): TestChat {
  let offered: Reply['choices'] = [];
  const remember = (replies: Reply[]) => {
    const last = [...replies].reverse().find((r) => r.choices?.length)?.choices;
    offered = last ?? [];
    return replies;
  };
  const send = async (text: string) => remember(await core.handleMessage({ channel, chatId, text }));
  const pick = async (choice: string) => remember(await core.handleMessage({ channel, chatId, choice }));
  return {
    chatId,
    send,
    pick,
    async choose(label: string) {
      const choice = offered?.find((c) => c.label === label);
      if (!choice) throw new Error(`no choice “${label}” among ${JSON.stringify(offered?.map((c) => c.label))}`);
      return pick(choice.value);
    },
    get offered() {
      return offered;
    },
    say: async (text: string) => (await send(text)).map((r) => r.text).join('\n'),
  };
}

/** the core's storage as the test sees it: the database's, or a wrapper around it (recording the effects applied) */
type StoreWrapper = (store: CoreStore) => CoreStore;

function wrap(testDatabase: TestDatabase, db: Db, clock: ManualClock, services?: Partial<CoreServices>, wrapStore?: StoreWrapper): TestBot {
  const deps = { clock, log: silentLogger, capabilities: createCapabilities(), ...(services ? { services } : {}) };
  const core = createCore(wrapStore ? { ...deps, store: wrapStore(databaseCoreStore(db)), queries: databaseQueries(db) } : { ...deps, db });
  const bot: TestBot = {
    db,
    clock,
    core,
    testDatabase,
    async chat(mobile, channel = 'console') {
      const chatId = mobile ? (channel === 'console' ? await consoleChatFor(db, clock, mobile) : await bindOther(db, channel, mobile, clock.now())) : `anon-${randomUUID().slice(0, 8)}`;
      return chatOn(core, channel, chatId);
    },
    restart() {
      return wrap(testDatabase, testDatabase.reopen().db, clock, services, wrapStore);
    },
    async importDirectory(rows) {
      // listed at the test's own time: a point's year-to-date figures count from its listing
      await applyDirectoryImport(db, rows, 'test', null, clock.now());
    },
    close: () => testDatabase.drop(),
  };
  return bot;
}

async function bindOther(db: Db, channel: ChannelName, mobile: string, now: Date): Promise<string> {
  const contact = await db.contact.findUniqueOrThrow({ where: { mobile } });
  const chatId = `${channel}-${mobile}`;
  await db.channelIdentity.upsert({
    where: { channel_externalId: { channel, externalId: chatId } },
    create: { channel, externalId: chatId, contactId: contact.id, boundAt: now, lastSeenAt: now },
    update: { contactId: contact.id },
  });
  return chatId;
}

export async function createTestBot(options: { provider: Provider; now?: string; directory?: DirectoryRow[] | false; services?: Partial<CoreServices>; wrapStore?: StoreWrapper }): Promise<TestBot> {
  const testDatabase = await createTestDatabase(options.provider);
  const clock = new ManualClock(options.now ?? '2026-11-02T02:00:00Z');
  const bot = wrap(testDatabase, testDatabase.db, clock, options.services, options.wrapStore);
  if (options.directory !== false) await bot.importDirectory(options.directory ?? (await demoDirectoryRows()));
  return bot;
}

/** The value of the choice with this label among the last choices in replies (dialogue choices carry their draft and step). */
export function choiceLabelled(replies: Reply[], label: string): string {
  const choices = [...replies].reverse().find((r) => r.choices?.length)?.choices ?? [];
  const choice = choices.find((c) => c.label === label);
  if (!choice) throw new Error(`no choice “${label}” among ${JSON.stringify(choices.map((c) => c.label))}`);
  return choice.value;
}
