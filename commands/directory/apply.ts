// Writing an imported directory. Re-importing updates in place: points are matched by (镇街, 服务点),
// contacts by mobile number, so chat bindings survive; whatever the new file no longer lists is
// deactivated, never deleted (reports and history keep it).
//
// The directory may hold 100,000 points and 200,000 contacts. The rows are staged, while the file is
// read, in temporary tables of the session's own connection, and the directory is then changed by
// set-based statements joining them in one transaction. So neither the rows nor the existing
// directory are ever held in memory (as objects they were ~100 MB each), nothing is written to the
// directory before the whole file is known good, and the write lock is held only for the statements.
// The SQL is the same on SQLite and PostgreSQL (see bot/db/direct-sql.ts).
import type { DirectSession } from '../../bot/db/direct-sql.ts';
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

// rows per INSERT: 500 rows x 7 parameters stays under SQLite's 32,766 and PostgreSQL's 65,535
const CHUNK = 500;
const POINTS = '"gxgc_import_point"';
const CONTACTS = '"gxgc_import_contact"';

const values = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${Array(columns).fill('?').join(', ')})`).join(', ');

/** the statements of one import, in order; `?` are the moment of the import */
const POINT_COUNTS = `SELECT
    (SELECT COUNT(*) FROM ${POINTS}) AS total,
    (SELECT COUNT(*) FROM ${POINTS} w WHERE NOT EXISTS (SELECT 1 FROM "ServicePoint" p WHERE p."town" = w."town" AND p."name" = w."name")) AS created,
    (SELECT COUNT(*) FROM ${POINTS} w JOIN "ServicePoint" p ON p."town" = w."town" AND p."name" = w."name"
      WHERE p."level" <> w."level" OR p."isPartyEducationPoint" <> w."party" OR p."active" = FALSE) AS updated,
    (SELECT COUNT(*) FROM "ServicePoint" p WHERE p."active" = TRUE
      AND NOT EXISTS (SELECT 1 FROM ${POINTS} w WHERE w."town" = p."town" AND w."name" = p."name")) AS deactivated`;

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
    WHERE "active" = TRUE AND "level" IN ('town', 'subCenter') AND "parentId" IS NOT NULL`,
  `UPDATE "ServicePoint" AS p SET "parentId" = t."id"
    FROM (SELECT "town" AS town, MAX("id") AS id FROM "ServicePoint" WHERE "level" = 'town' AND "active" = TRUE GROUP BY "town") AS t
    WHERE p."town" = t.town AND p."active" = TRUE AND p."level" NOT IN ('town', 'subCenter') AND (p."parentId" IS NULL OR p."parentId" <> t."id")`,
  `UPDATE "ServicePoint" AS p SET "parentId" = NULL
    WHERE p."active" = TRUE AND p."level" NOT IN ('town', 'subCenter') AND p."parentId" IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM "ServicePoint" t WHERE t."town" = p."town" AND t."level" = 'town' AND t."active" = TRUE)`,
];

/** a staged contact with the id of its point, which exists once the points are written */
const CONTACT_WITH_POINT = `SELECT c."seq", c."mobile", p."id" AS "pointId", c."name", c."role", c."email"
  FROM ${CONTACTS} c JOIN "ServicePoint" p ON p."town" = c."town" AND p."name" = c."point"`;
const CONTACT_CHANGED = `(k."servicePointId" <> x."pointId" OR k."name" <> x."name" OR k."role" <> x."role" OR k."email" IS DISTINCT FROM x."email" OR k."active" = FALSE)`;

const CONTACT_COUNTS = `SELECT
    (SELECT COUNT(*) FROM ${CONTACTS}) AS total,
    (SELECT COUNT(*) FROM ${CONTACTS} c WHERE NOT EXISTS (SELECT 1 FROM "Contact" k WHERE k."mobile" = c."mobile")) AS created,
    (SELECT COUNT(*) FROM (${CONTACT_WITH_POINT}) x JOIN "Contact" k ON k."mobile" = x."mobile" WHERE ${CONTACT_CHANGED}) AS updated,
    (SELECT COUNT(*) FROM "Contact" k WHERE k."active" = TRUE
      AND NOT EXISTS (SELECT 1 FROM ${CONTACTS} c WHERE c."mobile" = k."mobile")) AS deactivated`;

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

type Counts = { total: number; created: number; updated: number; deactivated: number };

/**
 * The rows of one import on their way in. `add` each good row as the file is read; `apply` once the
 * whole file has proved good; `close` in every case (it drops the temporary tables: a file with bad
 * rows leaves no trace).
 */
export class DirectoryStaging {
  private pending: DirectoryRow[] = [];
  private contacts = 0;

  private constructor(private readonly sql: DirectSession) {}

  static async open(sql: DirectSession): Promise<DirectoryStaging> {
    const staging = new DirectoryStaging(sql);
    await staging.drop();
    // the keys are the ones the file was checked on: one row per mobile number, one per (镇街, 服务点)
    await sql.execute(`CREATE TEMPORARY TABLE ${CONTACTS} ("seq" INTEGER NOT NULL, "town" TEXT NOT NULL, "point" TEXT NOT NULL,
      "name" TEXT NOT NULL, "role" TEXT NOT NULL, "mobile" TEXT NOT NULL PRIMARY KEY, "email" TEXT)`);
    await sql.execute(`CREATE TEMPORARY TABLE ${POINTS} ("seq" INTEGER NOT NULL, "town" TEXT NOT NULL, "name" TEXT NOT NULL,
      "level" TEXT NOT NULL, "party" BOOLEAN NOT NULL, PRIMARY KEY ("town", "name"))`);
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
    const params = rows.flatMap((r) => [this.contacts++, r.town, r.pointName, r.contactName, r.role, r.mobile, r.email]);
    await this.sql.execute(`INSERT INTO ${CONTACTS} ("seq", "town", "point", "name", "role", "mobile", "email") VALUES ${values(rows.length, 7)}`, params);
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
    return this.sql.transaction(async () => {
      const points = await this.counts(POINT_COUNTS);
      await this.sql.execute(POINT_WRITES[0]!, [now, now]);
      await this.sql.execute(POINT_WRITES[1]!, [now]);
      await this.sql.execute(POINT_WRITES[2]!, [now]);
      for (const statement of HIERARCHY) await this.sql.execute(statement);
      const contacts = await this.counts(CONTACT_COUNTS);
      await this.sql.execute(CONTACT_WRITES[0]!, [now]);
      await this.sql.execute(CONTACT_WRITES[1]!, [now, now]);
      await this.sql.execute(CONTACT_WRITES[2]!, [now]);
      const summary: ImportSummary = {
        points: { created: points.created, updated: points.updated, deactivated: points.deactivated, total: points.total },
        contacts: { created: contacts.created, updated: contacts.updated, deactivated: contacts.deactivated, total: contacts.total },
      };
      await this.sql.execute(
        `INSERT INTO "AuditLog" ("at", "actorContactId", "actor", "action", "entity", "detail") VALUES (?, ?, ?, 'directory.import', 'directory', ?)`,
        [new Date(), who.actorContactId, who.actor, JSON.stringify(summary)],
      );
      return summary;
    });
  }

  private async counts(statement: string): Promise<Counts> {
    const [row] = await this.sql.query<Record<keyof Counts, unknown>>(statement);
    return { total: Number(row!.total), created: Number(row!.created), updated: Number(row!.updated), deactivated: Number(row!.deactivated) };
  }

  private async drop(): Promise<void> {
    await this.sql.execute(`DROP TABLE IF EXISTS ${CONTACTS}`);
    await this.sql.execute(`DROP TABLE IF EXISTS ${POINTS}`);
  }

  async close(): Promise<void> {
    this.pending = [];
    await this.drop();
  }
}
