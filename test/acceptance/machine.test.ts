// The application's path and who may take each step, as tables.
import { describe, expect, it } from 'vitest';
import { decide, decideReinspection, pointStatusAfter, type ActorPoint, type ApplicationAction, type ApplicationFacts, type ApplicationState } from '../../commands/acceptance/machine.ts';

const village = { id: 10, town: '石龙镇', level: 'village', isPartyEducationPoint: false };
const facts = (state: ApplicationState | null, over: Partial<ApplicationFacts> = {}): ApplicationFacts => ({
  state, point: village, partyEducationAllowed: false, townHasCultureCenterContact: true, ...over,
});
const own: ActorPoint = { contactId: 1, point: { id: 10, town: '石龙镇', level: 'village' } };
const neighbour: ActorPoint = { contactId: 2, point: { id: 11, town: '石龙镇', level: 'village' } };
const center: ActorPoint = { contactId: 3, point: { id: 20, town: '石龙镇', level: 'townCultureCenter' } };
const otherCenter: ActorPoint = { contactId: 4, point: { id: 21, town: '虎门镇', level: 'townCultureCenter' } };
const townPoint: ActorPoint = { contactId: 5, point: { id: 30, town: '石龙镇', level: 'town' } };
const operator: ActorPoint = { contactId: 6, point: { id: 1, town: '市支中心', level: 'subCenter' } };
const cli: ActorPoint = { contactId: null, point: null, isCli: true };
const unbound: ActorPoint = { contactId: null, point: null };

describe('the application path', () => {
  it.each<[ApplicationAction, ActorPoint, ApplicationState | null, ApplicationState]>([
    ['apply', own, null, 'applied'],
    ['confirm', center, 'applied', 'townConfirmed'],
    ['return', center, 'applied', 'returned'],
    ['resubmit', own, 'returned', 'resubmitted'],
    ['confirm', center, 'resubmitted', 'townConfirmed'],
    ['receive', operator, 'townConfirmed', 'received'],
    ['receive', cli, 'townConfirmed', 'received'],
    ['schedule', operator, 'received', 'scheduled'],
    ['schedule', operator, 'scheduled', 'scheduled'],
    ['fail', operator, 'scheduled', 'failed'],
    ['fail', operator, 'received', 'failed'],
    ['resubmit', own, 'failed', 'resubmitted'],
    ['pass', operator, 'scheduled', 'passed'],
    ['pass', cli, 'received', 'passed'],
  ])('%s by %o from %s leads to %s', (action, actor, from, to) => {
    expect(decide(action, actor, facts(from))).toEqual({ ok: true, to, viaPaperForm: false });
  });

  it.each<[string, ApplicationAction, ActorPoint, ApplicationState | null, string]>([
    ['a neighbour village applies for it', 'apply', neighbour, null, '只有该服务点自己的联系人'],
    ['the town point applies for its village', 'apply', townPoint, null, '只有该服务点自己的联系人'],
    ['an operator applies for it', 'apply', operator, null, '只有该服务点自己的联系人'],
    ['an unbound chat applies', 'apply', unbound, null, '只有该服务点自己的联系人'],
    ['a second application while one is open', 'apply', own, 'scheduled', '已有一份验收申请在办理中（已安排现场验收）'],
    ['the applicant confirms its own form', 'confirm', own, 'applied', '只有该服务点所在镇街的镇文广中心'],
    ['another town’s center confirms', 'confirm', otherCenter, 'applied', '只有该服务点所在镇街的镇文广中心'],
    ['the town point confirms (it is no 镇文广中心)', 'confirm', townPoint, 'applied', '只有该服务点所在镇街的镇文广中心'],
    ['an operator confirms', 'confirm', operator, 'applied', '只有该服务点所在镇街的镇文广中心'],
    ['the center receives', 'receive', center, 'townConfirmed', '只有市支中心管理员'],
    ['the applicant schedules', 'schedule', own, 'received', '只有市支中心管理员'],
    ['the center passes it', 'pass', center, 'scheduled', '只有市支中心管理员'],
    ['passing before receipt', 'pass', operator, 'townConfirmed', '此时不能验收通过'],
    ['scheduling before receipt', 'schedule', operator, 'applied', '此时不能安排现场验收'],
    ['confirming twice', 'confirm', center, 'townConfirmed', '此时不能确认盖章'],
    ['resubmitting a passed one', 'resubmit', own, 'passed', '此时不能重新提交验收申请'],
    ['confirming nothing', 'confirm', center, null, '没有进行中的验收申请'],
    ['receiving before the stamp where the town has a center', 'receive', operator, 'applied', '镇文广中心尚未在机器人上确认盖章'],
  ])('refuses: %s', (_, action, actor, from, reason) => {
    const d = decide(action, actor, facts(from));
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toContain(reason);
  });

  it('lets an operator record the stamped paper form where the town lists no 镇文广中心 contact', () => {
    expect(decide('receive', operator, facts('applied', { townHasCultureCenterContact: false }))).toEqual({ ok: true, to: 'received', viaPaperForm: true });
    expect(decide('receive', operator, facts('resubmitted', { townHasCultureCenterContact: false }))).toEqual({ ok: true, to: 'received', viaPaperForm: true });
  });

  it('tells a 党员远程教育基层点 it needs no application, unless an operator allowed one (二（二）1)', () => {
    const party = { ...village, isPartyEducationPoint: true };
    const refused = decide('apply', own, facts(null, { point: party }));
    expect(!refused.ok && refused.reason).toContain('暂不需另外申请挂牌');
    expect(decide('apply', own, facts(null, { point: party, partyEducationAllowed: true })).ok).toBe(true);
  });

  it.each(['subCenter', 'townCultureCenter'])('a %s entry is no service point and cannot apply', (level) => {
    const p = { id: 10, town: '石龙镇', level, isPartyEducationPoint: false };
    const d = decide('apply', { contactId: 1, point: { id: 10, town: '石龙镇', level } }, facts(null, { point: p }));
    expect(!d.ok && d.reason).toContain('只有镇（街）、村（居）、学校、企业基层服务点');
  });

  it.each<[ApplicationState, string]>([
    ['applied', 'applied'], ['resubmitted', 'applied'], ['returned', 'applied'], ['townConfirmed', 'applied'],
    ['received', 'applied'], ['scheduled', 'applied'], ['failed', 'rectification'], ['passed', 'accepted'],
  ])('the point’s status while its application is %s is %s', (state, status) => {
    expect(pointStatusAfter(state)).toBe(status);
  });
});

describe('yearly re-inspection', () => {
  const town = { level: 'town', acceptanceStatus: 'accepted' };
  it.each<[Parameters<typeof decideReinspection>[0], string | null, string]>([
    ['passed', null, 'accepted'],
    ['rectify', '2026-12-31', 'deadlineRectification'],
    ['plaqueRemoved', null, 'plaqueRemoved'],
  ])('%s (deadline %s) leaves the point %s', (result, deadline, status) => {
    expect(decideReinspection(result, operator, town, deadline, '2026-11-10')).toEqual({ ok: true, pointStatus: status });
  });

  it.each<[string, Parameters<typeof decideReinspection>, string]>([
    ['a point contact records it', ['passed', own, town, null, '2026-11-10'], '只有市支中心管理员'],
    ['a village point', ['passed', operator, { level: 'village', acceptanceStatus: 'accepted' }, null, '2026-11-10'], '镇（街）基层服务点'],
    ['a point never accepted', ['passed', operator, { level: 'town', acceptanceStatus: 'none' }, null, '2026-11-10'], '无需复查'],
    ['a point whose plaque was removed', ['rectify', operator, { level: 'town', acceptanceStatus: 'plaqueRemoved' }, '2026-12-31', '2026-11-10'], '无需复查'],
    ['限期整改 without a deadline', ['rectify', operator, town, null, '2026-11-10'], '需要写明整改期限'],
    ['限期整改 with a past deadline', ['rectify', operator, town, '2026-11-10', '2026-11-10'], '不在今天之后'],
  ])('refuses: %s', (_, args, reason) => {
    const d = decideReinspection(...args);
    expect(!d.ok && d.reason).toContain(reason);
  });
  it('re-inspects a point under 限期整改 again', () => {
    expect(decideReinspection('plaqueRemoved', operator, { level: 'town', acceptanceStatus: 'deadlineRectification' }, null, '2027-01-10')).toEqual({ ok: true, pointStatus: 'plaqueRemoved' });
  });
});
