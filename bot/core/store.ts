// What the core needs of its storage: who a chat is and where its dialogue stands, attempt counters
// shared by every instance, and applying one message's effects with its conversation in one
// transaction. The database implements it (bot/db/core-store.ts); a dialogue fixture implements it
// in memory (test/support/fixture-world.ts).
import type { ConversationRow, LoadedConversation } from './conversation.ts';
import type { ChannelEffect, Effect, EffectResults } from './effects.ts';
import type { AuditEntry } from '../db/audit.ts';
import type { Actor, ChannelName } from './types.ts';

export interface MessageCommit {
  effects: readonly Effect[];
  actor: Actor;
  now: Date;
  conversation: LoadedConversation;
  /** filled in as the effects are applied, for the replies */
  results: EffectResults;
  /** makes the replies from the results and offers their choices; true: the conversation is saved */
  finish(): boolean;
  /**
   * the replies' choices are known before the effects are applied (Effects.offers): the
   * conversation may be written with the effects, before finish()
   */
  offersKnown: boolean;
  /**
   * before the effects' results are known (bulk work after the transaction, or offersKnown): the step
   * is claimed with the conversation as it stands and the choices declared
   */
  claim(): void;
}

/** A chat as read at the start of each message. */
export interface ResolvedChat {
  actor: Actor;
  conversation: ConversationRow | null;
  /** the command menu a channel last set for the chat, as its digest (ChannelIdentity.menuDigest); null: none */
  menuDigest: string | null;
  /** the chat's lastSeenAt being written, when it was due; awaited before anything is committed */
  touched?: Promise<unknown> | null;
}

export interface CoreStore {
  /** the chat's identity (created on its first message), its contact, and its conversation */
  resolveChat(channel: ChannelName, chatId: string, now: Date, displayName?: string): Promise<ResolvedChat>;
  /** counts one attempt under `key`; false when it is over `limit` in the window */
  countAttempt(key: string, limit: number, windowMs: number, now: Date): Promise<boolean>;
  /**
   * Applies a message's effects and saves its conversation, conditional on the version read with
   * the message, in one transaction. Throws ConflictError when another message took the step.
   */
  commit(commit: MessageCommit): Promise<void>;
  /** effects of a fact about a whole channel, in one transaction */
  commitChannelEffects(effects: readonly ChannelEffect[], who: Omit<AuditEntry, 'action' | 'entity' | 'entityId' | 'detail'>, results: EffectResults): Promise<void>;
}
