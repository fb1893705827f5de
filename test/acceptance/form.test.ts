// Annex 2's fields from one message, each field's check, prefill, and the self-check against annex 1.
import { describe, expect, it } from 'vitest';
import { missingRequired, parseFormMessage, prefillForm, readField, type ApplicationForm } from '../../commands/acceptance/form.ts';
import { formatSelfCheck, rectificationFromGaps, selfCheckForm } from '../../commands/acceptance/selfcheck.ts';
import { parseChineseDay, formatChineseDay } from '../../commands/acceptance/dates.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';

describe('one message, every field', () => {
  it('reads the whole form written as the annex labels it', () => {
    const msg = '申请单位名称：石龙镇图书馆；详细地址：石龙镇中山路8号；联系人：李明；联系电话：0769-86612345；手机：13800002001；' +
      '传真：86612346；E-mail：slts@example.cn；电脑（台）：5；DVD播放机（台）：1；电视机（台）：1；投影机、投影幕（套）：1；有源音箱（台）：2；' +
      '其它设备：扫描仪一台；上网方式与带宽：光纤 10M；场所面积（m2）：120；专职工作人员（名）：2；备注：无；总投入资金：5万元';
    const p = parseFormMessage(msg);
    expect(p.problems).toEqual([]);
    expect(p.values).toEqual({
      unitName: '石龙镇图书馆', address: '石龙镇中山路8号', contactName: '李明', phone: '0769-86612345', mobile: '13800002001',
      fax: '86612346', email: 'slts@example.cn', computers: 5, dvdPlayers: 1, tvs: 1, projectors: 1, speakers: 2,
      otherEquipment: '扫描仪一台', internet: '光纤 10M', area: 120, staff: 2, remarks: '无', totalInvestment: 50000,
    });
    expect(missingRequired(p.values)).toEqual([]);
    expect(p.notes).toContain('“5万元”按50000元记录');
  });

  it.each<[string, string, ApplicationForm]>([
    ['counts said before the item', '我们有5台电脑，两台电视机，1套投影', { computers: 5, tvs: 2, projectors: 1 }],
    ['counts after the item, full-width digits', '电脑３台，音箱1台，DVD 1台', { computers: 3, speakers: 1, dvdPlayers: 1 }],
    ['没有 for a count', '投影仪：没有，电脑2台', { projectors: 0, computers: 2 }],
    ['units in the value', '面积80平方米，工作人员1名，投入资金12000元', { area: 80, staff: 1, totalInvestment: 12000 }],
    ['aliases for contacts', '联系人：王芳，手机号 138-0000-2101，邮箱 wf@example.cn', { contactName: '王芳', mobile: '13800002101', email: 'wf@example.cn' }],
    ['a field said twice keeps the last', '电脑2台，电脑3台', { computers: 3 }],
  ])('%s', (_, msg, expected) => {
    const p = parseFormMessage(msg);
    expect(p.problems).toEqual([]);
    expect(p.values).toEqual(expected);
  });

  it.each<[string, string]>([
    ['电脑：一千台', '电脑：“一千台”超出了合理范围'],
    ['电脑：2.5台', '电脑：“2.5”不是整数'],
    ['手机：1380000', '手机：“1380000”不是11位手机号'],
    ['E-mail：abc', 'E-mail：“abc”不是有效的邮箱地址'],
    ['场所面积：很大', '场所面积：请写一个数字'],
    ['联系电话：abc', '联系电话：“abc”不像电话号码'],
    ['专职工作人员：', '专职工作人员：没有填写内容'],
  ])('names the field of a wrong figure: %s', (msg, message) => {
    const p = parseFormMessage(msg);
    expect(p.problems.map((x) => x.message).join('\n')).toContain(message);
    expect(Object.keys(p.values)).toEqual([]);
  });

  it('reads a single answer in the guided dialogue', () => {
    expect(readField('totalInvestment', '两万')).toEqual({ ok: true, value: 20000, note: '“两万”按20000元记录' });
    expect(readField('computers', '无')).toEqual({ ok: true, value: 0 });
  });
});

describe('prefill', () => {
  it('takes the unit, the contact and the computers of the latest report', () => {
    const p = prefillForm({
      point: { town: '石龙镇', name: '示例一村', level: 'village' },
      contact: { name: '周村联', mobile: '13800002101', email: null },
      latestReport: { month: '2026-10', figures: { computers: 3, visitors: 120 } },
    });
    expect(p.form).toEqual({ unitName: '石龙镇示例一村', contactName: '周村联', mobile: '13800002101', computers: 3 });
    expect(p.sources.join('；')).toContain('电脑台数取自2026-10月报');
  });
});

describe('self-check against annex 1', () => {
  const form: ApplicationForm = { computers: 3, dvdPlayers: 1, tvs: 1, projectors: 0, speakers: 1, internet: '光纤 1M', staff: 1 };
  it('names what would fail a town point’s inspection, with the gap', () => {
    const check = selfCheckForm(form, { weeklyHours: 42, yearlyVisitors: 800, basis: '2026年1—10月' }, RULE_SEEDS, 'town');
    const byItem = Object.fromEntries(check.verdicts.map((v) => [v.item, v.verdict]));
    expect(byItem).toMatchObject({ 电脑: 'notMet', 总带宽: 'notMet', DVD播放机: 'met', '投影机、投影幕': 'notMet', 平均每周开放时间: 'met', 年服务人次: 'notMet', 年运行经费: 'notStated' });
    expect(check.verdicts.find((v) => v.item === '电脑')?.gap).toBe(2);
    const text = formatSelfCheck(check);
    expect(text).toContain('现场验收时会不通过');
    expect(text).toContain('✗ 电脑：申请表填3，未达标，低于镇级标准5台（差2台）');
    expect(text).toContain('需现场核查');
    expect(rectificationFromGaps(check)[0]).toContain('电脑');
  });

  it('holds a village point against the village table', () => {
    const check = selfCheckForm(form, null, RULE_SEEDS, 'village');
    const byItem = Object.fromEntries(check.verdicts.map((v) => [v.item, v.verdict]));
    expect(byItem).toMatchObject({ 电脑: 'met', 总带宽: 'met', 平均每周开放时间: 'notStated' });
    expect(byItem['投影机、投影幕']).toBeUndefined();
  });

  it('says a school is held against the village table (annex 1 has none of its own)', () => {
    const check = selfCheckForm(form, null, RULE_SEEDS, 'school');
    expect(check.level).toBe('village');
    expect(formatSelfCheck(check)).toContain('学校、企业服务点按村级（最低配置）对照');
  });

  it('marks a bandwidth not given as unclear', () => {
    const check = selfCheckForm({ internet: 'ADSL' }, null, RULE_SEEDS, 'village');
    expect(check.verdicts.find((v) => v.item === '总带宽')?.verdict).toBe('unclear');
  });
});

describe('dates in Chinese (the language layer), shown with year and weekday', () => {
  const now = new Date('2026-12-02T02:00:00Z');
  it.each([
    ['12月15日', '2026-12-15'], ['12月15号', '2026-12-15'], ['1月5日', '2027-01-05'], ['2027年1月5日', '2027-01-05'],
    ['2026-12-20', '2026-12-20'], ['明天', '2026-12-03'], ['下周三', '2026-12-09'],
  ])('%s is %s', (text, day) => {
    expect(parseChineseDay(text, now)).toEqual({ ok: true, day });
  });
  it.each(['2月30日', '下下下周', '13月1日'])('%s is refused', (text) => {
    const r = parseChineseDay(text, now);
    expect(!r.ok && r.error).toContain('不是一个有效的日期');
  });
  it('shows the weekday', () => expect(formatChineseDay('2026-12-15')).toBe('2026年12月15日（星期二）'));
});

describe('the read-back', () => {
  it('shows every annex field, the prefill sources, the interpretations and what is missing', async () => {
    const { formatReadBack, FORM_FIELDS } = await import('../../commands/acceptance/form.ts');
    const text = formatReadBack({ unitName: '石龙镇图书馆', computers: 5, totalInvestment: 50000 }, ['申请单位名称取自通信名录'], ['“5万元”按50000元记录']);
    for (const f of FORM_FIELDS) expect(text).toContain(`${f.label}：`);
    expect(text).toContain('电脑：5台');
    expect(text).toContain('总投入资金：50000元');
    expect(text).toContain('请核对：“5万元”按50000元记录');
    expect(text).toContain('还缺：详细地址、联系人、手机、DVD播放机');
    expect(FORM_FIELDS.every((f) => f.question.length > 0)).toBe(true);
  });
});
