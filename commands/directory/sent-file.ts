// A file sent in the chat for import (the directory, the rules table) waits for 确认导入 in a row
// of its own (bot/db/upload-store.ts), kept and let go by effects; the dialogue's state only names
// it, so the conversation row every message rewrites stays small. A state saved by an older
// version of the bot held the file itself, base64: it is still read.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { withEffectsReplying, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import type { Reply } from '../../bot/core/types.ts';
import type { Effect } from '../../bot/core/effects.ts';
import type { Dialogue } from '../../bot/core/dialogue.ts';

export const SentFile = z.union([
  z.object({ filename: z.string(), uploadId: z.string(), fingerprint: z.string(), planText: z.string() }),
  z.object({ filename: z.string(), content: z.string(), fingerprint: z.string(), planText: z.string() }),
]);
export type SentFile = z.infer<typeof SentFile>;

/** The state naming a file, and the effect that keeps it until the answer. */
export function keepSentFile(filename: string, content: Uint8Array, fingerprint: string, planText: string): { state: SentFile; effect: Effect } {
  const id = randomUUID();
  return { state: { filename, uploadId: id, fingerprint, planText }, effect: { kind: 'keepUpload', upload: { id, filename, content, fingerprint } } };
}

/** The waiting file's bytes, through the handler's read-only queries; null when it is gone (older than a day). */
export async function sentFileContent(ctx: CommandContext, file: SentFile): Promise<Uint8Array | null> {
  if ('content' in file) return Buffer.from(file.content, 'base64');
  return ctx.queries.directory.waitingFile(ctx.actor.channel, ctx.actor.chatId, file.uploadId);
}

export const uploadIdOf = (file: SentFile): string | null => ('uploadId' in file ? file.uploadId : null);

/** The effects letting the file go, when the import is given up. */
export const discardSentFile = (file: SentFile): Effect[] => ('uploadId' in file ? [{ kind: 'discardUpload', uploadId: file.uploadId }] : []);

/** What to say when the file waited too long: it was deleted, so it must be sent again. */
export const sentFileGone = (what: string): Reply[] => [{ text: `等待导入的文件已超过一天，已经删除，${what}没有任何改动。请重新发送文件，看过预览后再确认。` }];

/** An outcome with effects applied before its own. */
export function alsoApplying(effects: Effect[], outcome: Outcome): Outcome {
  if (Array.isArray(outcome)) return withEffectsReplying(effects, outcome);
  return { ...outcome, effects: [...effects, ...outcome.effects] };
}

/**
 * The dialogue of a file an operator sent for import: no questions, only the read-back (the plan),
 * confirmed with 确认导入; cancelling lets the file go. `what` names the table (名录, 规则表).
 */
export function sentFileDialogue(name: string, what: string, confirm: Dialogue<SentFile>['confirm']): Dialogue<SentFile> {
  return {
    name,
    schema: SentFile,
    steps: [],
    confirmLabel: '确认导入',
    changeable: false,
    replacedBySentFile: true,
    summary: (pending) => pending.planText,
    restartHint: `请重新发送${what}文件。`,
    allowed: (ctx) => ctx.actor.role === 'operator',
    confirm,
    cancelled: () => `已取消，${what}没有任何改动。`,
    cancelEffects: discardSentFile,
  };
}
