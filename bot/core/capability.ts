// The contract between the core and every capability (bind, standards, report, notice, help...).
// A capability never imports grammY or Wechaty and never writes the database: it gets a
// CommandContext with read-only queries and returns an Outcome, replies plus typed effects that the
// core applies in one transaction (bot/core/effects.ts), as goflow's actions emit events.
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Clock } from '../time.ts';
import type { Dialogue } from './dialogue.ts';
import type { Queries } from './queries.ts';
import type { ChannelEffect, Effect, EffectResults } from './effects.ts';
import type { Actor, ChannelFact, Choice, IncomingMessage, PlatformFact, Reply, Role } from './types.ts';

type ReadMethod = 'findMany' | 'findFirst' | 'findUnique' | 'findUniqueOrThrow' | 'findFirstOrThrow' | 'count' | 'aggregate' | 'groupBy';
type ModelName = { [K in keyof Db]: K extends `$${string}` ? never : Db[K] extends { findMany: unknown } ? K : never }[keyof Db];

/** The Prisma client with only its read methods: a capability can look things up, never write. */
export type ReadDb = { readonly [K in ModelName]: Pick<Db[K], Extract<ReadMethod, keyof Db[K]>> } & Pick<Db, '$queryRaw'>;
/** DirectSql's reads (the hot and bulk SELECTs). */
export type ReadSql = Pick<DirectSql, 'provider' | 'query'>;

/** The dialogue state of one chat, persisted by the core (with the message's effects) after the handler returns. */
export interface ConversationHandle {
  readonly flow: string | null;
  readonly step: string | null;
  /** JSON-serialisable state owned by the flow */
  readonly state: Record<string, unknown>;
  /** start or move a dialogue: the next plain message of this chat goes to this flow */
  set(flow: string, step: string, state: Record<string, unknown>): void;
  /** end the dialogue */
  clear(): void;
}

export interface CommandContext {
  message: IncomingMessage;
  /** message text, trimmed, full-width ASCII folded to half-width */
  text: string;
  /** for a command: the text after the command word (trimmed); otherwise the same as text */
  args: string;
  /** for a picked choice: the part of its value after "<capability>:" */
  choice: string | null;
  actor: Actor;
  /** the reads a capability may make (bot/core/queries.ts); it never sees the database itself */
  queries: Queries;
  clock: Clock;
  log: Logger;
  conversation: ConversationHandle;
}

/** What a handler returns: replies alone, or effects for the core to apply and the replies once they are applied. */
export type Outcome = Reply[] | Effects;
export interface Effects {
  effects: Effect[];
  /** the replies, made from what applying the effects gave (a revision number, a notice id) */
  replies(results: EffectResults): Reply[];
  /**
   * the choices the replies will offer ([]: none), when that is known before the effects are
   * applied: the conversation, which keeps them, is then written with the effects in one round trip
   * instead of after their results (if the replies offer others after all, it is written again)
   */
  offers?: Choice[];
}

export function withEffects(effects: Effect[], replies: (results: EffectResults) => Reply[], offers?: Choice[]): Effects {
  return offers ? { effects, replies, offers } : { effects, replies };
}

/** Effects whose replies need nothing from them. */
export function withEffectsReplying(effects: Effect[], replies: Reply[]): Effects {
  return withEffects(effects, () => replies, offeredBy(replies));
}

/** The choices a message's replies offer: those of the last reply that has any. */
export function offeredBy(replies: readonly Reply[]): Choice[] {
  return [...replies].reverse().find((r) => r.choices?.length)?.choices ?? [];
}

/** The outcome with its replies reworded (a line added), offering the same choices. */
export function mapReplies(outcome: Outcome, reword: (replies: Reply[]) => Reply[]): Outcome {
  return isEffects(outcome) ? { ...outcome, replies: (results) => reword(outcome.replies(results)) } : reword(outcome);
}

export function isEffects(outcome: Outcome): outcome is Effects {
  return !Array.isArray(outcome);
}

export interface CommandSpec {
  /** the slash command without slash: "report" for /report */
  name: string;
  /** Chinese words that work like the command when a message starts with them: 月报 */
  aliases: string[];
  /** one line of help in Chinese */
  description: string;
  /** who may use it; others get a polite refusal saying what they can do instead */
  roles: readonly Role[];
  /** shown in /help and the Telegram command menu */
  listed?: boolean;
  attempts?: AttemptLimit;
  run(ctx: CommandContext): Promise<Outcome>;
}

/**
 * Attempts counted by the core before a command or a fact handler runs, across instances (guessing
 * invitation codes); over the limit, the refusal is the answer. A success gives its attempt back
 * (refundAttempt).
 */
export interface AttemptLimit {
  key(ctx: CommandContext): string;
  limit: number;
  windowMs: number;
  refusal: string;
}

type FactOf<K extends PlatformFact['kind']> = Extract<PlatformFact, { kind: K }>;

/** How a capability takes one kind of platform fact; the core routes a fact to the first handler that takes it. */
export type FactHandler = {
  [K in PlatformFact['kind']]: {
    kind: K;
    /** absent: every fact of the kind */
    takes?(fact: FactOf<K>): boolean;
    attempts?: AttemptLimit;
    handle(ctx: CommandContext, fact: FactOf<K>): Promise<Outcome>;
  };
}[PlatformFact['kind']];

/** What a capability gets for a fact about a whole channel: no chat, no actor, reads only. */
export interface ChannelFactContext {
  queries: Queries;
  clock: Clock;
  log: Logger;
}

export interface Capability {
  /** also the prefix of its choice values */
  name: string;
  commands?: CommandSpec[];
  /** dialogues this capability runs on the engine (bot/core/dialogue.ts), by their flow names */
  dialogues?: Dialogue<any>[];
  /** facts the platform vouches for in a chat (a shared phone number, a friend request) */
  facts?: FactHandler[];
  /** a fact about a whole channel (logged out): the effects the core applies; null: not for this capability */
  onChannelFact?(ctx: ChannelFactContext, fact: ChannelFact): Promise<ChannelEffect[] | null>;
  /** a choice "<name>:<rest>" was picked that is not a dialogue's; ctx.choice is <rest> */
  onChoice?(ctx: CommandContext): Promise<Outcome>;
  /**
   * Free text that is no command and no dialogue: how sure this capability is that the message is
   * for it (0 = not at all, 1 = certain). The highest score above 0 handles it.
   */
  recognize?(ctx: CommandContext): number | Promise<number>;
  handleText?(ctx: CommandContext): Promise<Outcome>;
}

export const ALL_ROLES: readonly Role[] = ['unknown', 'pointContact', 'townContact', 'operator'];
export const BOUND_ROLES: readonly Role[] = ['pointContact', 'townContact', 'operator'];
export const OPERATOR_ONLY: readonly Role[] = ['operator'];

export function text(t: string, extra: Omit<Reply, 'text'> = {}): Reply[] {
  return [{ text: t, ...extra }];
}
