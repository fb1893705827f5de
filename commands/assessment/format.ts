// The texts people read: a point's year, the supervision list, the model points, the summary.
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { localDateString, monthLabel, type MonthKey } from '../../bot/time.ts';
import { problemsOf, type ModelPoint, type PointAssessment, type TownNeed } from './supervision.ts';
import { pct, type TownSummary } from './summary.ts';
import { compareChinese, describeItem, type Verdict } from './year.ts';

const MARK: Record<Verdict, string> = { met: '【达标】', notMet: '【未达标】', noData: '【数据不全】' };
const level = (l: string): string => POINT_LEVEL_LABELS[l as PointLevel] ?? l;
const round1 = (n: number): string => String(Math.round(n * 10) / 10);

function asOfLine(year: number, final: boolean, asOf: Date): string {
  return final ? `${year}年全年` : `${year}年截至 ${localDateString(asOf)}，按进度`;
}

export function formatPointYear(p: PointAssessment, asOf: Date): string {
  const y = p.year;
  const lines = [`${p.town} ${p.name}（${level(p.level)}）${asOfLine(y.year, y.final, asOf)}的评估：`];
  lines.push(`应报 ${y.expectedMonths.length} 个月，已报 ${y.reportedMonths.length}，按时 ${y.reportedMonths.length - y.lateMonths.length}；服务人次 ${y.figures.visitors}，开放 ${round1(y.figures.openHours)} 小时，活动 ${y.figures.activities} 场。`);
  if (!y.hasStandard) {
    lines.push('附件1只规定了镇级和村级服务点的配置及服务标准，这一级别没有可对照的标准。');
    return lines.join('\n');
  }
  for (const item of y.items) lines.push(`${MARK[item.verdict]}${describeItem(item, y)}`);
  lines.push(y.meetsAll ? '结论：各项均达标。' : y.belowStandard ? '结论：有未达标项，请对照整改。' : '结论：还有数据不全的项目，补报月报后再看。');
  lines.push(`依据：${[...new Set(y.items.map((i) => i.rule.source))].join('；')}。`);
  return lines.join('\n');
}

export interface SupervisionView {
  round: MonthKey;
  year: number;
  final: boolean;
  asOf: Date;
  scope: string;
  towns: TownNeed[];
}

/** towns / pointsPerTown: how many to show (null: all, for the command line). */
export function formatSupervision(v: SupervisionView, towns: number | null, pointsPerTown: number | null): string {
  const roundMonth = Number(v.round.slice(5));
  const lines = [`${monthLabel(v.round)}督导名单（${v.scope}，依据${asOfLine(v.year, v.final, v.asOf)}）`];
  if (![3, 4, 10, 11].includes(roundMonth)) lines.push('注：工作方案规定市支中心在3—4月、10—11月深入基层调研。');
  if (v.towns.length === 0) {
    lines.push('通信名录中还没有服务点。');
    return lines.join('\n');
  }
  lines.push('按需要督导的程度排序（未报率 + 未达标服务点占比 + 有未确认通知的服务点占比，限期整改逾期的每个加 1）：');
  const shown = towns === null ? v.towns : v.towns.slice(0, towns);
  shown.forEach((t, i) => {
    lines.push(`${i + 1}. ${t.town}：${t.points} 个服务点，上报率 ${pct(t.reportingRate)}，未达标 ${t.belowStandard} 个，未确认通知 ${t.unacknowledged} 条${t.overdueRectifications ? `，限期整改逾期 ${t.overdueRectifications} 个` : ''}`);
    const points = pointsPerTown === null ? t.problemPoints : t.problemPoints.slice(0, pointsPerTown);
    for (const p of points) lines.push(`   · ${p.name}：${p.problems.join('；')}`);
    if (points.length < t.problemPoints.length) lines.push(`   ……另有 ${t.problemPoints.length - points.length} 个服务点有问题（完整名单：gxgc assessment supervision --round ${v.round}）`);
    if (t.problemPoints.length === 0) lines.push('   · 各服务点没有发现问题');
  });
  if (shown.length < v.towns.length) lines.push(`……另有 ${v.towns.length - shown.length} 个镇（街），完整名单请用命令行 gxgc assessment supervision --round ${v.round}。`);
  return lines.join('\n');
}

export function formatModels(models: readonly ModelPoint[], year: number, final: boolean, asOf: Date, scope: string, limit: number | null): string {
  const lines = [`${scope}${asOfLine(year, final, asOf)}的先进典型候选（每月按时上报、附件1各项达标；按每开放小时的服务人次排序，其次活动场次）：`];
  if (models.length === 0) {
    lines.push('暂时没有符合条件的服务点。');
    return lines.join('\n');
  }
  const shown = limit === null ? models : models.slice(0, limit);
  shown.forEach((m, i) =>
    lines.push(`${i + 1}. ${m.town} ${m.name}（${level(m.level)}）：${m.months} 个月服务 ${m.visitors} 人次，开放 ${round1(m.openHours)} 小时（每小时 ${round1(m.visitorsPerHour)} 人次，平均每周 ${round1(m.weeklyHours)} 小时），活动 ${m.activities} 场`),
  );
  if (shown.length < models.length) lines.push(`……共 ${models.length} 个符合条件。`);
  return lines.join('\n');
}

export function formatSummary(year: number, final: boolean, asOf: Date, towns: readonly TownSummary[], total: TownSummary): string {
  const lines = [
    `${asOfLine(year, final, asOf)}的文化共享工程建设与服务情况：`,
    `全市 ${total.points} 个服务点，上报率 ${pct(total.reportingRate)}，按时上报率 ${pct(total.onTimeRate)}；有附件1标准的 ${total.withStandard} 个中 ${total.meetingAll} 个各项达标，${total.belowStandard} 个有未达标项；服务人次 ${total.visitors}，活动 ${total.activities} 场。`,
  ];
  // the towns that lag, if any do: three lowest reporting rates under 100%
  const lagging = [...towns].filter((t) => t.reportingRate !== null && t.reportingRate < 1).sort((a, b) => a.reportingRate! - b.reportingRate! || compareChinese(a.town, b.town)).slice(0, 3);
  if (lagging.length) lines.push(`上报率最低：${lagging.map((t) => `${t.town} ${pct(t.reportingRate)}`).join('，')}。`);
  else if (towns.some((t) => t.reportingRate !== null)) lines.push('各镇（街）应报的月报都已报送。');
  lines.push('各镇（街）及各服务点的明细见附件表格，图为各镇（街）上报率和达标服务点占比。');
  return lines.join('\n');
}

/** A town contact's view of its points: a line per point, the ones with problems first. */
export function formatTownPoints(town: string, points: readonly PointAssessment[], year: number, final: boolean, asOf: Date, limit: number | null): string {
  const meeting = points.filter((p) => p.year.meetsAll).length;
  const below = points.filter((p) => p.year.belowStandard).length;
  const lines = [`${town}${asOfLine(year, final, asOf)}的评估：${points.length} 个服务点，${meeting} 个各项达标，${below} 个有未达标项。`];
  const rank = (p: PointAssessment) => (p.year.belowStandard ? 0 : p.year.meetsAll ? 2 : 1);
  const sorted = [...points].sort((a, b) => rank(a) - rank(b) || compareChinese(a.name, b.name));
  const shown = limit === null ? sorted : sorted.slice(0, limit);
  for (const p of shown) {
    const problems = problemsOf(p);
    const state = !p.year.hasStandard ? '附件1无此级别标准' : p.year.meetsAll ? '各项达标' : p.year.belowStandard ? '有未达标项' : '数据不全';
    lines.push(`· ${p.name}（${level(p.level)}）：${state}${problems.length ? `——${problems.join('；')}` : ''}`);
  }
  if (shown.length < sorted.length) lines.push(`……另有 ${sorted.length - shown.length} 个服务点。`);
  return lines.join('\n');
}
