// The leaders' summary as an .xlsx: one sheet for the city (a row per town), one per town (a row
// per point with its figures and verdicts). Written with exceljs's streaming writer, sheet after
// sheet, so a large directory is not held twice in memory.
import { PassThrough, type Writable } from 'node:stream';
import { once } from 'node:events';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { loadExcel } from '../../bot/spreadsheet.ts';
import type { PointAssessment } from './supervision.ts';
import { summariseTowns, type TownSummary } from './summary.ts';
import { compareChinese, monthList, type ItemVerdict, type Verdict } from './year.ts';

export const VERDICT_LABELS: Record<Verdict, string> = { met: '达标', notMet: '未达标', noData: '数据不全' };
const ITEM_COLUMNS: { key: ItemVerdict['key']; label: string }[] = [
  { key: 'visitors', label: '年服务人次' },
  { key: 'weeklyHours', label: '平均每周开放时间' },
  { key: 'reporting', label: '按时上报' },
  { key: 'computers', label: '电脑' },
];

const rate = (r: number | null): number | null => (r === null ? null : Math.round(r * 1000) / 1000);

function cityRow(t: TownSummary): (string | number | null)[] {
  return [t.town, t.points, rate(t.reportingRate), rate(t.onTimeRate), t.meetingAll, t.withStandard, t.belowStandard, t.visitors, t.activities];
}

function pointRow(p: PointAssessment): (string | number | null)[] {
  const y = p.year;
  const verdict = (key: ItemVerdict['key']) => {
    const item = y.items.find((i) => i.key === key);
    return item ? VERDICT_LABELS[item.verdict] : '无标准';
  };
  const conclusion = !y.hasStandard ? '附件1无此级别标准' : y.meetsAll ? '全部达标' : y.belowStandard ? '有未达标项' : '数据不全';
  return [
    p.name,
    POINT_LEVEL_LABELS[p.level as PointLevel] ?? p.level,
    y.expectedMonths.length,
    y.reportedMonths.length,
    y.reportedMonths.length - y.lateMonths.length,
    monthList(y.missingMonths) || null,
    y.figures.visitors,
    y.figures.openHours,
    y.weeklyHours === null ? null : Math.round(y.weeklyHours * 10) / 10,
    y.figures.computers,
    y.figures.activities,
    ...ITEM_COLUMNS.map((c) => verdict(c.key)),
    conclusion,
  ];
}

/** Sheet names may not hold []:*?/\ and have at most 31 characters. */
function sheetName(name: string, used: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 28) || '镇街';
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) candidate = `${base}(${i})`;
  used.add(candidate);
  return candidate;
}

export async function writeSummaryXlsx(out: Writable, year: number, points: readonly PointAssessment[]): Promise<void> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const used = new Set<string>();
  const { towns, total } = summariseTowns(points);
  const city = workbook.addWorksheet(sheetName(`${year}年全市`, used), { views: [{ state: 'frozen', ySplit: 1 }] });
  const cityHeader = ['镇街', '服务点数', '上报率', '按时上报率', '达到附件1标准的服务点', '有附件1标准的服务点', '有未达标项的服务点', '服务人次', '活动场次'];
  city.columns = cityHeader.map((h, i) => ({ header: h, width: i === 0 ? 16 : Math.max(10, h.length * 2 + 2), style: i === 2 || i === 3 ? { numFmt: '0.0%' } : {} }));
  city.getRow(1).font = { bold: true };
  city.getRow(1).commit();
  for (const t of towns) city.addRow(cityRow(t)).commit();
  const totalRow = city.addRow(cityRow(total));
  totalRow.font = { bold: true };
  totalRow.commit();
  city.commit();

  const byTown = new Map<string, PointAssessment[]>();
  for (const p of points) {
    let list = byTown.get(p.town);
    if (!list) byTown.set(p.town, (list = []));
    list.push(p);
  }
  const pointHeader = ['服务点', '级别', '应报月数', '已报月数', '按时月数', '缺报月份', '服务人次', '开放时长（小时）', '平均每周开放（小时）', '可用电脑（台）', '活动场次', ...ITEM_COLUMNS.map((c) => c.label), '结论'];
  for (const t of towns) {
    const sheet = workbook.addWorksheet(sheetName(t.town, used), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = pointHeader.map((h, i) => ({ header: h, width: i === 0 ? 18 : Math.max(9, h.length * 2) }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    const list = byTown.get(t.town)!.sort((a, b) => compareChinese(a.name, b.name));
    for (const p of list) sheet.addRow(pointRow(p)).commit();
    sheet.commit();
  }
  await workbook.commit();
}

export async function summaryXlsxBuffer(year: number, points: readonly PointAssessment[]): Promise<Uint8Array> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const ended = once(sink, 'end');
  await writeSummaryXlsx(sink, year, points);
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}
