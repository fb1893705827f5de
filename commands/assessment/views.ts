// What the chat commands and the command line show, each a query (queries.ts) folded by the pure
// functions; shared so both say the same.
import type { AssessmentQueries } from '../../bot/core/queries.ts';
import { fromLocal, monthKey, toLocal, type MonthKey } from '../../bot/time.ts';
import { reportDueDate } from '../report/months.ts';
import { drawTownChart } from './chart.ts';
import { formatModels, formatSummary, formatSupervision, type SupervisionView } from './format.ts';
import { summaryXlsxBuffer } from './summary-file.ts';
import { modelPoints, rankTowns, roundYear, type PointAssessment } from './supervision.ts';
import { summariseTowns } from './summary.ts';

/** Whether the year's last report is due: the verdicts are then the year's, not the pace. */
export function yearIsOver(year: number, asOf: Date): boolean {
  return reportDueDate(monthKey(year, 12)).getTime() <= asOf.getTime();
}

/** The year a bare /assessment means: the year of the month whose reports are now due. */
export function defaultYear(now: Date): number {
  const l = toLocal(now);
  return l.month === 1 ? l.year - 1 : l.year;
}

/** "2026", "2026年"; null when the text names no year in a sensible range. */
export function parseYear(text: string): number | null {
  const m = /^(\d{4})\s*年?(度)?$/.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  return year >= 2000 && year <= 2100 ? year : null;
}

export function scopeLabel(town: string | null): string {
  return town ?? '全市';
}

export async function supervisionView(assessment: AssessmentQueries, round: MonthKey, town: string | null, asOf: Date): Promise<SupervisionView> {
  const year = roundYear(round);
  const { points } = await assessment.assessments({ year, asOf, town });
  return { round, year, final: yearIsOver(year, asOf), asOf, scope: scopeLabel(town), towns: rankTowns(points) };
}

export async function supervisionText(assessment: AssessmentQueries, round: MonthKey, town: string | null, asOf: Date, limits: { towns: number | null; points: number | null }): Promise<string> {
  return formatSupervision(await supervisionView(assessment, round, town, asOf), limits.towns, limits.points);
}

export async function modelsText(assessment: AssessmentQueries, year: number, town: string | null, asOf: Date, limit: number | null): Promise<string> {
  const { points } = await assessment.assessments({ year, asOf, town });
  return formatModels(modelPoints(points), year, yearIsOver(year, asOf), asOf, scopeLabel(town), limit);
}

export interface SummaryBundle {
  text: string;
  xlsx: Uint8Array;
  png: Uint8Array;
  points: PointAssessment[];
}

export async function summaryBundle(assessment: AssessmentQueries, year: number, asOf: Date): Promise<SummaryBundle> {
  const { points } = await assessment.assessments({ year, asOf });
  const final = yearIsOver(year, asOf);
  const { towns, total } = summariseTowns(points);
  const [xlsx, png] = await Promise.all([
    summaryXlsxBuffer(year, points),
    drawTownChart({ title: `${year}年各镇（街）上报率与达标服务点占比${final ? '' : `（截至${toLocal(asOf).month}月${toLocal(asOf).day}日）`}`, towns }),
  ]);
  return { text: formatSummary(year, final, asOf, towns, total), xlsx, png, points };
}

/** The first instant of a year in Dongguan, for "is this year in the future". */
export function yearStart(year: number): Date {
  return fromLocal(year, 1, 1);
}
