// Overdue 限期整改 in the supervision list, on both databases: re-inspections recorded through the
// acceptance store (合格 / 限期整改 / 除牌), then the list as of 10 November 2026. A rectification
// counts as overdue only while the point is still in it and its deadline is before the day; the
// town is counted and put first, the point named with its days overdue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReinspection, type StepActor } from '../../bot/db/acceptance.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { fromLocal, ManualClock } from '../../bot/time.ts';
import { runAssessmentCli } from '../../commands/assessment/cli.ts';
import { loadAssessments } from '../../commands/assessment/queries.ts';
import { rankTowns } from '../../commands/assessment/supervision.ts';
import { createTestDatabase, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';

const AS_OF = fromLocal(2026, 11, 10, 10);

/** Each town's own accepted point and what its re-inspections were, in order: [local day recorded, result, deadline]. */
const TOWNS: { town: string; steps: [day: [number, number], result: 'passed' | 'rectify' | 'plaqueRemoved', deadline: string | null][]; overdue: { deadline: string; daysOverdue: number } | null }[] = [
  { town: '石龙镇', steps: [[[10, 9], 'rectify', '2026-10-31']], overdue: { deadline: '2026-10-31', daysOverdue: 10 } },
  // the deadline is still ahead
  { town: '虎门镇', steps: [[[10, 20], 'rectify', '2026-11-30']], overdue: null },
  // due today: overdue from tomorrow, as the scheduler's reminder counts it
  { town: '东城街道', steps: [[[11, 1], 'rectify', '2026-11-10']], overdue: null },
  // rectified and re-inspected 合格 after the deadline
  { town: '莞城街道', steps: [[[10, 1], 'rectify', '2026-10-15'], [[11, 1], 'passed', null]], overdue: null },
  // the plaque removed: no longer a rectification to follow up
  { town: '南城街道', steps: [[[10, 1], 'rectify', '2026-10-15'], [[11, 5], 'plaqueRemoved', null]], overdue: null },
  // two rectifications: the latest one counts (its deadline passed a day ago)
  { town: '长安镇', steps: [[[9, 1], 'rectify', '2026-09-30'], [[10, 8], 'rectify', '2026-11-09']], overdue: { deadline: '2026-11-09', daysOverdue: 1 } },
];

describe.each(TEST_PROVIDERS)('overdue rectifications in the supervision list on %s', (provider) => {
  let test: TestDatabase;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    test = await createTestDatabase(provider);
    const db = test.db;
    const joined = fromLocal(2025, 6, 1);
    const sub = await db.servicePoint.create({ data: { town: '市支中心', name: '东莞图书馆', level: 'subCenter', createdAt: joined } });
    const contact = await db.contact.create({ data: { servicePointId: sub.id, name: '管理员甲', role: 'admin', mobile: '13800000001' } });
    const operator: StepActor = { contactId: contact.id, point: { id: sub.id, town: '市支中心', level: 'subCenter' }, label: 'cli' };
    for (const t of TOWNS) {
      const point = await db.servicePoint.create({ data: { town: t.town, name: `${t.town}图书馆`, level: 'town', acceptanceStatus: 'accepted', createdAt: joined } });
      ids.set(t.town, point.id);
      for (const [[month, day], result, deadline] of t.steps) {
        const outcome = await recordReinspection(db, { pointId: point.id, result, deadline, note: null, actor: operator, at: fromLocal(2026, month, day, 10) });
        expect(outcome.ok, `${t.town} ${result}`).toBe(true);
      }
    }
    // a village of 石龙镇 with the same overdue-looking state is no town point: it is never re-inspected,
    // and an inactive town point's rectification is not listed
    const gone = await db.servicePoint.create({ data: { town: '石龙镇', name: '旧石龙镇服务点', level: 'town', acceptanceStatus: 'accepted', createdAt: joined } });
    expect((await recordReinspection(db, { pointId: gone.id, result: 'rectify', deadline: '2026-10-31', note: null, actor: operator, at: fromLocal(2026, 10, 9, 10) })).ok).toBe(true);
    await db.servicePoint.update({ where: { id: gone.id }, data: { active: false } });
  });
  afterAll(async () => test.drop());

  it('finds each point’s overdue rectification with its days overdue', async () => {
    const { points } = await loadAssessments(sqlOf(test.db), { year: 2026, asOf: AS_OF });
    expect(points.map((p) => p.name).sort()).toEqual(TOWNS.map((t) => `${t.town}图书馆`).sort());
    for (const t of TOWNS) {
      expect(points.find((p) => p.id === ids.get(t.town))!.overdueRectification, t.town).toEqual(t.overdue);
    }
  });

  it('counts them per town, puts those towns first and names the point', async () => {
    const { points } = await loadAssessments(sqlOf(test.db), { year: 2026, asOf: AS_OF });
    const towns = rankTowns(points);
    expect(towns.slice(0, 2).map((t) => t.town).sort()).toEqual(['石龙镇', '长安镇'].sort());
    expect(Object.fromEntries(towns.map((t) => [t.town, t.overdueRectifications]))).toEqual({ 石龙镇: 1, 长安镇: 1, 虎门镇: 0, 东城街道: 0, 莞城街道: 0, 南城街道: 0 });

    const lines: string[] = [];
    const deps = { db: test.db, clock: new ManualClock(AS_OF), log: silentLogger, out: (l: string) => lines.push(l) };
    expect(await runAssessmentCli(['supervision', '--round', '2026-11'], deps)).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('限期整改逾期的每个加 1');
    expect(text).toMatch(/^1\. (石龙镇|长安镇)：1 个服务点，.*限期整改逾期 1 个$/m);
    expect(text).toContain('   · 石龙镇图书馆：限期整改逾期 10 天（期限2026年10月31日）；');
    expect(text).toContain('   · 长安镇图书馆：限期整改逾期 1 天（期限2026年11月9日）；');
    expect(text).not.toMatch(/(虎门镇|东城街道|莞城街道|南城街道)图书馆：限期整改/);

    lines.length = 0;
    expect(await runAssessmentCli(['supervision', '--round', '2026-11', '--town', '长安镇'], deps)).toBe(0);
    expect(lines.join('\n')).toContain('1. 长安镇：1 个服务点，上报率 0.0%，未达标 1 个，未确认通知 0 条，限期整改逾期 1 个');
  });
});
