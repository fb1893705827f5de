// The acceptance application's path as a pure state machine (二（一）2–3, 五（三）): the point applies,
// its town's 镇文广中心 stamps it (or returns it), the 市支中心 receives it, inspects within two working
// weeks and passes it (plaque) or fails it with 整改意见, after which the point resubmits. Who may take
// each step is decided here, from the actor's directory entry alone; the store applies the outcome.
import { isServicePointLevel } from '../../bot/domain.ts';

export const APPLICATION_STATES = ['applied', 'returned', 'resubmitted', 'townConfirmed', 'received', 'scheduled', 'passed', 'failed'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const STATE_LABELS: Record<ApplicationState, string> = {
  applied: '待镇文广中心确认盖章',
  resubmitted: '整改后重新提交，待镇文广中心确认盖章',
  returned: '镇文广中心已退回，待修改后重新提交',
  townConfirmed: '镇文广中心已确认盖章，待市支中心收件',
  received: '市支中心已收件，待安排现场验收',
  scheduled: '已安排现场验收',
  failed: '验收未通过，待整改后重新提交',
  passed: '验收通过，已授牌',
};

/** An application in one of these is still open: a point has at most one open application. */
export const OPEN_STATES: readonly ApplicationState[] = APPLICATION_STATES.filter((s) => s !== 'passed');

export type ApplicationAction = 'apply' | 'resubmit' | 'confirm' | 'return' | 'receive' | 'schedule' | 'pass' | 'fail';

export const ACTION_LABELS: Record<ApplicationAction, string> = {
  apply: '提交验收申请',
  resubmit: '重新提交验收申请',
  confirm: '确认盖章',
  return: '退回申请',
  receive: '收件',
  schedule: '安排现场验收',
  pass: '验收通过',
  fail: '验收不通过',
};

/** Whose turn an action is: the applying point, its town's culture center, or the sub-center. */
type Party = 'applicant' | 'townCultureCenter' | 'operator';

interface Transition {
  from: readonly (ApplicationState | null)[];
  to: ApplicationState;
  by: Party;
}

// null: no open application (none yet, or the last one passed: a point whose plaque was removed applies anew)
const TRANSITIONS: Record<ApplicationAction, Transition> = {
  apply: { from: [null], to: 'applied', by: 'applicant' },
  resubmit: { from: ['returned', 'failed'], to: 'resubmitted', by: 'applicant' },
  confirm: { from: ['applied', 'resubmitted'], to: 'townConfirmed', by: 'townCultureCenter' },
  return: { from: ['applied', 'resubmitted'], to: 'returned', by: 'townCultureCenter' },
  // from applied/resubmitted only where the town lists no 镇文广中心 contact: the stamped paper form arrived
  receive: { from: ['townConfirmed', 'applied', 'resubmitted'], to: 'received', by: 'operator' },
  schedule: { from: ['received', 'scheduled'], to: 'scheduled', by: 'operator' },
  pass: { from: ['received', 'scheduled'], to: 'passed', by: 'operator' },
  fail: { from: ['received', 'scheduled'], to: 'failed', by: 'operator' },
};

/** The actor as the directory knows it; null point: not bound. */
export interface ActorPoint {
  contactId: number | null;
  /** null for the command line, which is an operator's */
  point: { id: number; town: string; level: string } | null;
  /** the command line runs as an operator */
  isCli?: boolean;
}

export interface ApplicationFacts {
  state: ApplicationState | null;
  point: { id: number; town: string; level: string; isPartyEducationPoint: boolean };
  /** an operator allowed this 党员远程教育基层点 to apply anyway (二（二）1) */
  partyEducationAllowed: boolean;
  /** the town lists an active 镇文广中心 with at least one active contact */
  townHasCultureCenterContact: boolean;
}

export type Decision = { ok: true; to: ApplicationState; viaPaperForm: boolean } | { ok: false; reason: string };

export function isOperator(actor: ActorPoint): boolean {
  return actor.isCli === true || actor.point?.level === 'subCenter';
}

function partyOf(actor: ActorPoint, facts: ApplicationFacts): Party | null {
  if (isOperator(actor)) return 'operator';
  if (!actor.point) return null;
  if (actor.point.id === facts.point.id) return 'applicant';
  if (actor.point.level === 'townCultureCenter' && actor.point.town === facts.point.town) return 'townCultureCenter';
  return null;
}

const REFUSAL_BY_PARTY: Record<Party, string> = {
  applicant: '只有该服务点自己的联系人可以提交或重新提交它的验收申请。',
  townCultureCenter: '只有该服务点所在镇街的镇文广中心可以确认盖章或退回申请。',
  operator: '只有市支中心管理员可以收件、安排验收和作出验收结论。',
};

/** May this actor take this action on this application now, and where does it lead? */
export function decide(action: ApplicationAction, actor: ActorPoint, facts: ApplicationFacts): Decision {
  const t = TRANSITIONS[action];
  if (!isServicePointLevel(facts.point.level)) {
    return { ok: false, reason: '只有镇（街）、村（居）、学校、企业基层服务点可以申请验收。' };
  }
  if (partyOf(actor, facts) !== t.by) return { ok: false, reason: REFUSAL_BY_PARTY[t.by] };
  if (!t.from.includes(facts.state)) {
    if (facts.state === null) return { ok: false, reason: '该服务点目前没有进行中的验收申请。' };
    if (action === 'apply') return { ok: false, reason: `该服务点已有一份验收申请在办理中（${STATE_LABELS[facts.state]}），不能重复申请。` };
    return { ok: false, reason: `这份申请目前“${STATE_LABELS[facts.state]}”，此时不能${ACTION_LABELS[action]}。` };
  }
  if (action === 'apply' && facts.point.isPartyEducationPoint && !facts.partyEducationAllowed) {
    return {
      ok: false,
      reason: '贵点是经市党员电教中心认可的“党员远程教育基层点”，可作为本村（居）文化共享工程基层服务点，暂不需另外申请挂牌（工作方案二（二）1）。如确需申请，请联系市支中心（电话：22834125）开通。',
    };
  }
  const viaPaperForm = action === 'receive' && facts.state !== 'townConfirmed';
  if (viaPaperForm && facts.townHasCultureCenterContact) {
    return { ok: false, reason: '该镇街的镇文广中心尚未在机器人上确认盖章；请等其确认后再收件。' };
  }
  return { ok: true, to: t.to, viaPaperForm };
}

/** The point's acceptance status (ServicePoint.acceptanceStatus) after an application reaches this state. */
export function pointStatusAfter(state: ApplicationState): 'applied' | 'accepted' | 'rectification' {
  if (state === 'passed') return 'accepted';
  if (state === 'failed') return 'rectification';
  return 'applied';
}

export function parseApplicationState(s: string): ApplicationState | null {
  return (APPLICATION_STATES as readonly string[]).includes(s) ? (s as ApplicationState) : null;
}

// 每年复查 (五（三）): the sub-center re-inspects accepted town points every year.
export const REINSPECTION_RESULTS = ['passed', 'rectify', 'plaqueRemoved'] as const;
export type ReinspectionResult = (typeof REINSPECTION_RESULTS)[number];

export const REINSPECTION_LABELS: Record<ReinspectionResult, string> = {
  passed: '合格',
  rectify: '限期整改',
  plaqueRemoved: '除牌',
};

export type ReinspectionDecision = { ok: true; pointStatus: 'accepted' | 'deadlineRectification' | 'plaqueRemoved' } | { ok: false; reason: string };

/**
 * May this actor record this re-inspection result for a point with this status? 限期整改 needs a
 * deadline after the day it is recorded (local dates, YYYY-MM-DD).
 */
export function decideReinspection(
  result: ReinspectionResult,
  actor: ActorPoint,
  point: { level: string; acceptanceStatus: string },
  deadline: string | null,
  today: string,
): ReinspectionDecision {
  if (!isOperator(actor)) return { ok: false, reason: '只有市支中心管理员可以记录复查结果。' };
  if (point.level !== 'town') return { ok: false, reason: '每年复查的对象是镇（街）基层服务点（工作方案五（三））。' };
  if (point.acceptanceStatus !== 'accepted' && point.acceptanceStatus !== 'deadlineRectification') {
    return { ok: false, reason: '该服务点目前不是已验收挂牌（或限期整改中）的服务点，无需复查。' };
  }
  if (result === 'rectify') {
    if (!deadline) return { ok: false, reason: '限期整改需要写明整改期限，例如“限期整改 12月31日”。' };
    if (deadline <= today) return { ok: false, reason: `整改期限 ${deadline} 不在今天之后，请写一个以后的日期。` };
  }
  return { ok: true, pointStatus: result === 'passed' ? 'accepted' : result === 'rectify' ? 'deadlineRectification' : 'plaqueRemoved' };
}
