// Writing an imported directory. Re-importing updates in place: points are matched by (镇街, 服务点),
// contacts by mobile number, so chat bindings survive; whatever the new file no longer lists is
// deactivated, never deleted (reports and history keep it).
//
// The directory may hold 100,000 points and 200,000 contacts. The rows are staged, while the file is
// read, in temporary tables of a connection of its own (openDirectSql), and the directory is then
// changed by set-based statements joining them, in one batch: one transaction, which on SQLite runs
// without a pause (nothing else in the process can slip into it, and the write lock is held for the
// statements only). So neither the rows nor the existing directory are ever held in memory (as
// objects they were ~100 MB each), and nothing is written to the directory before the whole file is
// known good. The SQL is the same on SQLite and PostgreSQL (see bot/db/direct-sql.ts).
import { randomUUID } from 'node:crypto';
import type { DirectSql, Row, Statement } from '../../bot/db/direct-sql.ts';
import type { DirectoryRow, FilePoint } from './rows.ts';

export interface ImportSummary {
  points: { created: number; updated: number; deactivated: number; total: number };
  contacts: { created: number; updated: number; deactivated: number; total: number };
}

export interface ImportActor {
  actor: string;
  actorContactId: number | null;
  now: Date;
}

// rows per INSERT: 500 rows x 8 parameters stays under SQLite's 32,766 and PostgreSQL's 65,535
const CHUNK = 500;
const POINTS = '"gxgc_import_point"';
const CONTACTS = '"gxgc_import_contact"';
/** the summary's counts, one row for the points and one for the contacts, taken before their writes */
const COUNTS = '"gxgc_import_count"';

const values = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${Array(columns).fill('?').join(', ')})`).join(', ');

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

/** a staged contact with the id of its point, which exists once the points are written */
const CONTACT_WITH_POINT = `SELECT c."seq", c."mobile", p."id" AS "pointId", c."name", c."role", c."email"
  FROM ${CONTACTS} c JOIN "ServicePoint" p ON p."town" = c."town" AND p."name" = c."point"`;
const CONTACT_CHANGED = `(k."servicePointId" <> x."pointId" OR k."name" <> x."name" OR k."role" <> x."role" OR k."email" IS DISTINCT FROM x."email" OR k."active" = FALSE)`;

const CONTACT_COUNTS = `INSERT INTO ${COUNTS} ("kind", "total", "created", "updated", "deactivated") SELECT 'contacts',
    (SELECT COUNT(*) FROM ${CONTACTS}),
    (SELECT COUNT(*) FROM ${CONTACTS} c WHERE NOT EXISTS (SELECT 1 FROM "Contact" k WHERE k."mobile" = c."mobile")),
    (SELECT COUNT(*) FROM (${CONTACT_WITH_POINT}) x JOIN "Contact" k ON k."mobile" = x."mobile" WHERE ${CONTACT_CHANGED}),
    (SELECT COUNT(*) FROM "Contact" k WHERE k."active" = TRUE
      AND NOT EXISTS (SELECT 1 FROM ${CONTACTS} c WHERE c."mobile" = k."mobile"))`;

// The audit row is the batch's first statement: on SQLite a write first takes the write lock before
// anything is read, so a writer committing meanwhile cannot make the batch fail halfway (a
// transaction that reads and then writes could not wait for it). Its detail, the summary as
// JSON.stringify would write it, is filled in at the end, found by a detail unique to this import.
const AUDIT = `INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "detail") VALUES (?, ?, ?, 'directory.import', 'directory', ?)`;
const count = (kind: string, key: string) => `(SELECT "${key}" FROM ${COUNTS} WHERE "kind" = '${kind}')`;
const AUDIT_DETAIL = `UPDATE "AuditLog" SET "detail" = '{' || ${['points', 'contacts']
  .map((kind) => `'"${kind}":{' || ${['created', 'updated', 'deactivated', 'total'].map((key) => `'"${key}":' || ${count(kind, key)}`).join(` || ',' || `)} || '}'`)
  .join(` || ',' || `)} || '}'
  WHERE "action" = 'directory.import' AND "at" = ? AND "detail" = ?`;

const CONTACT_WRITES = [
  // a changed contact keeps its row, and so its chat bindings
  `UPDATE "Contact" AS k SET "servicePointId" = x."pointId", "name" = x."name", "role" = x."role", "email" = x."email", "active" = TRUE, "updatedAt" = ?
    FROM (${CONTACT_WITH_POINT}) x
    WHERE k."mobile" = x."mobile" AND ${CONTACT_CHANGED}`,
  `INSERT INTO "Contact" ("servicePointId", "name", "role", "mobile", "email", "active", "createdAt", "updatedAt")
    SELECT x."pointId", x."name", x."role", x."mobile", x."email", TRUE, ?, ? FROM (${CONTACT_WITH_POINT}) x
    WHERE NOT EXISTS (SELECT 1 FROM "Contact" k WHERE k."mobile" = x."mobile")
    ORDER BY x."seq"`,
  `UPDATE "Contact" AS k SET "active" = FALSE, "updatedAt" = ?
    WHERE k."active" = TRUE AND NOT EXISTS (SELECT 1 FROM ${CONTACTS} c WHERE c."mobile" = k."mobile")`,
];

/** the 企业微信账号 column, when the file has it (not counted in the summary's "updated") */
const WECOM_WRITE = `UPDATE "Contact" AS k SET "wecomUserId" = c."wecom", "updatedAt" = ?
    FROM ${CONTACTS} c WHERE k."mobile" = c."mobile" AND k."wecomUserId" IS DISTINCT FROM c."wecom"`;

type Counts = ImportSummary['points'];

/**
 * The rows of one import on their way in. `add` each good row as the file is read; `apply` once the
 * whole file has proved good; `close` in every case (it drops the temporary tables: a file with bad
 * rows leaves no trace).
 */
export class DirectoryStaging {
  private pending: DirectoryRow[] = [];
  private contacts = 0;
  /** whether the file has the 企业微信账号 column; without it the stored accounts stay as they are */
  private wecomColumn = false;

  private constructor(private readonly sql: DirectSql) {}

  /** on a connection of its own (openDirectSql): the temporary tables belong to the connection */
  static async open(sql: DirectSql): Promise<DirectoryStaging> {
    const staging = new DirectoryStaging(sql);
    await staging.drop();
    // the keys are the ones the file was checked on: one row per mobile number, one per (镇街, 服务点)
    await sql.execute(`CREATE TEMPORARY TABLE ${CONTACTS} ("seq" INTEGER NOT NULL, "town" TEXT NOT NULL, "point" TEXT NOT NULL,
      "name" TEXT NOT NULL, "role" TEXT NOT NULL, "mobile" TEXT NOT NULL PRIMARY KEY, "email" TEXT, "wecom" TEXT)`);
    await sql.execute(`CREATE TEMPORARY TABLE ${POINTS} ("seq" INTEGER NOT NULL, "town" TEXT NOT NULL, "name" TEXT NOT NULL,
      "level" TEXT NOT NULL, "party" BOOLEAN NOT NULL, PRIMARY KEY ("town", "name"))`);
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
    const params = rows.flatMap((r) => [this.contacts++, r.town, r.pointName, r.contactName, r.role, r.mobile, r.email, r.wecomUserId ?? null]);
    await this.sql.execute(`INSERT INTO ${CONTACTS} ("seq", "town", "point", "name", "role", "mobile", "email", "wecom") VALUES ${values(rows.length, 8)}`, params);
  }

  private async stagePoints(points: Iterable<FilePoint>): Promise<void> {
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
  }

  /**
   * Writes the directory the staged rows describe, in one transaction: the file's points (in the
   * order of their first row), the hierarchy, the contacts, and an audit row with the summary.
   */
  async apply(points: Iterable<FilePoint>, who: ImportActor): Promise<ImportSummary> {
    await this.flush();
    await this.stagePoints(points);
    // the planner knows nothing of a fresh temporary table (autovacuum does not see them)
    await this.sql.execute(`ANALYZE ${CONTACTS}`);
    await this.sql.execute(`ANALYZE ${POINTS}`);
    const { now } = who;
    const at = new Date();
    const marker = JSON.stringify({ importing: randomUUID() });
    const statements: Statement[] = [
      { sql: AUDIT, params: [at, who.actorContactId, who.actor, marker] },
      { sql: POINT_COUNTS },
      { sql: POINT_WRITES[0]!, params: [now, now] },
      { sql: POINT_WRITES[1]!, params: [now] },
      { sql: POINT_WRITES[2]!, params: [now] },
      ...HIERARCHY.map((sql) => ({ sql })),
      { sql: CONTACT_COUNTS },
      { sql: CONTACT_WRITES[0]!, params: [now] },
      { sql: CONTACT_WRITES[1]!, params: [now, now] },
      { sql: CONTACT_WRITES[2]!, params: [now] },
      ...(this.wecomColumn ? [{ sql: WECOM_WRITE, params: [now] }] : []),
      { sql: AUDIT_DETAIL, params: [at, marker] },
      { sql: `SELECT "kind", "total", "created", "updated", "deactivated" FROM ${COUNTS}` },
    ];
    const results = await this.sql.batch(statements);
    const counts = (kind: string): Counts => {
      const row = results.at(-1)!.find((r: Row) => r.kind === kind)!;
      return { created: Number(row.created), updated: Number(row.updated), deactivated: Number(row.deactivated), total: Number(row.total) };
    };
    return { points: counts('points'), contacts: counts('contacts') };
  }

  private async drop(): Promise<void> {
    for (const table of [CONTACTS, POINTS, COUNTS]) await this.sql.execute(`DROP TABLE IF EXISTS ${table}`);
  }

  async close(): Promise<void> {
    this.pending = [];
    await this.drop();
  }
}
