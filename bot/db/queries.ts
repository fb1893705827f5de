// The capabilities' reads (bot/core/queries.ts) on the database: Prisma for the model-shaped
// lookups, DirectSql for the hot ones of every report. Read-mostly tables go through readMostly.
import type { AssessmentQueries, Queries } from '../core/queries.ts';
import type { FactRecord, RuleRecord } from '../../commands/standards/model.ts';
import type { ReadSql } from '../core/capability.ts';
import type { Db } from './client.ts';
import { SERVICE_POINT_LEVELS } from '../domain.ts';
import { loadTemplate } from '../../commands/report/template.ts';
import { loadReminderSettings } from '../../scheduler/settings.ts';
import { resolveAudience } from './notice-store.ts';
import { loadReachability } from './reachability.ts';
import { readMostly } from './read-cache.ts';
import { findReport, loadReportMonths } from './report-store.ts';
import { readSqlOf } from './sql-of.ts';

const NOT_ADDRESSED = ['subCenter', 'townCultureCenter'];
const POINT = { id: true, town: true, name: true, level: true } as const;
const HEADING = { id: true, title: true, deadline: true, fetchMethod: true, fetchAddress: true } as const;

const byDatabase = new WeakMap<object, Queries>();

/** The assessment's reads on a DirectSql alone (the command line runs them without a Prisma client). */
export function assessmentQueriesOn(sql: ReadSql): AssessmentQueries {
  return { assessments: async (scope) => (await import('../../commands/assessment/queries.ts')).loadAssessments(sql, scope) };
}

/** The queries of one database client (made once per client, so their caches are per database). */
export function databaseQueries(db: Db): Queries {
  const known = byDatabase.get(db);
  if (known) return known;
  const sql = readSqlOf(db);
  const reporting = { active: true, level: { in: [...SERVICE_POINT_LEVELS] } };
  // a point's createdAt never changes and ids are never reused: read once per point (each read is a
  // round trip on PostgreSQL, and every confirmed report needs it)
  const listedAt = new Map<number, Date>();
  const queries: Queries = {
    identity: {
      async contactCard(contactId) {
        const contact = await db.contact.findUnique({ where: { id: contactId }, select: { name: true, role: true, servicePoint: { select: { town: true, name: true, level: true } } } });
        return contact ? { name: contact.name, role: contact.role, point: contact.servicePoint } : null;
      },
      contactByMobile: (mobile) => db.contact.findUnique({ where: { mobile }, select: { id: true, active: true } }),
      async invitation(codeHash) {
        const found = await db.invitation.findUnique({ where: { codeHash }, include: { contact: { select: { active: true } } } });
        return found ? { id: found.id, contactId: found.contactId, usedAt: found.usedAt, expiresAt: found.expiresAt, contactActive: found.contact.active } : null;
      },
    },
    directory: {
      reportingPointsNamed: (name, scope) =>
        db.servicePoint.findMany({
          where: {
            ...reporting,
            ...(scope.town !== undefined ? { town: scope.town } : {}),
            ...(scope.exceptId !== undefined ? { NOT: { id: scope.exceptId } } : {}),
            OR: [{ name: { contains: name } }, ...(name.length >= 2 ? [{ name }] : [])],
          },
          select: POINT,
          take: scope.take,
        }),
      reportingPoints: () => db.servicePoint.findMany({ where: reporting, select: POINT }),
      pointStanding: (pointId) => db.servicePoint.findUnique({ where: { id: pointId }, select: { town: true, active: true } }),
      async pointListedAt(pointId) {
        const known = listedAt.get(pointId);
        if (known) return known;
        const [row] = await sql.query<{ createdAt: Date }>('SELECT "createdAt" FROM "ServicePoint" WHERE "id" = ?', [pointId]);
        if (!row) return null;
        if (listedAt.size >= 20_000) listedAt.clear();
        listedAt.set(pointId, row.createdAt);
        return row.createdAt;
      },
      activePointsNamed: (name, town) => db.servicePoint.findMany({ where: { active: true, name, ...(town ? { town } : {}) }, select: { id: true, town: true, name: true } }),
      overview: async () => (await import('../../commands/directory/store.ts')).directoryOverview(sql),
      async planImport(file, run) {
        const [{ planDirectoryImport }, { targetOf }] = await Promise.all([import('./directory-store.ts'), import('./client.ts')]);
        return planDirectoryImport(file, { ...run, target: targetOf(db) });
      },
      waitingFile: async (channel, chatId, uploadId) =>
        (await db.pendingUpload.findFirst({ where: { id: uploadId, channel, chatId }, select: { content: true } }))?.content ?? null,
    },
    reports: {
      template: () => loadTemplate(db),
      current: (pointId, month) => findReport(sql, pointId, month),
      months: (pointId, from, to) => loadReportMonths(sql, pointId, from, to),
      minimums: async (level) =>
        (
          await readMostly(db, 'reportRules', () =>
            sql.query<{ level: string; item: string; quantity: number | null; unit: string | null }>(
              `SELECT "level", "item", "quantity", "unit" FROM "Rule" WHERE "item" LIKE '%每周开放%' OR "item" LIKE '%服务人次%' ORDER BY "id"`,
            ),
          )
        ).filter((r) => r.level === level),
      completeness: async (month, options) => (await import('../../commands/report/completeness.ts')).loadCompleteness(db, month, options),
      monthFile: async (month, format) => (await import('../../commands/report/export.ts')).exportMonthToBuffer(sql, month, format),
    },
    notices: {
      audienceTowns: async () =>
        (await db.servicePoint.findMany({ where: { active: true, level: { notIn: NOT_ADDRESSED } }, select: { town: true }, distinct: ['town'] })).map((p) => p.town),
      audiencePoints: () => db.servicePoint.findMany({ where: { active: true, level: { notIn: NOT_ADDRESSED } }, select: { id: true, town: true, name: true } }),
      audience: (audience) => resolveAudience(db, audience),
      reachability: (contactIds) => loadReachability(db, contactIds),
      latestReleasedId: async () =>
        (await db.notice.findFirst({ where: { status: { in: ['sent', 'scheduled'] } }, orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? null,
      status: async (noticeId) => (await import('../../commands/notice/status.ts')).loadNoticeStatus(db, noticeId),
      recent: async (take) => (await import('../../commands/notice/list.ts')).listNotices(db, take),
      heading: (noticeId) => db.notice.findUnique({ where: { id: noticeId }, select: HEADING }),
      unacknowledged: async (contactId) =>
        (
          await db.noticeRecipient.findMany({
            where: { contactId, acknowledgedAt: null, notice: { status: 'sent' } },
            select: { notice: { select: HEADING } },
            orderBy: { noticeId: 'desc' },
          })
        ).map((r) => r.notice),
      receipt: (noticeId, contactId) => db.noticeRecipient.findUnique({ where: { noticeId_contactId: { noticeId, contactId } }, select: { acknowledgedAt: true } }),
      lastAcknowledged: async (contactId) =>
        (
          await db.noticeRecipient.findFirst({
            where: { contactId, acknowledgedAt: { not: null } },
            select: { notice: { select: { title: true } } },
            orderBy: { acknowledgedAt: 'desc' },
          })
        )?.notice ?? null,
    },
    standards: {
      tables: () =>
        readMostly(db, 'standardsTables', async () => {
          const [rules, facts] = await Promise.all([
            sql.query<RuleRecord & Record<string, unknown>>('SELECT * FROM "Rule" ORDER BY "level", "sortOrder"'),
            sql.query<FactRecord & Record<string, unknown>>('SELECT * FROM "Fact" ORDER BY "sortOrder"'),
          ]);
          return { rules, facts };
        }),
      ruleKeys: () => db.rule.findMany({ select: { level: true, item: true } }),
    },
    assessment: assessmentQueriesOn(sql),
    acceptance: {
      applications: async (filter) => (await import('./acceptance.ts')).listApplications(db, filter),
      application: async (id) => (await import('./acceptance.ts')).loadApplication(db, id),
      applicantContext: async (pointId, contactId, now) => (await import('./acceptance.ts')).loadApplicantContext(db, pointId, contactId, now),
      async partyEducationAllowed() {
        const setting = await db.setting.findUnique({ where: { key: 'acceptance.partyEducationAllowed' } });
        try {
          const ids = JSON.parse(setting?.value ?? '[]') as unknown;
          return Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number') : [];
        } catch {
          return [];
        }
      },
    },
    settings: {
      reminders: async () => (await readMostly(db, 'reportsCountFrom', () => loadReminderSettings(db))).settings,
    },
  };
  byDatabase.set(db, queries);
  return queries;
}
