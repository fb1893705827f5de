// The monthly reminder plan as a pure function: which stage is due when, and who gets what.
import { describe, expect, it } from 'vitest';
import { fromLocal } from '../../bot/time.ts';
import { dueReportStages, planReminders, reportDueLabel, reportMonthAt, type ReportState } from '../../scheduler/reminders.ts';
import { DEFAULT_REMINDER_SETTINGS, parseSettingValue, reminderSettingsFromRows } from '../../scheduler/settings.ts';
import { pointRecipients, type PlanContact } from '../../scheduler/plan-types.ts';

const S = DEFAULT_REMINDER_SETTINGS;

describe('dueReportStages', () => {
  const cases: [string, Date, string[]][] = [
    ['1st before 09:00', fromLocal(2026, 11, 1, 8, 59), []],
    ['1st at 09:00', fromLocal(2026, 11, 1, 9, 0), ['stage1']],
    ['2nd (catch-up of the 1st), early morning', fromLocal(2026, 11, 2, 0, 30), ['stage1']],
    ['3rd at 08:00 (catch-up window of the 1st is over)', fromLocal(2026, 11, 3, 8, 0), []],
    ['3rd at 10:00', fromLocal(2026, 11, 3, 10, 0), ['stage2']],
    ['4th at 09:00: second-reminder catch-up and town escalation', fromLocal(2026, 11, 4, 9, 0), ['stage2', 'stage3']],
    ['6th at 09:00', fromLocal(2026, 11, 6, 9, 0), ['stage4']],
    ['7th at 23:00', fromLocal(2026, 11, 7, 23, 0), ['stage4']],
    ['15th', fromLocal(2026, 11, 15, 12, 0), []],
    // 2026-10-31 16:30 UTC is already the 1st in Dongguan
    ['UTC still the 31st, Dongguan the 1st at 00:30', new Date('2026-10-31T16:30:00Z'), []],
    ['UTC the 1st 01:00 = Dongguan 09:00', new Date('2026-11-01T01:00:00Z'), ['stage1']],
  ];
  it.each(cases)('%s', (_name, at, expected) => {
    expect(dueReportStages(at, S)).toEqual(expected);
  });

  it('follows operator settings and the master switch', () => {
    const moved = { ...S, secondReminderDay: 2, hour: 14, catchUpDays: 0 };
    expect(dueReportStages(fromLocal(2026, 11, 2, 13, 0), moved)).toEqual([]);
    expect(dueReportStages(fromLocal(2026, 11, 2, 14, 0), moved)).toEqual(['stage2']);
    expect(dueReportStages(fromLocal(2026, 11, 1, 10, 0), { ...S, enabled: false })).toEqual([]);
  });
});

describe('reportMonthAt and the due date', () => {
  it('chases the previous month in Dongguan, due before the 5th of this one', () => {
    expect(reportMonthAt(fromLocal(2026, 11, 1, 9))).toBe('2026-10');
    expect(reportMonthAt(fromLocal(2027, 1, 3, 9))).toBe('2026-12');
    expect(reportDueLabel('2026-12', S)).toBe('2027年1月5日前');
  });
});

const state = (reports: ReportState['reports']): ReportState => ({
  month: '2026-10',
  points: [
    { id: 1, town: '市支中心', name: '东莞图书馆', level: 'subCenter', parentId: null },
    { id: 10, town: '石龙镇', name: '石龙镇图书馆', level: 'town', parentId: null },
    { id: 11, town: '石龙镇', name: '西湖村', level: 'village', parentId: 10 },
    { id: 12, town: '石龙镇', name: '示例中学', level: 'school', parentId: 10 },
    { id: 20, town: '虎门镇', name: '虎门镇图书馆', level: 'town', parentId: null },
    { id: 21, town: '虎门镇', name: '示例三村', level: 'village', parentId: 20 },
  ],
  contacts: [
    { id: 100, servicePointId: 1, name: '陈管理', role: 'admin' },
    { id: 101, servicePointId: 1, name: '李值班', role: 'liaison' },
    { id: 110, servicePointId: 10, name: '孙镇联', role: 'liaison' },
    { id: 111, servicePointId: 10, name: '石龙馆长', role: 'head' },
    { id: 120, servicePointId: 11, name: '周村联', role: 'reporter' },
    { id: 130, servicePointId: 12, name: '郑校长', role: 'head' },
    { id: 200, servicePointId: 20, name: '冯镇联', role: 'liaison' },
    { id: 210, servicePointId: 21, name: '陈村联', role: 'reporter' },
  ],
  reports,
});

const keysOf = (planned: { dedupeKey: string }[]) => planned.map((p) => p.dedupeKey).sort();

describe('planReminders', () => {
  it('the 1st: every reporting point, through its liaison/reporter (head only where there is none), not the sub-center', () => {
    const planned = planReminders(fromLocal(2026, 11, 1, 9), S, state([]));
    expect(keysOf(planned)).toEqual(
      [110, 120, 130, 200, 210].map((id) => `reportReminder:2026-10:stage1:contact:${id}`).sort(),
    );
    const village = planned.find((p) => p.contactId === 120)!;
    expect(village.text).toContain('请于2026年11月5日前上报2026年10月的服务数据');
    expect(village.text).toContain('每月5日前上报上个月的数据');
    expect(village.text).toContain('本月无新增');
    expect(village.text).toContain('石龙镇 西湖村');
  });

  it('the 3rd: only points without a MonthlyReport for the month ("no new data" counts as reported)', () => {
    const planned = planReminders(fromLocal(2026, 11, 3, 9), S, state([
      { servicePointId: 11, status: 'reported' },
      { servicePointId: 21, status: 'noNewData' },
    ]));
    expect(keysOf(planned)).toEqual([110, 130, 200].map((id) => `reportReminder:2026-10:stage2:contact:${id}`).sort());
    expect(planned[0]!.text).toContain('尚未收到');
  });

  it('the 4th: each town contact gets its own missing villages; a town with none missing gets nothing', () => {
    const planned = planReminders(fromLocal(2026, 11, 4, 9), { ...S, catchUpDays: 0 }, state([
      { servicePointId: 12, status: 'reported' },
      { servicePointId: 20, status: 'reported' },
      { servicePointId: 21, status: 'reported' },
    ]));
    expect(keysOf(planned)).toEqual(['reportEscalation:2026-10:stage3:contact:110']);
    const text = planned[0]!.text;
    expect(text).toContain('以下 1 个服务点尚未上报2026年10月的数据');
    expect(text).toContain('· 西湖村');
    expect(text).not.toContain('示例中学');
    expect(text).toContain('本镇（街）服务点自身2026年10月的数据也尚未上报');
  });

  it('the 6th: every contact of the sub-center gets the completeness summary', () => {
    const planned = planReminders(fromLocal(2026, 11, 6, 9), S, state([
      { servicePointId: 10, status: 'reported' },
      { servicePointId: 11, status: 'noNewData' },
    ]));
    expect(keysOf(planned)).toEqual(['summary:2026-10:stage4:contact:100', 'summary:2026-10:stage4:contact:101']);
    const text = planned[0]!.text;
    expect(text).toContain('应报 5 个服务点：已报 1，无新增 1，未报 3，上报率 40%');
    expect(text).toContain('· 石龙镇（1）：示例中学');
    expect(text).toContain('· 虎门镇（2）：');
  });

  it('plans nothing on a quiet day and nothing when everyone reported', () => {
    expect(planReminders(fromLocal(2026, 11, 15, 9), S, state([]))).toEqual([]);
    const all = [10, 11, 12, 20, 21].map((id) => ({ servicePointId: id, status: 'reported' }));
    expect(planReminders(fromLocal(2026, 11, 3, 9), S, state(all))).toEqual([]);
    expect(planReminders(fromLocal(2026, 11, 6, 9), S, state(all))[0]!.text).toContain('全部服务点均已上报');
  });
});

describe('pointRecipients', () => {
  const contacts: PlanContact[] = [
    { id: 1, servicePointId: 5, name: 'a', role: 'head' },
    { id: 2, servicePointId: 5, name: 'b', role: 'reporter' },
    { id: 3, servicePointId: 6, name: 'c', role: 'admin' },
  ];
  it.each([
    [5, [2]],
    [6, [3]],
    [7, []],
  ])('point %i → contacts %j', (point, ids) => {
    expect(pointRecipients(point, contacts).map((c) => c.id)).toEqual(ids);
  });
});

describe('reminder settings rows', () => {
  it('uses defaults for missing keys and reports malformed ones', () => {
    const { settings, problems } = reminderSettingsFromRows([
      { key: 'reminders.secondReminder.day', value: '2' },
      { key: 'reminders.hour', value: '"nine"' },
      { key: 'reminders.townEscalation.day', value: '{' },
      { key: 'unrelated', value: 'x' },
    ]);
    expect(settings.secondReminderDay).toBe(2);
    expect(settings.hour).toBe(9);
    expect(settings.townEscalationDay).toBe(4);
    expect(problems).toHaveLength(2);
  });
  it.each([
    ['reminders.hour', '14', true, '14'],
    ['reminders.hour', '24', false, ''],
    ['reminders.enabled', 'false', true, 'false'],
    ['reminders.firstReminder.day', '31', false, ''],
  ] as const)('%s = %s', (key, raw, ok, stored) => {
    const result = parseSettingValue(key, raw);
    expect(result.ok).toBe(ok);
    if (result.ok) expect(result.value).toBe(stored);
  });
});
