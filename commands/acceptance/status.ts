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
