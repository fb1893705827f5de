// Where a chat's dialogue stands, kept in the database so a restart or another instance continues
// it. Each save increments the row's version and is conditional on the version read with the
// message: when two instances handle the same chat's message at once, the second save fails, and
// with it every effect of that message (they are one batch, see pipeline.ts).
import { sqlOf, type Db } from '../db/client.ts';
import type { Statement } from '../db/direct-sql.ts';
import type { ConversationHandle } from './capability.ts';
import type { ChannelName, Choice } from './types.ts';

/** A dialogue left alone this long is forgotten, so an old half-finished report does not surprise anyone. */
export const CONVERSATION_TTL_MS = 3 * 24 * 3600_000;

export interface LoadedConversation extends ConversationHandle {
  readonly choices: Choice[];
  offerChoices(choices: Choice[]): void;
  readonly dirty: boolean;
  /** the version read with the message (0: no row yet) */
  readonly version: number;
  /** the flow of a dialogue that had expired when this message arrived */
  readonly expiredFlow: string | null;
}

/** The Conversation columns a dialogue needs; the core reads them joined with the chat's identity. */
export interface ConversationRow {
  flow: string | null;
  step: string | null;
  state: string;
  choices: string;
  expiresAt: Date | null;
  version: number;
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
    version: row?.version ?? 0,
    expiredFlow: expired ? (row?.flow ?? null) : null,
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
      if (!sameChoices(newChoices, choices)) dirty = true;
      choices = newChoices;
    },
  };
}

/**
 * The save of a conversation as one statement (ON CONFLICT: SQLite 3.24+, PostgreSQL 9.5+), for the
 * message's batch; it changes no row, and so fails the batch, when another save came first.
 */
export function saveConversationStatement(channel: ChannelName, chatId: string, conversation: LoadedConversation, now: Date): Statement {
  return {
    sql: `INSERT INTO "Conversation" ("channel", "chatId", "flow", "step", "state", "choices", "updatedAt", "expiresAt", "version")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT ("channel", "chatId") DO UPDATE SET
       "flow" = excluded."flow", "step" = excluded."step", "state" = excluded."state", "choices" = excluded."choices",
       "updatedAt" = excluded."updatedAt", "expiresAt" = excluded."expiresAt", "version" = "Conversation"."version" + 1
     WHERE "Conversation"."version" = ?`,
    params: [
      channel,
      chatId,
      conversation.flow,
      conversation.step,
      JSON.stringify(conversation.state),
      JSON.stringify(conversation.choices),
      now,
      new Date(now.getTime() + CONVERSATION_TTL_MS),
      conversation.version,
    ],
    expectChanges: 1,
  };
}

/**
 * Remembers choices sent proactively (a notice's 收到 button), so a WeChat "1" can be read as that
 * choice; a dialogue in progress owns the numbers (the person can still answer the notice with 收到).
 */
export async function rememberOfferedChoices(db: Db, channel: ChannelName, chatId: string, choices: Choice[], now: Date): Promise<void> {
  await sqlOf(db).execute(
    `INSERT INTO "Conversation" ("channel", "chatId", "state", "choices", "updatedAt", "expiresAt", "version") VALUES (?, ?, '{}', ?, ?, ?, 0)
     ON CONFLICT ("channel", "chatId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt", "expiresAt" = excluded."expiresAt"
     WHERE "Conversation"."flow" IS NULL`,
    [channel, chatId, JSON.stringify(choices), now, new Date(now.getTime() + CONVERSATION_TTL_MS)],
  );
}

function sameChoices(a: readonly Choice[], b: readonly Choice[]): boolean {
  return a.length === b.length && a.every((choice, i) => choice.label === b[i]!.label && choice.value === b[i]!.value);
}

function safeJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
