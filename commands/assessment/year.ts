// A point's year against annex 1 (and annex 3's reporting rule), from its monthly reports. The
// thresholds come from the Rule table only; a level without rows there (schools, enterprises) has
// nothing to be held against. Months are folded into a few numbers (YearFigures) that the bulk
// query (queries.ts) computes the same way in SQL, so 100,000 points never become a million rows.
import { currentMonth, daysInMonth, monthKey, parseMonthKey, type MonthKey } from '../../bot/time.ts';
import { reportDueDate } from '../report/months.ts';

/** The Rule rows the assessment uses, by the item names annex 1 gives them. */
export const ANNEX_ITEMS = { visitors: '年服务人次', weeklyHours: '平均每周开放时间', computers: '电脑' } as const;
export const REPORTING_SOURCE = '附件3 · 数据上报办法 · 上报时间';

export interface AnnexRule {
  level: string;
  item: string;
  quantity: number;
  unit: string | null;
  source: string;
}

/** One stored monthly report, as much of it as the assessment reads. */
export interface MonthRow {
  month: MonthKey;
  status: 'reported' | 'noNewData';
  isLate: boolean;
  visitors?: number | null;
  openHours?: number | null;
  activities?: number | null;
  computers?: number | null;
}

/** A point's reports of one year, folded. Bit m-1 of a mask stands for month m. */
export interface YearFigures {
  reportedMask: number;
  lateMask: number;
  /** months with hours over 0: the months it was open */
  openMask: number;
  visitors: number;
  openHours: number;
  activities: number;
  /** 可用电脑 of the latest month that gave it */
  computers: { month: MonthKey; value: number } | null;
}

export const EMPTY_YEAR: YearFigures = { reportedMask: 0, lateMask: 0, openMask: 0, visitors: 0, openHours: 0, activities: 0, computers: null };

const bit = (month: MonthKey): number => 1 << (parseMonthKey(month).month - 1);
const num = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The months of `year` among the rows, folded (rows of other years are ignored). A nil report adds no figures. */
export function foldMonths(year: number, rows: readonly MonthRow[]): YearFigures {
  const f: YearFigures = { ...EMPTY_YEAR };
  for (const r of rows) {
    if (parseMonthKey(r.month).year !== year) continue;
    f.reportedMask |= bit(r.month);
    if (r.isLate) f.lateMask |= bit(r.month);
    if (r.status === 'noNewData') continue;
    f.visitors += num(r.visitors);
    f.activities += num(r.activities);
    if (num(r.openHours) > 0) {
      f.openMask |= bit(r.month);
      f.openHours += num(r.openHours);
    }
    if (typeof r.computers === 'number' && (!f.computers || r.month > f.computers.month)) f.computers = { month: r.month, value: r.computers };
  }
  return f;
}

export type Verdict = 'met' | 'notMet' | 'noData';

export interface ItemVerdict {
  key: 'visitors' | 'weeklyHours' | 'reporting' | 'computers';
  item: string;
  verdict: Verdict;
  /** the point's figure (visitors, average weekly hours, months on time, computers) */
  value: number | null;
  /** what it is held against (for visitors: the threshold for the months counted) */
  target: number | null;
  /** target - value when not met */
  gap: number | null;
  unit: string;
  /** the line a person reads: figures, threshold and why */
  text: string;
  source: string;
}

export interface PointYear {
  year: number;
  /** the months a report was due for (from the month the point joined) or that have a report */
  expectedMonths: number[];
  reportedMonths: number[];
  missingMonths: number[];
  lateMonths: number[];
  /** December is due: the verdicts are the year's; otherwise they are the pace so far */
  final: boolean;
  figures: YearFigures;
  /** opening hours over the weeks of the months open, null with no month open */
  weeklyHours: number | null;
  /** visitors per opening hour, null without hours */
  visitorsPerHour: number | null;
  /** false for levels annex 1 gives no standard for */
  hasStandard: boolean;
  items: ItemVerdict[];
  meetsAll: boolean;
  belowStandard: boolean;
}

export interface PointYearInput {
  year: number;
  level: string;
  /** when the point entered the directory: months before it are never missing */
  joinedAt: Date;
  asOf: Date;
  figures: YearFigures;
  /** the Rule rows of every level; the point's level picks its own */
  rules: readonly AnnexRule[];
}

const monthsOf = (mask: number): number[] => Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => mask & (1 << (m - 1)));
const round1 = (n: number): number => Math.round(n * 10) / 10;

/** "5、6、7月" */
export function monthList(months: readonly number[]): string {
  return months.length ? `${months.join('、')}月` : '';
}

/** The months whose report is due by asOf (before the 5th of the next month), from the month the point joined. */
export function dueMonths(year: number, joinedAt: Date, asOf: Date): number[] {
  const joinedMonth = currentMonth(joinedAt);
  const due: number[] = [];
  for (let m = 1; m <= 12; m++) {
    const key = monthKey(year, m);
    if (key < joinedMonth) continue;
    if (reportDueDate(key).getTime() <= asOf.getTime()) due.push(m);
  }
  return due;
}

export function assessPointYear(input: PointYearInput): PointYear {
  const { year, figures: f } = input;
  const reported = monthsOf(f.reportedMask);
  const due = dueMonths(year, input.joinedAt, input.asOf);
  const expected = [...new Set([...due, ...reported])].sort((a, b) => a - b);
  const missing = due.filter((m) => !(f.reportedMask & (1 << (m - 1))));
  const late = monthsOf(f.lateMask);
  const final = reportDueDate(monthKey(year, 12)).getTime() <= input.asOf.getTime();
  const openWeeks = monthsOf(f.openMask).reduce((w, m) => w + daysInMonth(monthKey(year, m)) / 7, 0);
  const weeklyHours = openWeeks > 0 ? f.openHours / openWeeks : null;
  const visitorsPerHour = f.openHours > 0 ? f.visitors / f.openHours : null;
  const rules = input.rules.filter((r) => r.level === input.level);
  const rule = (item: string) => rules.find((r) => r.item === item);
  const items: ItemVerdict[] = [];
  const missingNote = missing.length ? `，缺 ${missing.length} 个月的月报（${monthList(missing)}）` : '';

  const visitorsRule = rule(ANNEX_ITEMS.visitors);
  if (visitorsRule) {
    const unit = visitorsRule.unit ?? '人次';
    const n = expected.length;
    const target = Math.ceil((visitorsRule.quantity * n) / 12);
    const basis = n === 12 ? `要求不少于 ${visitorsRule.quantity} ${unit}` : `要求全年不少于 ${visitorsRule.quantity} ${unit}，按 ${n} 个月折算应达 ${target} ${unit}`;
    let verdict: Verdict;
    let text: string;
    if (n === 0) {
      verdict = 'noData';
      text = `${ANNEX_ITEMS.visitors}：还没有到期的月报，无法判断`;
    } else if (f.visitors >= target) {
      verdict = 'met';
      text = `${ANNEX_ITEMS.visitors} ${f.visitors} ${unit}，${basis}，达标`;
    } else if (missing.length) {
      verdict = 'noData';
      text = `${ANNEX_ITEMS.visitors}已报 ${f.visitors} ${unit}，${basis}，差 ${target - f.visitors} ${unit}${missingNote}，数据不全无法判断`;
    } else {
      verdict = 'notMet';
      text = `${ANNEX_ITEMS.visitors} ${f.visitors} ${unit}，${basis}，差 ${target - f.visitors} ${unit}`;
    }
    items.push({ key: 'visitors', item: ANNEX_ITEMS.visitors, verdict, value: n ? f.visitors : null, target: n ? target : null, gap: verdict === 'met' || n === 0 ? null : target - f.visitors, unit, text, source: visitorsRule.source });
  }

  const hoursRule = rule(ANNEX_ITEMS.weeklyHours);
  if (hoursRule) {
    const unit = hoursRule.unit ?? '小时';
    const openMonths = monthsOf(f.openMask).length;
    let verdict: Verdict;
    let text: string;
    if (weeklyHours === null) {
      verdict = 'noData';
      text = `${ANNEX_ITEMS.weeklyHours}：没有报开放时长的月份${missingNote}，无法判断`;
    } else {
      verdict = weeklyHours >= hoursRule.quantity ? 'met' : 'notMet';
      const basis = `按开放的 ${openMonths} 个月计平均每周 ${round1(weeklyHours)} ${unit}，要求不少于 ${hoursRule.quantity} ${unit}`;
      text = `${ANNEX_ITEMS.weeklyHours}：${basis}${verdict === 'met' ? '，达标' : `，差 ${round1(hoursRule.quantity - weeklyHours)} ${unit}`}`;
    }
    items.push({ key: 'weeklyHours', item: ANNEX_ITEMS.weeklyHours, verdict, value: weeklyHours === null ? null : round1(weeklyHours), target: hoursRule.quantity, gap: verdict === 'notMet' ? round1(hoursRule.quantity - weeklyHours!) : null, unit, text, source: hoursRule.source });
  }

  if (rules.length) {
    // annex 3: 每月5日前上报上个月的数据; a nil report is a report
    const onTime = reported.length - late.length;
    let verdict: Verdict;
    let text: string;
    if (expected.length === 0) {
      verdict = 'noData';
      text = '按时上报：还没有到期的月报';
    } else if (missing.length === 0 && late.length === 0) {
      verdict = 'met';
      text = `按时上报：${expected.length} 个月全部按时报送`;
    } else {
      verdict = 'notMet';
      const parts = [missing.length ? `缺报 ${missing.length} 个月（${monthList(missing)}）` : '', late.length ? `逾期 ${late.length} 个月（${monthList(late)}）` : ''].filter(Boolean);
      text = `按时上报：应报 ${expected.length} 个月，已报 ${reported.length}，按时 ${onTime}；${parts.join('，')}`;
    }
    items.push({ key: 'reporting', item: '按时上报', verdict, value: onTime, target: expected.length, gap: verdict === 'notMet' ? expected.length - onTime : null, unit: '个月', text, source: REPORTING_SOURCE });
  }

  const computersRule = rule(ANNEX_ITEMS.computers);
  if (computersRule) {
    const unit = computersRule.unit ?? '台';
    const c = f.computers;
    const verdict: Verdict = !c ? 'noData' : c.value >= computersRule.quantity ? 'met' : 'notMet';
    const text = !c
      ? `${ANNEX_ITEMS.computers}：月报里没有填可用电脑台数，无法判断（要求 ${computersRule.quantity} ${unit}）`
      : `${ANNEX_ITEMS.computers}：${parseMonthKey(c.month).month}月报可用 ${c.value} ${unit}，要求 ${computersRule.quantity} ${unit}${verdict === 'met' ? '，达标' : `，差 ${computersRule.quantity - c.value} ${unit}`}`;
    items.push({ key: 'computers', item: ANNEX_ITEMS.computers, verdict, value: c?.value ?? null, target: computersRule.quantity, gap: verdict === 'notMet' ? computersRule.quantity - c!.value : null, unit, text, source: computersRule.source });
  }

  return {
    year,
    expectedMonths: expected,
    reportedMonths: reported,
    missingMonths: missing,
    lateMonths: late,
    final,
    figures: f,
    weeklyHours,
    visitorsPerHour,
    hasStandard: rules.length > 0,
    items,
    meetsAll: items.length > 0 && items.every((i) => i.verdict === 'met'),
    belowStandard: items.some((i) => i.verdict === 'notMet'),
  };
}
