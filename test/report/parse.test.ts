// Reading figures the way contacts write them, table-driven.
import { describe, expect, it } from 'vitest';
import { parseReportMessage, looksLikeReport, MAX_MESSAGE_CHARS } from '../../commands/report/parse.ts';
import { buildTemplate, REPORT_FIELD_DEFAULTS } from '../../commands/report/template.ts';
import { readNumber } from '../../commands/report/numerals.ts';
import { findMonthMention, reportDueDate, isLateSubmission, reportableMonthProblem } from '../../commands/report/months.ts';

const template = buildTemplate(REPORT_FIELD_DEFAULTS);
// 2026-11-03 10:00 in Dongguan
const now = new Date('2026-11-03T02:00:00Z');
const parse = (text: string) => parseReportMessage(text, template, now);

describe('numbers', () => {
  it.each([
    ['120', 120], ['１２０', 120], ['1,200', 1200], ['22.5', 22.5], ['1.5万', 15000], ['3千', 3000],
    ['一百二十', 120], ['二十二', 22], ['两千零五', 2005], ['十', 10], ['十五', 15], ['三万五千', 35000],
    ['一二〇', 120], ['一百零八', 108], ['二点五', 2.5], ['两', 2], ['零', 0],
  ])('%s is %d', (raw, value) => {
    expect(readNumber(raw.normalize('NFKC'))?.value).toBe(value);
  });
  it('is not fooled by a run of digits without units', () => {
    expect(readNumber('二三百')).toBeNull();
    expect(readNumber('很多')).toBeNull();
  });
});

describe('figures in one message', () => {
  it.each<[string, Record<string, number | string>]>([
    ['服务人次120，开放天数22，开放时长176小时，活动3场', { visitors: 120, openDays: 22, openHours: 176, activities: 3 }],
    ['服务人次１２０，开放天数２２，开放时长１７６小时，活动３场', { visitors: 120, openDays: 22, openHours: 176, activities: 3 }],
    ['服务人次一百二十，开放天数二十二，开放时长一百七十六小时、活动三场', { visitors: 120, openDays: 22, openHours: 176, activities: 3 }],
    ['开放天数:22 开放时长:176 到馆人次:120 活动场次:3', { openDays: 22, openHours: 176, visitors: 120, activities: 3 }],
    ['开放天数是22；开放时长为176；接待人次 120; 活动 3', { openDays: 22, openHours: 176, visitors: 120, activities: 3 }],
    ['读者人次：两千零五，开放天数＝30', { visitors: 2005, openDays: 30 }],
    ['开放22天，176小时，接待读者120人次，举办3场活动、2场培训', { openDays: 22, openHours: 176, visitors: 120, activities: 3, trainings: 2 }],
    ['活动3场，活动参与人次85，培训2场，培训人次40，可用电脑6台', { activities: 3, activityParticipants: 85, trainings: 2, trainees: 40, computers: 6 }],
    ['开放时长 175.5 小时', { openHours: 175.5 }],
    ['活动场次无，培训0场', { activities: 0, trainings: 0 }],
    ['服务人次1,200', { visitors: 1200 }],
    ['开放天数22 备注：本月举办了活动，服务人次上升', { openDays: 22, remarks: '本月举办了活动,服务人次上升' }],
  ])('%s', (text, figures) => {
    const parsed = parse(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.figures).toEqual(figures);
  });

  it.each<[string, Record<string, number>, Record<string, string>]>([
    // what needed reading is said in interpretations, for the read-back
    ['服务人次一百二', { visitors: 120 }, { visitors: '“一百二”按 120 记' }],
    ['开放时长一百七', { openHours: 170 }, { openHours: '“一百七”按 170 记' }],
    ['服务人次约120', { visitors: 120 }, { visitors: '“约120”按 120 记' }],
    ['服务人次120人次左右', { visitors: 120 }, { visitors: '“120人次左右”按 120 记' }],
    ['22天 176小时 120人次 3场', { openDays: 22, openHours: 176, visitors: 120, activities: 3 },
      { openDays: '“22天”记为开放天数', openHours: '“176小时”记为开放时长', visitors: '“120人次”记为服务人次', activities: '“3场”记为活动场次' }],
    ['天数22时长176人次120活动3', { openDays: 22, openHours: 176, visitors: 120, activities: 3 },
      { openDays: '“天数22”记为开放天数', visitors: '“人次120”记为服务人次' }],
    ['开放22天，每天8小时', { openDays: 22, openHours: 176 }, { openHours: '“每天8小时”× 22 天 = 176 小时，记为开放时长' }],
    ['服務人次120，開放天數22', { visitors: 120, openDays: 22 }, {}],
    ['开放时常176，服务人次120', { openHours: 176, visitors: 120 }, {}],
  ])('%s', (text, figures, interpretations) => {
    const parsed = parse(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.figures).toEqual(figures);
    expect(parsed.interpretations).toEqual(interpretations);
  });

  it.each([
    ['每天开放8小时', '全月合计'],
    ['每周开放35小时', '不是全月的数字'],
  ])('"%s" is a rate, not the month', (text, words) => {
    const parsed = parse(text);
    expect(parsed.figures).toEqual({});
    expect(parsed.problems.map((p) => p.message).join()).toContain(words);
  });

  it('reads a correction', () => {
    const parsed = parse('服务人次改成130');
    expect(parsed.figures).toEqual({ visitors: 130 });
    expect(parsed.corrected).toEqual(['visitors']);
    expect(parse('开放天数改为 二十').figures).toEqual({ openDays: 20 });
  });

  it.each([
    ['本月无新增', null],
    ['10月的数据 本月无新增', '2026-10'],
    ['上个月没有新增数据', '2026-10'],
    ['2026年9月无新增', '2026-09'],
  ])('"%s" is a no-new-data report', (text, month) => {
    const parsed = parse(text);
    expect(parsed.noNewData).toBe(true);
    expect(parsed.month).toBe(month);
    expect(parsed.figures).toEqual({});
  });

  it('names the point reported for', () => {
    const parsed = parse('替示例二村报 服务人次120');
    expect(parsed.onBehalfOf).toBe('示例二村');
    expect(parsed.figures).toEqual({ visitors: 120 });
  });

  it('keeps a bare number for the question just asked', () => {
    const parsed = parse('22');
    expect(parsed.figures).toEqual({});
    expect(parsed.strays.map((s) => s.value)).toEqual([22]);
  });

  it.each([
    ['服务人次很多', 'visitors', '不是确切的数字'],
    ['服务人次abc', 'visitors', '服务人次应填数字'],
    ['服务人次-5', 'visitors', '不能是负数'],
    ['开放天数负三', 'openDays', '不能是负数'],
    ['服务人次100到120', 'visitors', '范围'],
    ['活动三四场', 'activities', '范围'],
    ['服务人次十几', 'visitors', '不是确切的数字'],
    ['服务人次', 'visitors', '没有看到服务人次的数字'],
  ])('"%s" is refused for %s', (text, key, words) => {
    const parsed = parse(text);
    expect(parsed.figures[key]).toBeUndefined();
    expect(parsed.problems.find((p) => p.key === key)?.message).toContain(words);
  });

  it('refuses an empty or a huge message', () => {
    expect(parse('   ').empty).toBe(true);
    expect(parse('服务人次120，'.repeat(1000)).tooLong).toBe(true);
    expect('x'.repeat(10_000).length).toBeGreaterThan(MAX_MESSAGE_CHARS);
  });

  it('scores report-like text high and other text zero', () => {
    expect(looksLikeReport(parse('服务人次120，开放天数22'))).toBeGreaterThan(0.9);
    expect(looksLikeReport(parse('本月无新增'))).toBeGreaterThan(0.9);
    expect(looksLikeReport(parse('开放22天'))).toBeGreaterThan(0.5);
    expect(looksLikeReport(parse('你好'))).toBe(0);
    expect(looksLikeReport(parse('服务人次很多'))).toBe(0);
  });

  it('uses operator-changed aliases from the table', () => {
    const edited = buildTemplate(REPORT_FIELD_DEFAULTS.map((f) => (f.key === 'visitors' ? { ...f, aliases: 'Besucher,借阅人次' } : f)));
    expect(parseReportMessage('借阅人次 88', edited, now).figures).toEqual({ visitors: 88 });
    expect(parseReportMessage('到馆人次 88', edited, now).figures).toEqual({});
  });
});

describe('months', () => {
  it.each([
    ['10月的数据', '2026-10'],
    ['十月份', '2026-10'],
    ['上个月', '2026-10'],
    ['上月', '2026-10'],
    ['上上个月', '2026-09'],
    ['2026年9月', '2026-09'],
    ['2025-12', '2025-12'],
    // December has not begun this year, so it is last year's
    ['12月', '2025-12'],
    ['11月', '2026-11'],
  ])('%s is %s', (text, month) => {
    expect(findMonthMention(text, now)?.month).toBe(month);
  });
  it('finds none in figures', () => {
    expect(findMonthMention('服务人次120，开放天数22', now)).toBeNull();
    expect(findMonthMention('开放3个月', now)).toBeNull();
  });
  it('is due before the 5th of the next month, in Dongguan', () => {
    expect(reportDueDate('2026-10').toISOString()).toBe('2026-11-04T16:00:00.000Z');
    expect(reportDueDate('2026-12').toISOString()).toBe('2027-01-04T16:00:00.000Z');
    expect(isLateSubmission('2026-10', new Date('2026-11-04T15:59:59Z'))).toBe(false);
    expect(isLateSubmission('2026-10', new Date('2026-11-04T16:00:00Z'))).toBe(true);
  });
  it('takes only ended months of the last two years', () => {
    expect(reportableMonthProblem('2026-10', now)).toBeNull();
    expect(reportableMonthProblem('2026-11', now)).toContain('本月还没有结束');
    expect(reportableMonthProblem('2027-01', now)).toContain('还没有到');
    expect(reportableMonthProblem('2024-10', now)).toContain('两年');
  });
});
