// The one writer of AuditLog rows: every change a person or the command line makes is recorded
// here, as a statement the caller runs in the same transaction as the change itself (or, where the
// change is a Prisma transaction, written on that transaction's client by writeAudit; or, in a bulk
// batch whose counts are known only at its end, written first and filled in last: auditFilledLater).
import { randomUUID } from 'node:crypto';
import type { SqlValue, Statement } from './direct-sql.ts';

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

const INSERT = 'INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail") VALUES (?, ?, ?, ?, ?, ?, ?)';

export function auditStatement(entry: AuditEntry): Statement {
  return { sql: INSERT, params: [entry.at, entry.actorContactId, entry.actor, entry.action, entry.entity, entry.entityId, JSON.stringify(entry.detail ?? {})] };
}

/** An SQL expression with the values of its `?` placeholders. */
export interface SqlExpression {
  sql: string;
  params: readonly SqlValue[];
}

/**
 * An audit row whose action, entity id and detail are SQL expressions over rows the batch wrote
 * before it (a report's id and revision, which its upsert decides), so the row needs no round trip
 * to learn them first.
 */
export function auditReadingStatement(entry: Omit<AuditEntry, 'action' | 'entityId' | 'detail'>, read: { action: SqlExpression; entityId: SqlExpression; detail: SqlExpression }): Statement {
  return {
    sql: `INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "entityId", "detail") VALUES (?, ?, ?, ${read.action.sql}, ?, ${read.entityId.sql}, ${read.detail.sql})`,
    params: [entry.at, entry.actorContactId, entry.actor, ...read.action.params, entry.entity, ...read.entityId.params, ...read.detail.params],
  };
}

/**
 * An audit row of a bulk batch whose detail is known only at its end (the counts of a directory
 * import): `insert` writes the row with a marker unique to it as the detail, `fill` then sets the
 * detail to a JSON text that an SQL expression of the batch computes (it must hold no `?`).
 */
export function auditFilledLater(entry: Omit<AuditEntry, 'detail'>): { insert: Statement; fill(detailSql: string): Statement } {
  const marker = JSON.stringify({ pending: randomUUID() });
  return {
    insert: { sql: INSERT, params: [entry.at, entry.actorContactId, entry.actor, entry.action, entry.entity, entry.entityId, marker] },
    fill: (detailSql) => ({ sql: `UPDATE "AuditLog" SET "detail" = ${detailSql} WHERE "action" = ? AND "at" = ? AND "detail" = ?`, params: [entry.action, entry.at, marker] }),
  };
}

/** The audit row as Prisma writes it, inside the caller's transaction. */
export async function writeAudit(client: { auditLog: { create(args: { data: AuditRow }): Promise<unknown> } }, entry: AuditEntry): Promise<void> {
  await client.auditLog.create({ data: auditRow(entry) });
}

interface AuditRow {
  at: Date;
  actorContactId: number | null;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  detail: string;
}

function auditRow(entry: AuditEntry): AuditRow {
  return { at: entry.at, actorContactId: entry.actorContactId, actor: entry.actor, action: entry.action, entity: entry.entity, entityId: entry.entityId, detail: JSON.stringify(entry.detail ?? {}) };
}
