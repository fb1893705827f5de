// A point's year against annex 1 (and annex 3's reporting rule), from its monthly reports. The
// thresholds come from the Rule table only; a level without rows there (schools, enterprises) has
// nothing to be held against. Months are folded into a few numbers (YearFigures) that the bulk
// query (queries.ts) computes the same way in SQL, so 100,000 points never become a million rows.
import { daysInMonth, monthKey, parseMonthKey, type MonthKey } from '../../bot/time.ts';
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
  /** 可用电脑 of the latest month that gave it, and that month (1..12) */
  computers: number | null;
  computersMonth: number | null;
}

export const EMPTY_YEAR: YearFigures = { reportedMask: 0, lateMask: 0, openMask: 0, visitors: 0, openHours: 0, activities: 0, computers: null, computersMonth: null };

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
    const m = parseMonthKey(r.month).month;
    if (typeof r.computers === 'number' && (f.computersMonth === null || m > f.computersMonth)) {
      f.computers = r.computers;
      f.computersMonth = m;
    }
  }
  return f;
}

export type Verdict = 'met' | 'notMet' | 'noData';

/** What an item is held against, shared by every point of a level. */
export interface ItemRule {
  item: string;
  unit: string;
  /** the Rule's figure (for visitors: the whole year's) */
  quantity: number;
  source: string;
}

export interface ItemVerdict {
  key: 'visitors' | 'weeklyHours' | 'reporting' | 'computers';
  verdict: Verdict;
  /** the point's figure (visitors, average weekly hours, months on time, computers) */
  value: number | null;
  /** what it is held against (for visitors: the threshold for the months counted) */
  target: number | null;
  /** target - value when not met */
  gap: number | null;
  rule: ItemRule;
}

export interface PointYear {
  year: number;
  /** the months a report was due for (from the month the point joined) or that have a report */
  expectedMonths: readonly number[];
  reportedMonths: readonly number[];
  missingMonths: readonly number[];
  lateMonths: readonly number[];
  /** December is due: the verdicts are the year's; otherwise they are the pace so far */
  final: boolean;
  figures: YearFigures;
  /** opening hours over the weeks of the months open, null with no month open */
  weeklyHours: number | null;
  /** visitors per opening hour, null without hours */
  visitorsPerHour: number | null;
  /** false for levels annex 1 gives no standard for */
  hasStandard: boolean;
  readonly items: ItemVerdict[];
  meetsAll: boolean;
  belowStandard: boolean;
}

export interface PointYearInput {
  year: number;
  level: string;
  /** the month (in Dongguan) the point entered the directory: months before it are never missing */
  joinedMonth: MonthKey;
  asOf: Date;
  figures: YearFigures;
  /** the Rule rows of every level; the point's level picks its own */
  rules: readonly AnnexRule[];
}

// 100,000 points share a few thousand month sets: each list is built once and shared (read-only)
const monthLists = new Map<number, readonly number[]>();
function monthsOf(mask: number): readonly number[] {
  let list = monthLists.get(mask);
  if (!list) {
    list = Object.freeze(Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => mask & (1 << (m - 1))));
    monthLists.set(mask, list);
  }
  return list;
}
const maskOf = (months: readonly number[]): number => months.reduce((mask, m) => mask | (1 << (m - 1)), 0);
const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * Names in Chinese order, as localeCompare(…, 'zh-CN') orders them, with one collator made once:
 * localeCompare with a locale builds one per call, and the supervision list sorts 100,000 names.
 */
let collator: Intl.Collator | undefined;
export function compareChinese(a: string, b: string): number {
  return (collator ??= new Intl.Collator('zh-CN')).compare(a, b);
}

/** "5、6、7月"; the month lists of masks are shared, so their text is made once per list */
const monthTexts = new WeakMap<readonly number[], string>();
export function monthList(months: readonly number[]): string {
  let text = monthTexts.get(months);
  if (text === undefined) monthTexts.set(months, (text = months.length ? `${months.join('、')}月` : ''));
  return text;
}

/** The months whose report is due by asOf (before the 5th of the next month), from the month the point joined. */
export function dueMonths(year: number, joinedMonth: MonthKey, asOf: Date): number[] {
  const due: number[] = [];
  for (let m = 1; m <= 12; m++) {
    const key = monthKey(year, m);
    if (key < joinedMonth) continue;
    if (reportDueDate(key).getTime() <= asOf.getTime()) due.push(m);
  }
  return due;
}

/** What stays the same for every point of one assessment: the due months per joining month, the rules per level. */
interface LevelRules {
  visitors?: ItemRule;
  weeklyHours?: ItemRule;
  computers?: ItemRule;
}
interface Context {
  dueMask: Map<string, number>;
  /** weeks in the months of a mask */
  weeks: Map<number, number>;
  rules: Map<string, LevelRules>;
  final: boolean;
}
const REPORTING_RULE: ItemRule = { item: '按时上报', unit: '个月', quantity: 0, source: REPORTING_SOURCE };
const DEFAULT_UNITS = { visitors: '人次', weeklyHours: '小时', computers: '台' } as const;
const contexts = new WeakMap<readonly AnnexRule[], Map<string, Context>>();
function contextFor(input: PointYearInput): Context {
  let byRun = contexts.get(input.rules);
  if (!byRun) contexts.set(input.rules, (byRun = new Map()));
  const key = `${input.year}|${input.asOf.getTime()}`;
  let c = byRun.get(key);
  if (!c) {
    const rules = new Map<string, LevelRules>();
    for (const r of input.rules) {
      const key = (Object.keys(ANNEX_ITEMS) as (keyof typeof ANNEX_ITEMS)[]).find((k) => ANNEX_ITEMS[k] === r.item);
      if (!key) continue;
      if (!rules.has(r.level)) rules.set(r.level, {});
      rules.get(r.level)![key] = { item: r.item, unit: r.unit ?? DEFAULT_UNITS[key], quantity: r.quantity, source: r.source };
    }
    c = { dueMask: new Map(), weeks: new Map(), rules, final: reportDueDate(monthKey(input.year, 12)).getTime() <= input.asOf.getTime() };
    byRun.set(key, c);
  }
  return c;
}

/**
 * A point's year. Its items are worked out from the folded figures each time they are read (a
 * getter): at 100,000 points, keeping four verdict objects per point was a third of the memory,
 * and only the points shown or written out are read item by item.
 */
class AssessedYear implements PointYear {
  readonly meetsAll: boolean;
  readonly belowStandard: boolean;
  readonly hasStandard: boolean;
  constructor(
    readonly year: number,
    readonly expectedMonths: readonly number[],
    readonly reportedMonths: readonly number[],
    readonly missingMonths: readonly number[],
    readonly lateMonths: readonly number[],
    readonly final: boolean,
    readonly figures: YearFigures,
    readonly weeklyHours: number | null,
    readonly visitorsPerHour: number | null,
    private readonly rules: LevelRules | undefined,
  ) {
    this.hasStandard = Boolean(rules && (rules.visitors || rules.weeklyHours || rules.computers));
    // the verdicts alone, without the item objects: every point needs these two, few need the items
    const verdicts = [
      rules?.visitors ? this.visitorsVerdict(rules.visitors) : null,
      rules?.weeklyHours ? this.hoursVerdict(rules.weeklyHours) : null,
      this.hasStandard ? this.reportingVerdict() : null,
      rules?.computers ? this.computersVerdict(rules.computers) : null,
    ];
    this.meetsAll = this.hasStandard && verdicts.every((v) => v === null || v === 'met');
    this.belowStandard = verdicts.includes('notMet');
  }

  private visitorsTarget(rule: ItemRule): number {
    return Math.ceil((rule.quantity * this.expectedMonths.length) / 12);
  }

  private visitorsVerdict(rule: ItemRule): Verdict {
    // months missing can only add visitors: short of the target with months missing is not enough data
    const n = this.expectedMonths.length;
    return n === 0 ? 'noData' : this.figures.visitors >= this.visitorsTarget(rule) ? 'met' : this.missingMonths.length ? 'noData' : 'notMet';
  }

  private hoursVerdict(rule: ItemRule): Verdict {
    return this.weeklyHours === null ? 'noData' : this.weeklyHours >= rule.quantity ? 'met' : 'notMet';
  }

  private reportingVerdict(): Verdict {
    // annex 3: 每月5日前上报上个月的数据; a nil report is a report
    return this.expectedMonths.length === 0 ? 'noData' : this.missingMonths.length === 0 && this.lateMonths.length === 0 ? 'met' : 'notMet';
  }

  private computersVerdict(rule: ItemRule): Verdict {
    const c = this.figures.computers;
    return c === null ? 'noData' : c >= rule.quantity ? 'met' : 'notMet';
  }

  get items(): ItemVerdict[] {
    const { figures: f, expectedMonths: expected, weeklyHours, rules } = this;
    const items: ItemVerdict[] = [];
    const visitorsRule = rules?.visitors;
    if (visitorsRule) {
      const n = expected.length;
      const target = this.visitorsTarget(visitorsRule);
      const verdict = this.visitorsVerdict(visitorsRule);
      items.push({ key: 'visitors', verdict, value: n ? f.visitors : null, target: n ? target : null, gap: verdict === 'met' || n === 0 ? null : target - f.visitors, rule: visitorsRule });
    }
    const hoursRule = rules?.weeklyHours;
    if (hoursRule) {
      const verdict = this.hoursVerdict(hoursRule);
      items.push({ key: 'weeklyHours', verdict, value: weeklyHours === null ? null : round1(weeklyHours), target: hoursRule.quantity, gap: verdict === 'notMet' ? round1(hoursRule.quantity - weeklyHours!) : null, rule: hoursRule });
    }
    if (this.hasStandard) {
      const onTime = this.reportedMonths.length - this.lateMonths.length;
      const verdict = this.reportingVerdict();
      items.push({ key: 'reporting', verdict, value: onTime, target: expected.length, gap: verdict === 'notMet' ? expected.length - onTime : null, rule: REPORTING_RULE });
    }
    const computersRule = rules?.computers;
    if (computersRule) {
      const c = f.computers;
      const verdict = this.computersVerdict(computersRule);
      items.push({ key: 'computers', verdict, value: c, target: computersRule.quantity, gap: verdict === 'notMet' ? computersRule.quantity - c! : null, rule: computersRule });
    }
    return items;
  }
}

export function assessPointYear(input: PointYearInput): PointYear {
  const { year, figures: f } = input;
  const context = contextFor(input);
  const joined = input.joinedMonth;
  let dueMask = context.dueMask.get(joined);
  if (dueMask === undefined) context.dueMask.set(joined, (dueMask = maskOf(dueMonths(year, joined, input.asOf))));
  let openWeeks = context.weeks.get(f.openMask);
  if (openWeeks === undefined) {
    openWeeks = 0;
    for (const m of monthsOf(f.openMask)) openWeeks += daysInMonth(monthKey(year, m)) / 7;
    context.weeks.set(f.openMask, openWeeks);
  }
  return new AssessedYear(
    year,
    monthsOf(dueMask | f.reportedMask),
    monthsOf(f.reportedMask),
    monthsOf(dueMask & ~f.reportedMask),
    monthsOf(f.lateMask),
    context.final,
    f,
    openWeeks > 0 ? f.openHours / openWeeks : null,
    f.openHours > 0 ? f.visitors / f.openHours : null,
    context.rules.get(input.level),
  );
}

/** The line a person reads for one item: the figure, the threshold, and why. */
export function describeItem(item: ItemVerdict, y: PointYear): string {
  const missingNote = y.missingMonths.length ? `，缺 ${y.missingMonths.length} 个月的月报（${monthList(y.missingMonths)}）` : '';
  switch (item.key) {
    case 'visitors': {
      const n = y.expectedMonths.length;
      if (n === 0) return `${item.rule.item}：还没有到期的月报，无法判断`;
      const basis = n === 12 ? `要求不少于 ${item.rule.quantity} ${item.rule.unit}` : `要求全年不少于 ${item.rule.quantity} ${item.rule.unit}，按 ${n} 个月折算应达 ${item.target} ${item.rule.unit}`;
      if (item.verdict === 'met') return `${item.rule.item} ${item.value} ${item.rule.unit}，${basis}，达标`;
      if (item.verdict === 'noData') return `${item.rule.item}已报 ${item.value} ${item.rule.unit}，${basis}，差 ${item.gap} ${item.rule.unit}${missingNote}，数据不全无法判断`;
      return `${item.rule.item} ${item.value} ${item.rule.unit}，${basis}，差 ${item.gap} ${item.rule.unit}`;
    }
    case 'weeklyHours': {
      if (item.value === null) return `${item.rule.item}：没有报开放时长的月份${missingNote}，无法判断`;
      const basis = `按开放的 ${monthsOf(y.figures.openMask).length} 个月计平均每周 ${item.value} ${item.rule.unit}，要求不少于 ${item.rule.quantity} ${item.rule.unit}`;
      return `${item.rule.item}：${basis}${item.verdict === 'met' ? '，达标' : `，差 ${item.gap} ${item.rule.unit}`}`;
    }
    case 'reporting': {
      if (item.verdict === 'noData') return `${item.rule.item}：还没有到期的月报`;
      if (item.verdict === 'met') return `${item.rule.item}：${y.expectedMonths.length} 个月全部按时报送`;
      const parts = [y.missingMonths.length ? `缺报 ${y.missingMonths.length} 个月（${monthList(y.missingMonths)}）` : '', y.lateMonths.length ? `逾期 ${y.lateMonths.length} 个月（${monthList(y.lateMonths)}）` : ''].filter(Boolean);
      return `${item.rule.item}：应报 ${y.expectedMonths.length} 个月，已报 ${y.reportedMonths.length}，按时 ${item.value}；${parts.join('，')}`;
    }
    case 'computers': {
      if (y.figures.computers === null) return `${item.rule.item}：月报里没有填可用电脑台数，无法判断（要求 ${item.rule.quantity} ${item.rule.unit}）`;
      return `${item.rule.item}：${y.figures.computersMonth}月报可用 ${item.value} ${item.rule.unit}，要求 ${item.rule.quantity} ${item.rule.unit}${item.verdict === 'met' ? '，达标' : `，差 ${item.gap} ${item.rule.unit}`}`;
    }
  }
}
