// The directory aggregate's writes: a directory file imported (runDirectoryImport, for the command
// line and the chat's importDirectory effect), or rows in memory (applyDirectoryImport). Re-importing
// updates in place: points are matched by (镇街, 服务点), contacts by mobile number (one without a
// mobile by its point and name), so chat bindings survive; whatever the new file no longer lists is
// deactivated, never deleted (reports and history keep it).
// A contact whose name changes, or whose point's level gives it other rights in the chat (a village
// contact's number now listed for the 市支中心), is another person to the bot: its chats are unbound
// and its unused invitation codes expire, so an old chat never keeps the number's new rights.
//
// The directory may hold 100,000 points and 200,000 contacts. The rows are staged, while the file is
// read, in temporary tables of a connection of its own (openDirectSql). `plan` then reads from them,
// without writing, what the import would do per town; `apply` changes the directory by set-based
// statements joining them, in one batch: one transaction, which on SQLite runs without a pause
// (nothing else in the process can slip into it, and the write lock is held for the statements
// only). So neither the rows nor the existing directory are ever held in memory, and nothing is
// written to the directory before the whole file is known good. The SQL is the same on SQLite and
// PostgreSQL (see bot/db/direct-sql.ts).
import { importDecision, needsConfirmation, planFingerprint, type ImportMode } from '../../commands/directory/plan.ts';
import { DirectoryValidator, notePoint, type DirectoryRow, type FilePoint, type RowProblem } from '../../commands/directory/rows.ts';
import { SpreadsheetError, openTable, type TableReading, type TableSource } from '../spreadsheet.ts';
import { auditFilledLater } from './audit.ts';
import type { Db } from './client.ts';
import { openDirectSql, type DirectSql, type Row, type Statement } from './direct-sql.ts';
import type { DatabaseTarget } from './target.ts';

export interface ImportSummary {
  points: { created: number; updated: number; deactivated: number; total: number };
  contacts: { created: number; updated: number; deactivated: number; total: number };
  /** contacts that were another person or got other rights, and had a chat bound: now unbound */
  unbound: number;
}

export interface ImportActor {
  actor: string;
  actorContactId: number | null;
  now: Date;
}

type Changes = { created: number; updated: number; deactivated: number };

/** A contact of the directory that the file gives to another person, or other rights. */
export interface Rebinding {
  mobile: string | null;
  before: { name: string; town: string; point: string; level: string };
  after: { name: string; town: string; point: string; level: string };
  /** chats bound to it now, which the import unbinds */
  chats: number;
}

/** What an import would do, read before anything is written. */
export interface ImportPlan {
  summary: Omit<ImportSummary, 'unbound'>;
  towns: { town: string; points: Changes; contacts: Changes }[];
  activeContacts: number;
  /** towns with active points now and none in the file */
  townsGone: string[];
  rebindings: Rebinding[];
}

// rows per INSERT: 500 rows x 8 parameters stays under SQLite's 32,766 and PostgreSQL's 65,535
const CHUNK = 500;
const POINTS = '"gxgc_import_point"';
const CONTACTS = '"gxgc_import_contact"';
/** each staged contact's existing contact (null: new), and once the points are written, its point */
const MATCH = '"gxgc_import_match"';
/** existing contacts the file gives to another person or other rights */
const REBIND = '"gxgc_import_rebind"';
/** the summary's counts, one row for the points and one for the contacts, taken before their writes */
const COUNTS = '"gxgc_import_count"';
const TEMPORARY = [CONTACTS, POINTS, MATCH, REBIND, COUNTS];

const values = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${Array(columns).fill('?').join(', ')})`).join(', ');

/** what a point's level lets its contacts do in the chat (bot/domain.ts roleOfPointLevel) */
const tier = (level: string) => `(CASE ${level} WHEN 'subCenter' THEN 0 WHEN 'town' THEN 1 ELSE 2 END)`;

const MATCH_CONTACTS = [
  `DELETE FROM ${MATCH}`,
  `INSERT INTO ${MATCH} ("seq", "contactId") SELECT c."seq", k."id" FROM ${CONTACTS} c LEFT JOIN "Contact" k ON k."mobile" = c."mobile"
    WHERE c."mobile" IS NOT NULL`,
  // a contact without a mobile is its point's contact of that name (few: a lookup each)
  `INSERT INTO ${MATCH} ("seq", "contactId") SELECT c."seq", (SELECT MIN(k."id") FROM "Contact" k JOIN "ServicePoint" o ON o."id" = k."servicePointId"
      WHERE o."town" = c."town" AND o."name" = c."point" AND k."mobile" IS NULL AND k."name" = c."name")
    FROM ${CONTACTS} c WHERE c."mobile" IS NULL`,
];

const REBIND_CONTACTS = [
  `DELETE FROM ${REBIND}`,
  `INSERT INTO ${REBIND} ("contactId", "seq") SELECT k."id", c."seq" FROM ${MATCH} m
    JOIN ${CONTACTS} c ON c."seq" = m."seq" JOIN ${POINTS} w ON w."town" = c."town" AND w."name" = c."point"
    JOIN "Contact" k ON k."id" = m."contactId" JOIN "ServicePoint" o ON o."id" = k."servicePointId"
    WHERE k."name" <> c."name" OR ${tier('o."level"')} <> ${tier('w."level"')}`,
];

const POINT_COUNTS = `INSERT INTO ${COUNTS} ("kind", "total", "created", "updated", "deactivated") SELECT 'points',
    (SELECT COUNT(*) FROM ${POINTS}),
    (SELECT COUNT(*) FROM ${POINTS} w WHERE NOT EXISTS (SELECT 1 FROM "ServicePoint" p WHERE p."town" = w."town" AND p."name" = w."name")),
    (SELECT COUNT(*) FROM ${POINTS} w JOIN "ServicePoint" p ON p."town" = w."town" AND p."name" = w."name"
      WHERE p."level" <> w."level" OR p."isPartyEducationPoint" <> w."party" OR p."active" = FALSE),
    (SELECT COUNT(*) FROM "ServicePoint" p WHERE p."active" = TRUE
      AND NOT EXISTS (SELECT 1 FROM ${POINTS} w WHERE w."town" = p."town" AND w."name" = p."name"))`;

const POINT_WRITES = [
  // new points in the order the file lists them (the newest town point of a town is its parent)
  `INSERT INTO "ServicePoint" ("town", "name", "level", "isPartyEducationPoint", "active", "createdAt", "updatedAt")
    SELECT w."town", w."name", w."level", w."party", TRUE, ?, ? FROM ${POINTS} w
    WHERE NOT EXISTS (SELECT 1 FROM "ServicePoint" p WHERE p."town" = w."town" AND p."name" = w."name")
    ORDER BY w."seq"`,
  // points whose level or flag changed, or that come back
  `UPDATE "ServicePoint" AS p SET "level" = w."level", "isPartyEducationPoint" = w."party", "active" = TRUE, "updatedAt" = ?
    FROM ${POINTS} w
    WHERE p."town" = w."town" AND p."name" = w."name" AND (p."level" <> w."level" OR p."isPartyEducationPoint" <> w."party" OR p."active" = FALSE)`,
  `UPDATE "ServicePoint" AS p SET "active" = FALSE, "updatedAt" = ?
    WHERE p."active" = TRUE AND NOT EXISTS (SELECT 1 FROM ${POINTS} w WHERE w."town" = p."town" AND w."name" = p."name")`,
];

// hierarchy: every active village, school and enterprise point belongs to its town's town-level
// point (the newest one, should a town list two). UPDATE ... FROM a grouped table of the town
// points: a correlated subquery per point took 51 s on PostgreSQL.
const HIERARCHY = [
  `UPDATE "ServicePoint" SET "parentId" = NULL
    WHERE "active" = TRUE AND "level" IN ('town', 'subCenter', 'townCultureCenter') AND "parentId" IS NOT NULL`,
  `UPDATE "ServicePoint" AS p SET "parentId" = t."id"
    FROM (SELECT "town" AS town, MAX("id") AS id FROM "ServicePoint" WHERE "level" = 'town' AND "active" = TRUE GROUP BY "town") AS t
    WHERE p."town" = t.town AND p."active" = TRUE AND p."level" NOT IN ('town', 'subCenter', 'townCultureCenter') AND (p."parentId" IS NULL OR p."parentId" <> t."id")`,
  `UPDATE "ServicePoint" AS p SET "parentId" = NULL
    WHERE p."active" = TRUE AND p."level" NOT IN ('town', 'subCenter', 'townCultureCenter') AND p."parentId" IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM "ServicePoint" t WHERE t."town" = p."town" AND t."level" = 'town' AND t."active" = TRUE)`,
];

/** once the points are written: the point of each staged contact */
const MATCH_POINTS = `UPDATE ${MATCH} AS m SET "pointId" = x."id"
  FROM (SELECT c."seq", p."id" FROM ${CONTACTS} c JOIN "ServicePoint" p ON p."town" = c."town" AND p."name" = c."point") x
  WHERE m."seq" = x."seq"`;

/** a staged contact with its point and the existing contact it updates (null: a new one) */
const STAGED = `SELECT m."seq", m."contactId", m."pointId", c."mobile", c."name", c."role", c."landline", c."email"
  FROM ${MATCH} m JOIN ${CONTACTS} c ON c."seq" = m."seq"`;
const CONTACT_CHANGED = `(k."servicePointId" <> x."pointId" OR k."name" <> x."name" OR k."role" <> x."role" OR k."email" IS DISTINCT FROM x."email"
  OR k."landline" IS DISTINCT FROM x."landline" OR k."active" = FALSE)`;
const NOT_LISTED = `k."active" = TRUE AND NOT EXISTS (SELECT 1 FROM ${MATCH} m WHERE m."contactId" = k."id")`;

const CONTACT_COUNTS = [
  `INSERT INTO ${COUNTS} ("kind", "total", "created", "updated", "deactivated") SELECT 'contacts',
    (SELECT COUNT(*) FROM ${CONTACTS}),
    (SELECT COUNT(*) FROM ${MATCH} WHERE "contactId" IS NULL),
    (SELECT COUNT(*) FROM (${STAGED}) x JOIN "Contact" k ON k."id" = x."contactId" WHERE ${CONTACT_CHANGED}),
    (SELECT COUNT(*) FROM "Contact" k WHERE ${NOT_LISTED})`,
  `INSERT INTO ${COUNTS} ("kind", "total", "created", "updated", "deactivated") SELECT 'unbound',
    (SELECT COUNT(*) FROM ${REBIND} r WHERE EXISTS (SELECT 1 FROM "ChannelIdentity" i WHERE i."contactId" = r."contactId")), 0, 0, 0`,
];

const UNBIND = [
  `UPDATE "ChannelIdentity" SET "contactId" = NULL, "boundAt" = NULL WHERE "contactId" IN (SELECT "contactId" FROM ${REBIND})`,
  // a code handed to the number's former holder must not bind the new one
  `UPDATE "Invitation" SET "expiresAt" = ? WHERE "usedAt" IS NULL AND "expiresAt" > ? AND "contactId" IN (SELECT "contactId" FROM ${REBIND})`,
];

// The audit row is the batch's first statement: on SQLite a write first takes the write lock before
// anything is read, so a writer committing meanwhile cannot make the batch fail halfway (a
// transaction that reads and then writes could not wait for it). Its detail, the summary as
// JSON.stringify would write it, is filled in at the end from the counts table.
const count = (kind: string, key: string) => `(SELECT "${key}" FROM ${COUNTS} WHERE "kind" = '${kind}')`;
const AUDIT_DETAIL = `'{' || ${['points', 'contacts']
  .map((kind) => `'"${kind}":{' || ${['created', 'updated', 'deactivated', 'total'].map((key) => `'"${key}":' || ${count(kind, key)}`).join(` || ',' || `)} || '}'`)
  .join(` || ',' || `)} || ',"unbound":' || ${count('unbound', 'total')} || '}'`;

const CONTACT_WRITES = [
  // a changed contact keeps its row, and so its chat bindings (unless unbound above)
  `UPDATE "Contact" AS k SET "servicePointId" = x."pointId", "name" = x."name", "role" = x."role", "email" = x."email", "landline" = x."landline",
      "active" = TRUE, "updatedAt" = ?
    FROM (${STAGED}) x
    WHERE k."id" = x."contactId" AND ${CONTACT_CHANGED}`,
  // another person's preferred channel means nothing for the new one
  `UPDATE "Contact" SET "preferredChannel" = NULL WHERE "preferredChannel" IS NOT NULL AND "id" IN (SELECT "contactId" FROM ${REBIND})`,
  // before the new contacts are written: they are in no match row
  `UPDATE "Contact" AS k SET "active" = FALSE, "updatedAt" = ? WHERE ${NOT_LISTED}`,
  `INSERT INTO "Contact" ("servicePointId", "name", "role", "mobile", "landline", "email", "active", "createdAt", "updatedAt")
    SELECT x."pointId", x."name", x."role", x."mobile", x."landline", x."email", TRUE, ?, ? FROM (${STAGED}) x
    WHERE x."contactId" IS NULL
    ORDER BY x."seq"`,
];

/** the 企业微信账号 column, when the file has it (not counted in the summary's "updated") */
const WECOM_WRITE = `UPDATE "Contact" AS k SET "wecomUserId" = c."wecom", "updatedAt" = ?
    FROM ${CONTACTS} c WHERE c."mobile" IS NOT NULL AND k."mobile" = c."mobile" AND k."wecomUserId" IS DISTINCT FROM c."wecom"`;

// What the plan reads, per town; every query is read-only
const PLAN_TOWNS = `
  SELECT w."town" AS town, 'points' AS kind, 'created' AS change, COUNT(*) AS n FROM ${POINTS} w
    WHERE NOT EXISTS (SELECT 1 FROM "ServicePoint" p WHERE p."town" = w."town" AND p."name" = w."name") GROUP BY w."town"
  UNION ALL SELECT w."town", 'points', 'updated', COUNT(*) FROM ${POINTS} w JOIN "ServicePoint" p ON p."town" = w."town" AND p."name" = w."name"
    WHERE p."level" <> w."level" OR p."isPartyEducationPoint" <> w."party" OR p."active" = FALSE GROUP BY w."town"
  UNION ALL SELECT p."town", 'points', 'deactivated', COUNT(*) FROM "ServicePoint" p WHERE p."active" = TRUE
    AND NOT EXISTS (SELECT 1 FROM ${POINTS} w WHERE w."town" = p."town" AND w."name" = p."name") GROUP BY p."town"
  UNION ALL SELECT c."town", 'contacts', 'created', COUNT(*) FROM ${MATCH} m JOIN ${CONTACTS} c ON c."seq" = m."seq"
    WHERE m."contactId" IS NULL GROUP BY c."town"
  UNION ALL SELECT c."town", 'contacts', 'updated', COUNT(*) FROM ${MATCH} m JOIN ${CONTACTS} c ON c."seq" = m."seq"
    JOIN "Contact" k ON k."id" = m."contactId" JOIN "ServicePoint" o ON o."id" = k."servicePointId"
    WHERE o."town" <> c."town" OR o."name" <> c."point" OR k."name" <> c."name" OR k."role" <> c."role" OR k."email" IS DISTINCT FROM c."email"
      OR k."landline" IS DISTINCT FROM c."landline" OR k."active" = FALSE
    GROUP BY c."town"
  UNION ALL SELECT o."town", 'contacts', 'deactivated', COUNT(*) FROM "Contact" k JOIN "ServicePoint" o ON o."id" = k."servicePointId"
    WHERE ${NOT_LISTED} GROUP BY o."town"`;
const PLAN_TOTALS = `SELECT (SELECT COUNT(*) FROM "Contact" WHERE "active" = TRUE) AS "activeContacts",
  (SELECT COUNT(*) FROM ${POINTS}) AS points, (SELECT COUNT(*) FROM ${CONTACTS}) AS contacts`;
const PLAN_TOWNS_GONE = `SELECT DISTINCT p."town" AS town FROM "ServicePoint" p
  WHERE p."active" = TRUE AND NOT EXISTS (SELECT 1 FROM ${POINTS} w WHERE w."town" = p."town") ORDER BY p."town"`;
const PLAN_REBIND = `SELECT k."mobile" AS mobile, k."name" AS "oldName", o."town" AS "oldTown", o."name" AS "oldPoint", o."level" AS "oldLevel",
    c."name" AS "newName", c."town" AS "newTown", c."point" AS "newPoint", w."level" AS "newLevel",
    (SELECT COUNT(*) FROM "ChannelIdentity" i WHERE i."contactId" = k."id") AS chats
  FROM ${REBIND} r JOIN "Contact" k ON k."id" = r."contactId" JOIN "ServicePoint" o ON o."id" = k."servicePointId"
  JOIN ${CONTACTS} c ON c."seq" = r."seq" JOIN ${POINTS} w ON w."town" = c."town" AND w."name" = c."point"
  ORDER BY c."seq"`;

/**
 * The rows of one import on their way in. `add` each good row as the file is read; `plan` and
 * `apply` once the whole file has proved good; `close` in every case (it drops the temporary
 * tables: a file with bad rows leaves no trace).
 */
export class DirectoryStaging {
  private pending: DirectoryRow[] = [];
  private contacts = 0;
  /** whether the file has the 企业微信账号 column; without it the stored accounts stay as they are */
  private wecomColumn = false;
  private pointsStaged = false;

  private constructor(private readonly sql: DirectSql) {}

  /** on a connection of its own (openDirectSql): the temporary tables belong to the connection */
  static async open(sql: DirectSql): Promise<DirectoryStaging> {
    const staging = new DirectoryStaging(sql);
    await staging.drop();
    // the keys are the ones the file was checked on: one row per contact key, one per (镇街, 服务点)
    await sql.execute(`CREATE TEMPORARY TABLE ${CONTACTS} ("seq" INTEGER NOT NULL PRIMARY KEY, "key" TEXT NOT NULL UNIQUE, "town" TEXT NOT NULL,
      "point" TEXT NOT NULL, "name" TEXT NOT NULL, "role" TEXT NOT NULL, "mobile" TEXT, "landline" TEXT, "email" TEXT, "wecom" TEXT)`);
    await sql.execute(`CREATE INDEX "gxgc_import_contact_mobile" ON ${CONTACTS} ("mobile")`);
    await sql.execute(`CREATE TEMPORARY TABLE ${POINTS} ("seq" INTEGER NOT NULL, "town" TEXT NOT NULL, "name" TEXT NOT NULL,
      "level" TEXT NOT NULL, "party" BOOLEAN NOT NULL, PRIMARY KEY ("town", "name"))`);
    await sql.execute(`CREATE TEMPORARY TABLE ${MATCH} ("seq" INTEGER NOT NULL PRIMARY KEY, "contactId" INTEGER, "pointId" INTEGER)`);
    await sql.execute(`CREATE INDEX "gxgc_import_match_contact" ON ${MATCH} ("contactId")`);
    await sql.execute(`CREATE TEMPORARY TABLE ${REBIND} ("contactId" INTEGER NOT NULL PRIMARY KEY, "seq" INTEGER NOT NULL)`);
    await sql.execute(`CREATE TEMPORARY TABLE ${COUNTS} ("kind" TEXT NOT NULL PRIMARY KEY, "total" INTEGER NOT NULL, "created" INTEGER NOT NULL,
      "updated" INTEGER NOT NULL, "deactivated" INTEGER NOT NULL)`);
    return staging;
  }

  /** A good row of the file, written with the next CHUNK rows. */
  async add(row: DirectoryRow): Promise<void> {
    this.pending.push(row);
    if (this.pending.length >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    if (!rows.length) return;
    this.wecomColumn ||= rows.some((r) => r.wecomUserId !== undefined);
    const params = rows.flatMap((r) => [
      this.contacts++,
      // unit separators: PostgreSQL text cannot hold NUL (and the file cannot hold either)
      r.mobile ?? `${r.town}\u001f${r.pointName}\u001f${r.contactName}`,
      r.town,
      r.pointName,
      r.contactName,
      r.role,
      r.mobile,
      r.landline ?? null,
      r.email,
      r.wecomUserId ?? null,
    ]);
    await this.sql.execute(
      `INSERT INTO ${CONTACTS} ("seq", "key", "town", "point", "name", "role", "mobile", "landline", "email", "wecom") VALUES ${values(rows.length, 10)}`,
      params,
    );
  }

  private async stagePoints(points: Iterable<FilePoint>): Promise<void> {
    await this.flush();
    if (this.pointsStaged) return;
    this.pointsStaged = true;
    let part: FilePoint[] = [];
    let seq = 0;
    const write = async () => {
      if (!part.length) return;
      const params = part.flatMap((p) => [seq++, p.town, p.name, p.level, p.isPartyEducationPoint]);
      await this.sql.execute(`INSERT INTO ${POINTS} ("seq", "town", "name", "level", "party") VALUES ${values(part.length, 5)}`, params);
      part = [];
    };
    for (const point of points) {
      part.push(point);
      if (part.length >= CHUNK) await write();
    }
    await write();
    // the planner knows nothing of a fresh temporary table (autovacuum does not see them)
    await this.sql.execute(`ANALYZE ${CONTACTS}`);
    await this.sql.execute(`ANALYZE ${POINTS}`);
  }

  /** What `apply` would do, per town, read without writing anything to the directory. */
  async plan(points: Iterable<FilePoint>): Promise<ImportPlan> {
    await this.stagePoints(points);
    for (const sql of [...MATCH_CONTACTS, ...REBIND_CONTACTS]) await this.sql.execute(sql);
    const towns = new Map<string, ImportPlan['towns'][number]>();
    const zero = (): Changes => ({ created: 0, updated: 0, deactivated: 0 });
    const summary = { points: { ...zero(), total: 0 }, contacts: { ...zero(), total: 0 } };
    for (const r of await this.sql.query<{ town: string; kind: 'points' | 'contacts'; change: keyof Changes; n: unknown }>(PLAN_TOWNS)) {
      const town = towns.get(r.town) ?? { town: r.town, points: zero(), contacts: zero() };
      towns.set(r.town, town);
      town[r.kind][r.change] += Number(r.n);
      summary[r.kind][r.change] += Number(r.n);
    }
    const [totals] = await this.sql.query<{ activeContacts: unknown; points: unknown; contacts: unknown }>(PLAN_TOTALS);
    summary.points.total = Number(totals!.points);
    summary.contacts.total = Number(totals!.contacts);
    const rebindings = (await this.sql.query<Record<string, string> & { chats: unknown }>(PLAN_REBIND)).map(
      (r): Rebinding => ({
        mobile: r.mobile ?? null,
        before: { name: r.oldName!, town: r.oldTown!, point: r.oldPoint!, level: r.oldLevel! },
        after: { name: r.newName!, town: r.newTown!, point: r.newPoint!, level: r.newLevel! },
        chats: Number(r.chats),
      }),
    );
    return {
      summary,
      towns: [...towns.values()].sort((a, b) => a.town.localeCompare(b.town, 'zh-Hans-CN')),
      activeContacts: Number(totals!.activeContacts),
      townsGone: (await this.sql.query<{ town: string }>(PLAN_TOWNS_GONE)).map((r) => r.town),
      rebindings,
    };
  }

  /**
   * Writes the directory the staged rows describe, in one transaction: the file's points (in the
   * order of their first row), the hierarchy, the contacts, the unbinding of contacts that became
   * another person, and an audit row with the summary.
   */
  async apply(points: Iterable<FilePoint>, who: ImportActor): Promise<ImportSummary> {
    await this.stagePoints(points);
    const { now } = who;
    const audit = auditFilledLater({ at: new Date(), actorContactId: who.actorContactId, actor: who.actor, action: 'directory.import', entity: 'directory', entityId: null });
    const statements: Statement[] = [
      audit.insert,
      { sql: `DELETE FROM ${COUNTS}` },
      // matched again inside the transaction: the directory may have changed since the plan
      ...[...MATCH_CONTACTS, ...REBIND_CONTACTS].map((sql) => ({ sql })),
      { sql: POINT_COUNTS },
      { sql: POINT_WRITES[0]!, params: [now, now] },
      { sql: POINT_WRITES[1]!, params: [now] },
      { sql: POINT_WRITES[2]!, params: [now] },
      ...HIERARCHY.map((sql) => ({ sql })),
      { sql: MATCH_POINTS },
      ...CONTACT_COUNTS.map((sql) => ({ sql })),
      { sql: UNBIND[0]! },
      { sql: UNBIND[1]!, params: [now, now] },
      { sql: CONTACT_WRITES[0]!, params: [now] },
      { sql: CONTACT_WRITES[1]! },
      { sql: CONTACT_WRITES[2]!, params: [now] },
      { sql: CONTACT_WRITES[3]!, params: [now, now] },
      ...(this.wecomColumn ? [{ sql: WECOM_WRITE, params: [now] }] : []),
      audit.fill(AUDIT_DETAIL),
      { sql: `SELECT "kind", "total", "created", "updated", "deactivated" FROM ${COUNTS}` },
    ];
    const results = await this.sql.batch(statements);
    const row = (kind: string) => results.at(-1)!.find((r: Row) => r.kind === kind)!;
    const counts = (kind: string) => {
      const r = row(kind);
      return { created: Number(r.created), updated: Number(r.updated), deactivated: Number(r.deactivated), total: Number(r.total) };
    };
    return { points: counts('points'), contacts: counts('contacts'), unbound: Number(row('unbound').total) };
  }

  private async drop(): Promise<void> {
    for (const table of TEMPORARY) await this.sql.execute(`DROP TABLE IF EXISTS ${table}`);
  }

  async close(): Promise<void> {
    this.pending = [];
    await this.drop();
  }
}

/** How the file was read: its format, encoding and sheets. */
export type FileReading = TableReading;

export type ImportOutcome =
  | { kind: 'unreadable'; message: string }
  | { kind: 'bad rows'; reading: FileReading; problems: RowProblem[] }
  | { kind: 'planned'; reading: FileReading; plan: ImportPlan; fingerprint: string; toConfirm: string[]; applied: ImportSummary | null; changedSincePlan: boolean };

export interface ImportRun {
  target: DatabaseTarget;
  now: Date;
  actor: string;
  actorContactId: number | null;
}

async function readInto(source: TableSource, validator: DirectoryValidator, staging: DirectoryStaging): Promise<FileReading> {
  const table = await openTable(source);
  for await (const { sheet, number, cells } of table.rows) {
    const row = validator.feed(sheet, cells, number);
    // after the first bad row the file will not be imported: only check the rest
    if (row && !validator.problems.length) await staging.add(row);
  }
  validator.finish();
  return { format: table.format, encoding: table.encoding, sheetsRead: validator.sheets.read, sheetsSkipped: validator.sheets.skipped };
}

/**
 * Reads, checks and plans the import of a directory file (a path, or the bytes of a file sent in a
 * chat) on a connection of its own; applies it when the mode says so and the plan may be applied
 * (commands/directory/plan.ts decides).
 */
export async function runDirectoryImport(source: TableSource, run: ImportRun, mode: ImportMode): Promise<ImportOutcome> {
  const sql = openDirectSql(run.target);
  try {
    const staging = await DirectoryStaging.open(sql);
    try {
      const validator = new DirectoryValidator();
      let reading: FileReading;
      try {
        reading = await readInto(source, validator, staging);
      } catch (e) {
        if (e instanceof SpreadsheetError) return { kind: 'unreadable', message: e.message };
        throw e;
      }
      if (validator.problems.length) return { kind: 'bad rows', reading, problems: validator.problems };
      const plan = await staging.plan(validator.points.values());
      const fingerprint = planFingerprint(plan);
      const toConfirm = needsConfirmation(plan);
      const outcome = { kind: 'planned' as const, reading, plan, fingerprint, toConfirm, applied: null, changedSincePlan: false };
      const decision = importDecision(mode, fingerprint, toConfirm);
      if (decision === 'changed since plan') return { ...outcome, changedSincePlan: true };
      if (decision !== 'apply') return outcome;
      const applied = await staging.apply(validator.points.values(), { actor: run.actor, actorContactId: run.actorContactId, now: run.now });
      return { ...outcome, applied };
    } finally {
      await staging.close();
    }
  } finally {
    await sql.close();
  }
}

/** A file to plan: the dry-run summary and every bad row; only temporary tables are written. */
export function planDirectoryImport(source: TableSource, run: ImportRun): Promise<ImportOutcome> {
  return runDirectoryImport(source, run, { apply: false });
}

/**
 * Applies checked rows (parseDirectoryTable's: tests, benchmarks, the demo) to the database of `db`,
 * on a connection of its own: the write uses temporary tables, which a connection shared with
 * Prisma must not be left holding.
 */
export async function applyDirectoryImport(db: Db, rows: DirectoryRow[], actor: string, actorContactId: number | null = null, now: Date = new Date()): Promise<ImportSummary> {
  const points = new Map<string, FilePoint>();
  rows.forEach((row, i) => notePoint(points, row, { sheet: null, row: i + 2 }));
  // client.ts loads the Prisma adapters, which the command line's file import does without
  const { targetOf } = await import('./client.ts');
  const sql = openDirectSql(targetOf(db));
  try {
    const staging = await DirectoryStaging.open(sql);
    try {
      for (const row of rows) await staging.add(row);
      return await staging.apply(points.values(), { actor, actorContactId, now });
    } finally {
      await staging.close();
    }
  } finally {
    await sql.close();
  }
}
