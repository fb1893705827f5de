// Where a chat's dialogue stands, kept in the database so a restart or another instance continues it.
import { sqlOf, type Db } from '../db/client.ts';
import type { ConversationHandle } from '../../commands/capability.ts';
import type { ChannelName, Choice } from './types.ts';

/** A dialogue left alone this long is forgotten, so an old half-finished report does not surprise anyone. */
export const CONVERSATION_TTL_MS = 3 * 24 * 3600_000;

export interface LoadedConversation extends ConversationHandle {
  readonly choices: Choice[];
  offerChoices(choices: Choice[]): void;
  readonly dirty: boolean;
}

/** The Conversation columns a dialogue needs; the core reads them joined with the chat's identity. */
export interface ConversationRow {
  flow: string | null;
  step: string | null;
  state: string;
  choices: string;
  expiresAt: Date | null;
}

export async function loadConversation(db: Db, channel: ChannelName, chatId: string, now: Date): Promise<LoadedConversation> {
  const row = await db.conversation.findUnique({ where: { channel_chatId: { channel, chatId } }, select: { flow: true, step: true, state: true, choices: true, expiresAt: true } });
  return conversationFromRow(row, now);
}

/** A handle on a row already read (null: the chat has no conversation yet). */
export function conversationFromRow(row: ConversationRow | null, now: Date): LoadedConversation {
  const expired = row?.expiresAt ? row.expiresAt.getTime() < now.getTime() : false;
  let flow = expired ? null : (row?.flow ?? null);
  let step = expired ? null : (row?.step ?? null);
  let state: Record<string, unknown> = expired || !row ? {} : safeJson(row.state, {});
  let choices: Choice[] = expired || !row ? [] : safeJson(row.choices, []);
  let dirty = expired;
  return {
    get flow() {
      return flow;
    },
    get step() {
      return step;
    },
    get state() {
      return state;
    },
    get choices() {
      return choices;
    },
    get dirty() {
      return dirty;
    },
    set(newFlow, newStep, newState) {
      flow = newFlow;
      step = newStep;
      state = newState;
      dirty = true;
    },
    clear() {
      if (flow !== null || Object.keys(state).length) dirty = true;
      flow = null;
      step = null;
      state = {};
    },
    offerChoices(newChoices) {
      if (JSON.stringify(newChoices) !== JSON.stringify(choices)) dirty = true;
      choices = newChoices;
    },
  };
}

export async function saveConversation(db: Db, channel: ChannelName, chatId: string, conversation: LoadedConversation, now: Date): Promise<void> {
  if (!conversation.dirty) return;
  const data = {
    flow: conversation.flow,
    step: conversation.step,
    state: JSON.stringify(conversation.state),
    choices: JSON.stringify(conversation.choices),
    expiresAt: new Date(now.getTime() + CONVERSATION_TTL_MS),
  };
  // one statement on both databases (ON CONFLICT: SQLite 3.24+, PostgreSQL 9.5+), on the driver
  // (direct-sql.ts): it runs after most messages
  await sqlOf(db).execute(
    `INSERT INTO "Conversation" ("channel", "chatId", "flow", "step", "state", "choices", "updatedAt", "expiresAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT ("channel", "chatId") DO UPDATE SET
       "flow" = excluded."flow", "step" = excluded."step", "state" = excluded."state", "choices" = excluded."choices",
       "updatedAt" = excluded."updatedAt", "expiresAt" = excluded."expiresAt"`,
    [channel, chatId, data.flow, data.step, data.state, data.choices, now, data.expiresAt],
  );
}

/** Remembers choices sent proactively (a notice's 收到 button), so a WeChat "1" can be read as that choice. */
export async function rememberOfferedChoices(db: Db, channel: ChannelName, chatId: string, choices: Choice[], now: Date): Promise<void> {
  const existing = await db.conversation.findUnique({ where: { channel_chatId: { channel, chatId } }, select: { flow: true } });
  // a dialogue in progress owns the numbers; the person can still answer the notice with 收到
  if (existing?.flow) return;
  const data = { choices: JSON.stringify(choices), expiresAt: new Date(now.getTime() + CONVERSATION_TTL_MS) };
  await db.conversation.upsert({ where: { channel_chatId: { channel, chatId } }, create: { channel, chatId, ...data }, update: data });
}

function safeJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
