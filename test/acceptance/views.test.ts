// The service figures drawn from monthly reports, /acceptance status and 我的验收申请.
import { describe, expect, it } from 'vitest';
import { latestReport, serviceFiguresFrom, type ReportRow } from '../../commands/acceptance/context.ts';
import { formatApplications, formatMyApplication } from '../../commands/acceptance/status.ts';
import type { ApplicationSummary } from '../../bot/db/acceptance.ts';
import { addMonths } from '../../bot/time.ts';

const months = (n: number, from = '2026-11'): ReportRow[] =>
  Array.from({ length: n }, (_, i) => ({ month: addMonths(from, -1 - i), status: 'reported', figures: { openHours: 124, visitors: 100 } }));

describe('service figures from the monthly reports', () => {
  it('takes the weekly hours of the latest month and a year of visitors when twelve months are in', () => {
    // October 2026: 124 hours over 31 days = 28 hours a week
    expect(serviceFiguresFrom(months(12), '2026-11')).toEqual({ weeklyHours: 28, yearlyVisitors: 1200, basis: '开放时间按2026年10月，服务人次按2025年11月至2026年10月' });
  });
  it('states no yearly visitors from fewer than twelve months', () => {
    expect(serviceFiguresFrom(months(5), '2026-11')).toMatchObject({ weeklyHours: 28, yearlyVisitors: null });
  });
  it('says nothing without reports', () => {
    expect(serviceFiguresFrom([], '2026-11')).toBeNull();
    expect(latestReport([{ month: '2026-10', status: 'noNewData', figures: {} }])).toBeNull();
  });
});

const app = (id: number, town: string, state: ApplicationSummary['state'], over: Partial<ApplicationSummary> = {}): ApplicationSummary => ({
  id, state, version: 1, point: { id, town, name: `${town}图书馆`, level: 'town' }, receivedOn: null, deadline: null, deadlineProvisional: false,
  scheduledOn: null, plaqueOn: null, createdAt: new Date(0), updatedAt: new Date(0), ...over,
});

describe('/acceptance status', () => {
  it('puts overdue inspections first, then every state by town', () => {
    const text = formatApplications([
      app(1, '石龙镇', 'passed', { plaqueOn: '2026-03-27' }),
      app(2, '虎门镇', 'scheduled', { deadline: '2026-11-20', scheduledOn: '2026-11-25' }),
      app(3, '长安镇', 'received', { deadline: '2026-12-10' }),
      app(4, '莞城街道', 'applied'),
    ], '2026-12-02', '全市');
    const order = ['⚠ 已超过两个工作周仍未验收（1）', '#2 虎门镇图书馆', '待镇文广中心确认盖章（1）', '#4', '市支中心已收件，待安排现场验收（1）', '#3', '验收通过，已授牌（1）', '#1'];
    const positions = order.map((s) => text.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
  it('says when there are none', () => expect(formatApplications([], '2026-12-02', '石龙镇')).toBe('石龙镇目前没有验收申请。'));
});

describe('我的验收申请', () => {
  it.each<[string, Parameters<typeof formatMyApplication>[0], string]>([
    ['none yet', null, '还没有验收申请'],
    ['failed, with the opinions', { id: 5, state: 'failed', version: 1, deadline: null, scheduledOn: null, plaqueOn: null, rectification: ['电脑差2台'], events: [] }, '1. 电脑差2台'],
    ['returned, with the reason', { id: 5, state: 'returned', version: 1, deadline: null, scheduledOn: null, plaqueOn: null, rectification: [], events: [{ at: new Date('2026-12-01T02:00:00Z'), action: 'return', detail: { reason: '地址不全' } }] }, '退回原因：地址不全'],
    ['received, with the deadline', { id: 5, state: 'received', version: 2, deadline: '2026-12-16', scheduledOn: null, plaqueOn: null, rectification: [], events: [] }, '2026年12月16日（星期三）前到现场验收'],
  ])('%s', (_, history, text) => {
    expect(formatMyApplication(history)).toContain(text);
  });
});
