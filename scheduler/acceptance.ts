// Acceptance follow-ups as pure planning, like the monthly reminders: operators are reminded two
// working days before an inspection deadline of every application not yet inspected, and told the day
// after a deadline passed; in the re-inspection window (default 10–11月) they get the accepted town
// points not yet re-inspected that year; a point under 限期整改 past its deadline is put before them.
// Dedupe keys make each go out once per application / year / re-inspection and operator.
import { toLocal, localDateString } from '../bot/time.ts';
import { addDays } from '../bot/workdays.ts';
import { formatChineseDay } from '../commands/acceptance/dates.ts';
import { STATE_LABELS, type ApplicationState } from '../commands/acceptance/machine.ts';
import type { ReminderSettings } from './settings.ts';
import { pointLabel, type DirectoryState, type PlannedMessage } from './plan-types.ts';

export interface PendingInspection {
  id: number;
  servicePointId: number;
  state: ApplicationState;
  deadline: string;
  remindOn: string;
  scheduledOn: string | null;
}

export interface AcceptanceState extends DirectoryState {
  /** applications received and not yet decided */
  pending: PendingInspection[];
  /** town points accepted or under 限期整改, with the years they were re-inspected */
  acceptedTowns: { servicePointId: number; acceptanceStatus: string; reinspectedYears: number[]; plaqueYear: number | null }[];
  /** the latest re-inspection of each point under 限期整改 */
  rectifying: { reinspectionId: number; servicePointId: number; deadline: string }[];
}

/** A missed reminder is still sent on the next days, up to the deadline; the overdue notice for a week. */
const OVERDUE_CATCH_UP_DAYS = 7;

export function inReinspectionWindow(month: number, s: ReminderSettings): boolean {
  const from = s.reinspectionFromMonth;
  const to = s.reinspectionToMonth;
  return from <= to ? month >= from && month <= to : month >= from || month <= to;
}

export function planAcceptance(at: Date, settings: ReminderSettings, state: AcceptanceState): PlannedMessage[] {
  const local = toLocal(at);
  if (local.hour < settings.hour) return [];
  const today = localDateString(at);
  const operators = state.contacts.filter((c) => state.points.some((p) => p.id === c.servicePointId && p.level === 'subCenter'));
  const pointById = new Map(state.points.map((p) => [p.id, p]));
  const label = (id: number) => {
    const p = pointById.get(id);
    return p ? pointLabel(p) : `服务点 #${id}`;
  };
  const planned: PlannedMessage[] = [];
  const toOperators = (key: string, stage: string, text: string, servicePointId: number) => {
    for (const c of operators) {
      planned.push({ dedupeKey: `${key}:contact:${c.id}`, contactId: c.id, purpose: stage === 'reinspectionDue' || stage === 'rectificationOverdue' ? 'reinspection' : 'acceptanceReminder', text, choices: [], stage, servicePointId });
    }
  };

  for (const app of state.pending) {
    const visit = app.scheduledOn ? `已定于${formatChineseDay(app.scheduledOn)}验收` : '尚未安排验收日期';
    if (today >= app.remindOn && today <= app.deadline) {
      toOperators(
        `acceptanceReminder:${app.id}:${app.deadline}`,
        'inspectionReminder',
        `【验收期限提醒】验收申请 #${app.id} ${label(app.servicePointId)}（${STATE_LABELS[app.state]}）：须在${formatChineseDay(app.deadline)}前完成现场验收（收到申请表后两个工作周内），${visit}。`,
        app.servicePointId,
      );
    }
    if (today > app.deadline && today <= addDays(app.deadline, OVERDUE_CATCH_UP_DAYS)) {
      toOperators(
        `acceptanceOverdue:${app.id}:${app.deadline}`,
        'inspectionOverdue',
        `【验收逾期】验收申请 #${app.id} ${label(app.servicePointId)}：现场验收期限${formatChineseDay(app.deadline)}已过，尚未作出验收结论，${visit}。`,
        app.servicePointId,
      );
    }
  }

  if (inReinspectionWindow(local.month, settings)) {
    // a point given its plaque this year was just inspected
    const due = state.acceptedTowns.filter((t) => !t.reinspectedYears.includes(local.year) && (t.plaqueYear === null || t.plaqueYear < local.year));
    if (due.length) {
      const names = due.map((t) => `· ${label(t.servicePointId)}${t.acceptanceStatus === 'deadlineRectification' ? '（限期整改中）' : ''}`);
      toOperators(
        `reinspectionDue:${local.year}`,
        'reinspectionDue',
        [`【${local.year}年复查】以下 ${due.length} 个已验收挂牌的镇（街）基层服务点今年尚未复查（市支中心每年组织复查，工作方案五（三））：`, ...names.slice(0, 40), ...(names.length > 40 ? [`……等共 ${names.length} 个`] : []), '复查后请记录结果：合格、限期整改（写明期限）或除牌。'].join('\n'),
        due[0]!.servicePointId,
      );
    }
  }

  for (const r of state.rectifying) {
    if (today > r.deadline) {
      toOperators(
        `rectificationOverdue:${r.reinspectionId}`,
        'rectificationOverdue',
        `【限期整改逾期】${label(r.servicePointId)}：整改期限${formatChineseDay(r.deadline)}已过，请复查并记录结果（合格或除牌）。`,
        r.servicePointId,
      );
    }
  }
  return planned;
}
