// What /acceptance status and `gxgc acceptance list` show: every application by state and town,
// overdue inspections first; and the rows of the export. Pure.
import { formatChineseDay } from './dates.ts';
import { APPLICATION_STATES, STATE_LABELS, type ApplicationState } from './machine.ts';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import type { ApplicationSummary } from '../../bot/db/acceptance.ts';
import { localDateTimeString } from '../../bot/time.ts';

const AWAITING_INSPECTION: readonly ApplicationState[] = ['received', 'scheduled'];

export function isOverdue(a: ApplicationSummary, today: string): boolean {
  return AWAITING_INSPECTION.includes(a.state) && a.deadline !== null && a.deadline < today;
}

function label(a: ApplicationSummary): string {
  return a.point.name.startsWith(a.point.town) ? a.point.name : `${a.point.town} ${a.point.name}`;
}

function line(a: ApplicationSummary): string {
  const parts = [`#${a.id} ${label(a)}`];
  if (a.version > 1) parts.push(`第${a.version}版`);
  if (a.deadline && AWAITING_INSPECTION.includes(a.state)) parts.push(`期限${formatChineseDay(a.deadline)}${a.deadlineProvisional ? '（暂按周一至周五计）' : ''}`);
  if (a.scheduledOn && a.state === 'scheduled') parts.push(`定于${formatChineseDay(a.scheduledOn)}验收`);
  if (a.plaqueOn && a.state === 'passed') parts.push(`授牌${formatChineseDay(a.plaqueOn)}`);
  return `· ${parts.join('，')}`;
}

/** The overview; `scope` names whose applications these are ("全市", "石龙镇"). */
export function formatApplications(apps: readonly ApplicationSummary[], today: string, scope: string): string {
  if (!apps.length) return `${scope}目前没有验收申请。`;
  const lines = [`【验收申请 · ${scope}】共 ${apps.length} 份`];
  const overdue = apps.filter((a) => isOverdue(a, today));
  if (overdue.length) {
    lines.push(`⚠ 已超过两个工作周仍未验收（${overdue.length}）：`);
    lines.push(...overdue.map(line));
  }
  for (const state of APPLICATION_STATES) {
    const inState = apps.filter((a) => a.state === state && !isOverdue(a, today));
    if (!inState.length) continue;
    lines.push(`${STATE_LABELS[state]}（${inState.length}）：`);
    const towns = [...new Set(inState.map((a) => a.point.town))].sort((x, y) => x.localeCompare(y, 'zh-Hans-CN'));
    for (const town of towns) lines.push(...inState.filter((a) => a.point.town === town).map(line));
  }
  return lines.join('\n');
}

export const EXPORT_HEADER = ['编号', '镇街', '服务点', '级别', '状态', '版本', '收件日期', '验收期限', '期限按周一至周五计', '验收日期', '授牌日期', '是否逾期', '提交时间', '更新时间'];

export function exportRows(apps: readonly ApplicationSummary[], today: string): (string | number)[][] {
  return apps.map((a) => [
    a.id,
    a.point.town,
    a.point.name,
    POINT_LEVEL_LABELS[a.point.level as PointLevel] ?? a.point.level,
    STATE_LABELS[a.state],
    a.version,
    a.receivedOn ?? '',
    a.deadline ?? '',
    a.deadlineProvisional ? '是' : '',
    a.scheduledOn ?? '',
    a.plaqueOn ?? '',
    isOverdue(a, today) ? '是' : '否',
    localDateTimeString(a.createdAt),
    localDateTimeString(a.updatedAt),
  ]);
}

export interface ApplicationHistory {
  id: number;
  state: ApplicationState;
  version: number;
  deadline: string | null;
  scheduledOn: string | null;
  plaqueOn: string | null;
  rectification: string[];
  events: { at: Date; action: string; detail: Record<string, unknown> }[];
}

const EVENT_WORDS: Record<string, string> = {
  apply: '提交申请', resubmit: '整改后重新提交', confirm: '镇文广中心确认盖章', return: '镇文广中心退回',
  receive: '市支中心收件', schedule: '安排现场验收', pass: '验收通过', fail: '验收不通过',
};

/** 我的验收申请: where the point's application stands, what comes next, and each step so far. */
export function formatMyApplication(app: ApplicationHistory | null): string {
  if (!app) return '贵服务点还没有验收申请。回复“验收申请”即可开始填写（附件2《验收申请表》）。';
  const lines = [`【我的验收申请 #${app.id}】${STATE_LABELS[app.state]}（第${app.version}版）`];
  if (app.deadline && AWAITING_INSPECTION.includes(app.state)) lines.push(`市支中心须在${formatChineseDay(app.deadline)}前到现场验收。`);
  if (app.scheduledOn && app.state === 'scheduled') lines.push(`现场验收定于${formatChineseDay(app.scheduledOn)}。`);
  if (app.state === 'passed' && app.plaqueOn) lines.push(`已授予“文化共享工程基层服务点”牌匾（${formatChineseDay(app.plaqueOn)}）。`);
  if (app.state === 'failed') lines.push('整改意见：', ...app.rectification.map((o, i) => `${i + 1}. ${o}`), '整改后回复“重新提交验收申请”。');
  if (app.state === 'returned') {
    const last = [...app.events].reverse().find((e) => e.action === 'return');
    lines.push(`退回原因：${String(last?.detail.reason ?? '（未写明）')}`, '修改后回复“重新提交验收申请”。');
  }
  lines.push('经过：', ...app.events.map((e) => `· ${localDateTimeString(e.at)} ${EVENT_WORDS[e.action] ?? e.action}`));
  return lines.join('\n');
}
