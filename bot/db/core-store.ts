// The core's storage on the database: a message's effects, the audit rows they imply and the chat's
// conversation are one batch of statements (one transaction), conditional on the conversation's version.
import { saveConversationStatement } from '../core/conversation.ts';
import { applyAfterBatch, channelEffectSteps, effectSteps, runsAfterBatch } from '../core/effects.ts';
import { resolveChat } from '../core/identity.ts';
import { countInWindow } from '../core/rate-limit.ts';
import type { CoreStore, MessageCommit } from '../core/store.ts';
import { sqlOf, targetOf, type Db } from './client.ts';
import type { Statement } from './direct-sql.ts';

export function databaseCoreStore(db: Db): CoreStore {
  const sql = sqlOf(db);
  async function commit({ effects, actor, now, conversation, results, finish, claim, offersKnown }: MessageCommit): Promise<void> {
    const save = () => saveConversationStatement(actor.channel, actor.chatId, conversation, now);
    if (effects.length === 0) {
      if (finish()) await sql.batch([save()]);
      return;
    }
    const bulk = effects.some(runsAfterBatch);
    if (bulk || offersKnown) {
      // the step is claimed with the effects (the conversation's version), in one round trip on
      // PostgreSQL; then the bulk work runs, then the replies are made
      claim();
      const claimed = save();
      await sql.batch([...(await effectSteps(effects, actor, now, db, results)), claimed]);
      if (bulk) await applyAfterBatch(effects, actor, now, db, targetOf(db), results);
      finish();
      const after = save();
      // saved again only when the replies changed what the claim saved (choices offered after an import)
      if (!sameSave(claimed, after)) await sql.batch([{ ...after, params: [...after.params!.slice(0, -1), conversation.version + 1] }]).catch(() => undefined);
      return;
    }
    await sql.batch([...(await effectSteps(effects, actor, now, db, results)), () => (finish() ? [save()] : [])]);
  }
  return {
    resolveChat: (channel, chatId, now, displayName) => resolveChat(db, channel, chatId, now, displayName),
    countAttempt: async (key, limit, windowMs, now) => (await countInWindow(db, key, limit, windowMs, now)).allowed,
    commit,
    async commitChannelEffects(effects, who, results) {
      await sql.batch(channelEffectSteps(effects, who, results));
    },
  };
}

/** Two saves of one conversation that write the same row (the version they are conditional on aside). */
function sameSave(a: Statement, b: Statement): boolean {
  return JSON.stringify(a.params!.slice(0, -1)) === JSON.stringify(b.params!.slice(0, -1));
}
