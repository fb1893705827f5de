// The pure parts of the standards capability: numbers, levels, matching, self-check, checklist.
import { describe, expect, it } from 'vitest';
import { findQuantities, parseChineseNumeral } from '../../commands/standards/quantities.ts';
import { detectLevels, ruleLevelsFor } from '../../commands/standards/model.ts';
import { canonical, conceptsOf } from '../../commands/standards/text.ts';
import { checkStatements, readStatements } from '../../commands/standards/selfcheck.ts';
import { answerStandardsQuestion, standardsOverview } from '../../commands/standards/answer.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';
import { FACT_SEEDS } from '../../prisma/seed/facts.ts';

describe('Chinese numerals', () => {
  it.each([
    ['三', 3], ['两', 2], ['十', 10], ['十二', 12], ['二十五', 25], ['一百', 100], ['一千五百', 1500],
    ['两万', 20000], ['一万五千', 15000], ['零', 0],
  ])('%s = %d', (text, value) => expect(parseChineseNumeral(text)).toBe(value));

  it('rejects what is no numeral', () => expect(parseChineseNumeral('电脑')).toBeNull());
});

describe('figures with units', () => {
  it.each([
    ['3台电脑', 3, 'count'],
    ['宽带1M', 1024, 'bandwidth'],
    ['网速512k', 512, 'bandwidth'],
    ['带宽2Mbps', 2048, 'bandwidth'],
    ['经费2万元', 20000, 'money'],
    ['经费两万元', 20000, 'money'],
    ['经费1.5万', 15000, 'money'],
    ['经费800元', 800, 'money'],
    ['开放二十五个小时', 25, 'hours'],
    ['服务600人次', 600, 'visits'],
    ['专职人员1名', 1, 'people'],
    ['每周开放5天', 5, 'days'],
  ])('%s', (text, value, dimension) => {
    const [q] = findQuantities(text);
    expect(q).toMatchObject({ value, dimension });
  });

  it('an area is no bandwidth and a place name is no figure', () => {
    expect(findQuantities('场所面积50m2').every((q) => q.dimension !== 'bandwidth')).toBe(true);
    expect(findQuantities('万江街道')).toEqual([]);
  });
});

describe('levels', () => {
  it.each([
    ['村级服务点需要几台电脑', ['village']],
    ['我们社区要几台电脑', ['village']],
    ['街道服务点开放多久', ['town']],
    ['镇级和村级有什么区别', ['town', 'village']],
    ['厚街镇新塘村要几台电脑', ['village']],
    ['镇文广中心盖章', []],
    ['学校服务点', ['school']],
    ['企业要几台电脑', ['enterprise']],
    ['电脑要几台', []],
  ])('%s', (q, levels) => expect(detectLevels(q)).toEqual(levels));

  it('schools, enterprises and unknown askers get both tables', () => {
    expect(ruleLevelsFor(['school'])).toEqual(['town', 'village']);
    expect(ruleLevelsFor([])).toEqual(['town', 'village']);
    expect(ruleLevelsFor(['village'])).toEqual(['village']);
  });
});

describe('synonyms', () => {
  it('map the words people use to the words of the document', () => {
    expect(canonical('计算机')).toBe('电脑');
    expect(canonical('投影仪')).toBe('投影');
    expect(canonical('开放时长')).toBe('开放时间');
    expect(canonical('网速')).toBe('带宽');
    expect(conceptsOf('村委要几台计算机')).toContain('电脑');
  });
});

describe('self-check', () => {
  const statements = readStatements('我们有3台电脑，宽带1M，每周开放25小时', RULE_SEEDS);

  it('reads each figure to its item', () => {
    expect(statements.map((s) => [s.item, s.value])).toEqual([
      ['电脑', 3],
      ['总带宽', 1024],
      ['平均每周开放时间', 25],
    ]);
  });

  it('judges each item of the level: met, not met with the gap, not stated', () => {
    const verdicts = checkStatements(statements, RULE_SEEDS, 'village');
    const by = (item: string) => verdicts.find((v) => v.item === item)!;
    expect(by('电脑').verdict).toBe('met');
    expect(by('总带宽').verdict).toBe('met');
    expect(by('平均每周开放时间')).toMatchObject({ verdict: 'notMet', gap: 5 });
    expect(by('年运行经费').verdict).toBe('notStated');
    const town = checkStatements(statements, RULE_SEEDS, 'town');
    expect(town.find((v) => v.item === '总带宽')).toMatchObject({ verdict: 'notMet', gap: 1 });
  });

  it('says so when the level has no such requirement', () => {
    const verdicts = checkStatements(readStatements('我们有1套投影仪和2台电脑', RULE_SEEDS), RULE_SEEDS, 'village');
    expect(verdicts.find((v) => v.item === '投影机、投影幕')?.verdict).toBe('notRequired');
  });

  it('the answer quotes the gap', () => {
    const a = answerStandardsQuestion('我们有3台电脑，宽带1M，每周开放25小时', RULE_SEEDS, FACT_SEEDS, { pointLevel: 'village' });
    expect(a.kind).toBe('selfCheck');
    expect(a.text).toContain('25小时，未达标，低于村级标准30小时');
  });
});

describe('answers', () => {
  it('a village question: 2 computers and 512k/s, with the source', () => {
    const a = answerStandardsQuestion('村级服务点需要几台电脑？', RULE_SEEDS, FACT_SEEDS);
    expect(a.text).toContain('2台');
    expect(a.text).toContain('512k/s');
    expect(a.text).toContain('附件1 · 村级基层服务点 · 硬件要求');
  });

  it('the asker’s own level is used when the question names none', () => {
    expect(answerStandardsQuestion('要几台电脑', RULE_SEEDS, FACT_SEEDS, { pointLevel: 'town' }).text).toContain('5台');
    expect(answerStandardsQuestion('要几台电脑', RULE_SEEDS, FACT_SEEDS, { pointLevel: 'town' }).text).not.toContain('2台');
  });

  it('answers from the rows it is given, not from built-in figures', () => {
    const edited = RULE_SEEDS.map((r) => (r.level === 'village' && r.item === '电脑' ? { ...r, quantity: 3 } : r));
    expect(answerStandardsQuestion('村级服务点需要几台电脑？', edited, FACT_SEEDS).text).toContain('3台');
  });

  it('off-topic text gets the help, with a low confidence', () => {
    const a = answerStandardsQuestion('今天天气怎么样', RULE_SEEDS, FACT_SEEDS);
    expect(a.kind).toBe('help');
    expect(a.confidence).toBeLessThan(0.1);
    expect(a.confidence).toBeGreaterThan(0);
  });

  it('the overview lists the asker’s table', () => {
    const text = standardsOverview(RULE_SEEDS, FACT_SEEDS, 'village');
    expect(text).toContain('电脑：2台');
    expect(text).not.toContain('有源音箱');
  });
});

describe('seed data', () => {
  it('has both annex-1 tables, the village one without projector and speakers', () => {
    const items = (level: string) => RULE_SEEDS.filter((r) => r.level === level).map((r) => r.item);
    expect(items('town')).toContain('投影机、投影幕');
    expect(items('town')).toContain('有源音箱');
    expect(items('village')).not.toContain('投影机、投影幕');
    expect(items('village')).not.toContain('有源音箱');
    expect(new Set(RULE_SEEDS.map((r) => `${r.level}|${r.item}`)).size).toBe(RULE_SEEDS.length);
  });

  it('quotes the contact figures and addresses as the document gives them', () => {
    const all = FACT_SEEDS.map((f) => f.body).join('\n');
    for (const s of ['22834125', 'gxgc@dglib.cn', '22834101-133', 'http://learning.dglib.cn', '7-8月', 'http://xxgl.gddcn.gov.cn/Admin/Login.aspx', '每月5日前上报上个月的数据', '两个工作周']) {
      expect(all).toContain(s);
    }
  });
});
