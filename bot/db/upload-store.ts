// Files sent in a chat for import (the directory, the rules table) while they wait for the
// operator's 确认导入: a table of their own, up to 2 MB a row, instead of the conversation row that
// every message of the chat rewrites. Statements for the core's batch (bot/core/effects.ts), so a
// file is kept, or let go, in the same transaction as the conversation that names it.
import type { ChannelName } from '../core/types.ts';
import type { Statement } from './direct-sql.ts';

/** A file waits this long for its answer; one confirmed later is asked for again. */
export const PENDING_UPLOAD_TTL_MS = 24 * 3600_000;

export interface PendingUploadInput {
  /** chosen by the capability (randomUUID), so the conversation can name it in the same batch */
  id: string;
  filename: string;
  content: Uint8Array;
  fingerprint: string;
}

/** Keeps a file for the chat; the chat's earlier file and every file older than a day go. */
export function keepUploadSteps(channel: ChannelName, chatId: string, upload: PendingUploadInput, now: Date): Statement[] {
  return [
    {
      sql: 'DELETE FROM "PendingUpload" WHERE "createdAt" < ? OR ("channel" = ? AND "chatId" = ?)',
      params: [new Date(now.getTime() - PENDING_UPLOAD_TTL_MS), channel, chatId],
    },
    {
      sql: 'INSERT INTO "PendingUpload" ("id", "channel", "chatId", "filename", "content", "fingerprint", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
      params: [upload.id, channel, chatId, upload.filename, upload.content, upload.fingerprint, now],
    },
  ];
}

/** Lets a chat's file go: imported, or given up. */
export function discardUploadStatement(channel: ChannelName, chatId: string, uploadId: string): Statement {
  return { sql: 'DELETE FROM "PendingUpload" WHERE "id" = ? AND "channel" = ? AND "chatId" = ?', params: [uploadId, channel, chatId] };
}
