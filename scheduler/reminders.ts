// Monthly reporting reminders as pure planning: given an instant, the schedule and who has reported,
// which messages are due. The tick (scheduler/tick.ts) loads the state and stores the plan in the
// outbox; the dedupe keys make a stage go out once per contact and month however often it runs.
//
// Source: annex 3, 三、上报时间: 每月5日前上报上个月的数据; 二(2): 如果没有新增的数据，可不填报 — in the
// bot a point says so with "本月无新增", which counts as reported.
import { addMonths, monthLabel, parseMonthKey, previousMonth, toLocal, type MonthKey } from '../bot/time.ts';
import type { ReminderSettings } from './settings.ts';
import {
  isReportingPoint,
  pointLabel,
  pointRecipients,
  type DirectoryState,
  type OutboxPurpose,
  type PlanPoint,
  type PlannedMessage,
} from './plan-types.ts';

export const REPORT_STAGES = [
  { id: 'stage1', name: 'firstReminder', label: '第一次提醒（尚未上报的服务点）', purpose: 'reportReminder', day: (s: ReminderSettings) => s.firstReminderDay },
  { id: 'stage2', name: 'secondReminder', label: '第二次提醒（仍未上报的服务点）', purpose: 'reportReminder', day: (s: ReminderSettings) => s.secondReminderDay },
  { id: 'stage3', name: 'townEscalation', label: '镇（街）未报名单', purpose: 'reportEscalation', day: (s: ReminderSettings) => s.townEscalationDay },
  { id: 'stage4', name: 'operatorSummary', label: '市支中心汇总', purpose: 'summary', day: (s: ReminderSettings) => s.operatorSummaryDay },
] as const satisfies readonly { id: string; name: string; label: string; purpose: OutboxPurpose; day: (s: ReminderSettings) => number }[];

export type ReportStageId = (typeof REPORT_STAGES)[number]['id'];

export interface ReportState extends DirectoryState {
  /** the month whose figures are chased (YYYY-MM) */
  month: MonthKey;
  /** MonthlyReport rows of that month: reported | noNewData */
  reports: { servicePointId: number; status: string }[];
}

/**
 * The stages due at this instant: on the stage's day from the configured hour, and on the
 * following catchUpDays days (all day), so a bot that was down on the 1st still reminds on the 2nd.
 */
export function dueReportStages(at: Date, settings: ReminderSettings): ReportStageId[] {
  if (!settings.enabled) return [];
  const local = toLocal(at);
  return REPORT_STAGES.filter((stage) => {
    const day = stage.day(settings);
    if (local.day < day || local.day > day + settings.catchUpDays) return false;
    return local.day > day || local.hour >= settings.hour;
  }).map((s) => s.id);
}

/** The month a tick at this instant chases: the previous calendar month in Dongguan. */
export function reportMonthAt(at: Date): MonthKey {
  return previousMonth(at);
}

/** "2026年11月5日前" for the figures of 2026-10. */
export function reportDueLabel(month: MonthKey, settings: ReminderSettings): string {
  const { year, month: m } = parseMonthKey(addMonths(month, 1));
  return `${year}年${m}月${settings.dueDay}日前`;
}

function byTownThenName(a: PlanPoint, b: PlanPoint): number {
  return a.town.localeCompare(b.town, 'zh-Hans-CN') || a.name.localeCompare(b.name, 'zh-Hans-CN') || a.id - b.id;
}

export function reportDedupeKey(purpose: OutboxPurpose, month: MonthKey, stage: ReportStageId, contactId: number): string {
  return `${purpose}:${month}:${stage}:contact:${contactId}`;
}

/** Longest list of names put into one chat message; the rest is counted, not named. */
const MAX_NAMES_PER_TOWN = 15;
const MAX_SUMMARY_CHARS = 1800;

export function planReminders(at: Date, settings: ReminderSettings, state: ReportState): PlannedMessage[] {
  const stages = dueReportStages(at, settings);
  if (stages.length === 0) return [];
  const month = state.month;
  const due = reportDueLabel(month, settings);
  const label = monthLabel(month);
  const local = toLocal(at);
  const today = `${local.month}月${local.day}日`;
  const statusOf = new Map(state.reports.map((r) => [r.servicePointId, r.status]));
  const reporting = state.points.filter(isReportingPoint).sort(byTownThenName);
  const missing = reporting.filter((p) => !statusOf.has(p.id));
  const planned: PlannedMessage[] = [];

  const remind = (stage: 'stage1' | 'stage2', text: (p: PlanPoint) => string) => {
    for (const point of missing) {
      for (const contact of pointRecipients(point.id, state.contacts)) {
        planned.push({
          dedupeKey: reportDedupeKey('reportReminder', month, stage, contact.id),
          contactId: contact.id,
          purpose: 'reportReminder',
          text: text(point),
          choices: [],
          stage,
          servicePointId: point.id,
        });
      }
    }
  };

  const howTo =
    '在这里回复“月报”或 /report 即可按提示填写，也可以一句话发来，例如“开放天数22，开放时长176小时，服务人次120，活动3场”。' +
    `${label}没有新增数据的，回复“本月无新增”即可。`;

  for (const stage of stages) {
    if (stage === 'stage1') {
      // "to every point": a point that has already reported this month is not reminded of it
      remind('stage1', (p) =>
        `【月报提醒】${pointLabel(p)}：\n请于${due}上报${label}的服务数据（《数据上报办法》：每月5日前上报上个月的数据）。\n${howTo}`,
      );
    } else if (stage === 'stage2') {
      remind('stage2', (p) =>
        `【月报再次提醒】${pointLabel(p)}：\n截至${today}，尚未收到贵服务点${label}的数据，截止时间为${due}。\n${howTo}`,
      );
    } else if (stage === 'stage3') {
      for (const town of reporting.filter((p) => p.level === 'town')) {
        const villages = missing.filter((p) => p.parentId === town.id);
        const townMissing = !statusOf.has(town.id);
        if (villages.length === 0 && !townMissing) continue;
        const lines = [`【辖区月报未报名单】${pointLabel(town)}：`];
        if (villages.length > 0) {
          lines.push(`截至${today}，本镇（街）以下 ${villages.length} 个服务点尚未上报${label}的数据（截止${due}）：`);
          lines.push(...villages.slice(0, MAX_NAMES_PER_TOWN).map((v) => `· ${v.name}`));
          if (villages.length > MAX_NAMES_PER_TOWN) lines.push(`……等共 ${villages.length} 个`);
          lines.push('请督促上报（镇（街）基层服务点应做好检查、督导本镇（街）辖内各村（居）基层服务点各项工作）。');
        }
        if (townMissing) lines.push(`本镇（街）服务点自身${label}的数据也尚未上报，回复“月报”或 /report 填写。`);
        lines.push('回复“进度”或 /status 查看最新上报情况。');
        for (const contact of pointRecipients(town.id, state.contacts)) {
          planned.push({
            dedupeKey: reportDedupeKey('reportEscalation', month, 'stage3', contact.id),
            contactId: contact.id,
            purpose: 'reportEscalation',
            text: lines.join('\n'),
            choices: [],
            stage: 'stage3',
            servicePointId: town.id,
          });
        }
      }
    } else {
      const text = summaryText(month, today, reporting, statusOf);
      for (const subCenter of state.points.filter((p) => p.level === 'subCenter')) {
        // every contact of the 市支中心 entry is an operator, whatever their role says
        for (const contact of state.contacts.filter((c) => c.servicePointId === subCenter.id)) {
          planned.push({
            dedupeKey: reportDedupeKey('summary', month, 'stage4', contact.id),
            contactId: contact.id,
            purpose: 'summary',
            text,
            choices: [],
            stage: 'stage4',
            servicePointId: subCenter.id,
          });
        }
      }
    }
  }
  return planned;
}

function summaryText(month: MonthKey, today: string, reporting: PlanPoint[], statusOf: Map<number, string>): string {
  const reported = reporting.filter((p) => statusOf.get(p.id) === 'reported').length;
  const noNewData = reporting.filter((p) => statusOf.get(p.id) === 'noNewData').length;
  const missing = reporting.filter((p) => !statusOf.has(p.id));
  const done = reporting.length - missing.length;
  const rate = reporting.length === 0 ? 0 : Math.round((done / reporting.length) * 1000) / 10;
  const head = [
    `【月报汇总】${monthLabel(month)}数据上报情况（截至${today}）：`,
    `应报 ${reporting.length} 个服务点：已报 ${reported}，无新增 ${noNewData}，未报 ${missing.length}，上报率 ${rate}%。`,
  ];
  const tail = `完整名单：回复 /status，或在命令行运行 gxgc report status --month ${month}。`;
  if (missing.length === 0) return [...head, '全部服务点均已上报。'].join('\n');
  const byTown = new Map<string, PlanPoint[]>();
  for (const p of missing) byTown.set(p.town, [...(byTown.get(p.town) ?? []), p]);
  const lines = [...head, '未报服务点：'];
  let length = lines.join('\n').length + tail.length;
  let omittedTowns = 0;
  for (const [town, points] of byTown) {
    const names = points.slice(0, MAX_NAMES_PER_TOWN).map((p) => p.name).join('、');
    const line = `· ${town}（${points.length}）：${names}${points.length > MAX_NAMES_PER_TOWN ? '等' : ''}`;
    if (length + line.length + 1 > MAX_SUMMARY_CHARS) {
      omittedTowns += 1;
      continue;
    }
    lines.push(line);
    length += line.length + 1;
  }
  if (omittedTowns > 0) lines.push(`……另有 ${omittedTowns} 个镇（街）未列出。`);
  lines.push(tail);
  return lines.join('\n');
}
