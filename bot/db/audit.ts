// The one writer of AuditLog rows: every change a person or the command line makes is recorded
// here, as a statement the caller runs in the same transaction as the change itself.
import type { Statement } from './direct-sql.ts';

export interface AuditEntry {
  at: Date;
  /** the contact who acted, null for the command line and the system */
  actorContactId: number | null;
  /** "<channel>:<chat id>", "cli" or "system" */
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  detail?: Record<string, unknown>;
}

export function auditStatement(entry: AuditEntry): Statement {
  return {
    sql: 'INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail") VALUES (?, ?, ?, ?, ?, ?, ?)',
    params: [entry.at, entry.actorContactId, entry.actor, entry.action, entry.entity, entry.entityId, JSON.stringify(entry.detail ?? {})],
  };
}
