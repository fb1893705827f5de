// Who hears of each step, with which text and dedupe key.
import { describe, expect, it } from 'vitest';
import { reinspectionNotifications, stepNotifications, type Parties, type StepNews } from '../../commands/acceptance/notify.ts';

const parties: Parties = {
  applicant: [{ contactId: 1 }, { contactId: 2 }],
  townCultureCenter: [{ contactId: 3 }],
  townPoint: [{ contactId: 4 }],
  operators: [{ contactId: 5 }, { contactId: 6 }],
};
const noCenter: Parties = { ...parties, townCultureCenter: [] };
const base = { eventId: 9, application: { id: 7, version: 1, pointLabel: '石龙镇 示例一村' } };
const news = (over: Partial<StepNews> & Pick<StepNews, 'action'>): StepNews => ({ ...base, actorContactId: null, ...over });
const who = (list: { contactId: number }[]) => list.map((n) => n.contactId);

describe('step notifications', () => {
  it.each<[string, StepNews, Parties, number[], string]>([
    ['apply: the center is asked to stamp, the applicant told', news({ action: 'apply', actorContactId: 1 }), parties, [3, 2], '请镇文广中心审核'],
    ['apply without a center: operators wait for the paper form', news({ action: 'apply', actorContactId: 1 }), noCenter, [2, 5, 6], '打印'],
    ['confirm: applicant and operators', news({ action: 'confirm', actorContactId: 3 }), parties, [1, 2, 5, 6], '镇文广中心已确认盖章'],
    ['return: the applicant with the reason', news({ action: 'return', actorContactId: 3, reason: '地址不全' }), parties, [1, 2], '原因：地址不全'],
    ['receive: applicant, town and the other operator', news({ action: 'receive', actorContactId: 5, receivedOn: '2026-02-10', deadline: '2026-03-02' }), parties, [1, 2, 3, 6], '2026年3月2日（星期一）前'],
    ['receive without a center: the town point is the town', news({ action: 'receive', actorContactId: 5, receivedOn: '2026-02-10', deadline: '2026-03-02', viaPaperForm: true }), noCenter, [1, 2, 4, 6], '盖章的纸质'],
    ['schedule past the deadline: operators warned', news({ action: 'schedule', actorContactId: null, scheduledOn: '2026-03-05', deadline: '2026-03-02', pastDeadline: true }), parties, [1, 2, 3, 5, 6], '定于2026年3月5日'],
    ['fail: opinions to applicant and town', news({ action: 'fail', actorContactId: 5, opinions: ['电脑差2台', '带宽不足'] }), parties, [1, 2, 3, 6], '1. 电脑差2台\n2. 带宽不足'],
    ['pass: the plaque', news({ action: 'pass', actorContactId: 5, plaqueOn: '2026-03-05' }), parties, [1, 2, 3, 6], '牌匾'],
  ])('%s', (_, n, p, recipients, text) => {
    const out = stepNotifications(n, p);
    expect(who(out)).toEqual(recipients);
    expect(out.map((m) => m.text).join('\n')).toContain(text);
    expect(new Set(out.map((m) => m.dedupeKey)).size).toBe(out.length);
    expect(out[0]!.dedupeKey).toBe(`acceptance:7:event:9:contact:${recipients[0]}`);
  });

  it('offers the center the confirm and return choices, bound to the application', () => {
    const [toCenter] = stepNotifications(news({ action: 'apply' }), parties);
    expect(toCenter!.choices).toEqual([{ label: '确认盖章', value: 'acceptance:confirm:7' }, { label: '退回', value: 'acceptance:return:7' }]);
  });

  it('warns operators when a visit is after the deadline', () => {
    const out = stepNotifications(news({ action: 'schedule', scheduledOn: '2026-03-05', deadline: '2026-03-02', pastDeadline: true }), parties);
    expect(out.find((m) => m.contactId === 5)!.text).toContain('已超过两个工作周的期限');
  });
});

describe('re-inspection notifications', () => {
  it.each<[Parameters<typeof reinspectionNotifications>[0]['result'], number[], string]>([
    ['passed', [1, 2, 3], '复查合格'],
    ['rectify', [1, 2, 3], '请于2026年12月31日（星期四）前完成整改'],
    ['plaqueRemoved', [1, 2, 3, 6], '除牌处理'],
  ])('%s', (result, recipients, text) => {
    const out = reinspectionNotifications({ reinspectionId: 4, result, year: 2026, pointLabel: '石龙镇图书馆', deadline: '2026-12-31', actorContactId: 5 }, parties);
    expect(who(out)).toEqual(recipients);
    expect(out[0]!.text).toContain(text);
    expect(out[0]!.dedupeKey).toBe('reinspection:4:contact:1');
  });
});
