// Annex 1 of the source document (东莞市文化共享工程基层服务点配置及服务标准) as Rule rows. The annex has
// exactly two tables, town level and village level; schools and enterprises have no table of their own.
// Figures and notes are quoted as the document writes them (the village TV is "1套", the town TV "1台").
// The bandwidth row is not a separate line of the annex: it is the figure in the computers' note,
// kept as its own row so a self-check can compare a stated bandwidth against it.
import type { Db } from '../../bot/db/client.ts';

export interface RuleSeed {
  level: 'town' | 'village';
  category: '硬件要求' | '服务场所' | '服务要求' | '其他要求';
  item: string;
  quantity: number | null;
  unit: string | null;
  comparator: '>=' | '=' | null;
  note: string | null;
  keywords: string | null;
  sortOrder: number;
  source: string;
}

const LEVEL_TITLE = { town: '镇级基层服务点', village: '村级基层服务点' } as const;

function source(level: 'town' | 'village', category: RuleSeed['category']): string {
  return `附件1 · ${LEVEL_TITLE[level]} · ${category}`;
}

interface Figures {
  computers: number;
  bandwidth: { quantity: number; unit: string; text: string };
  tvUnit: string;
  hasProjector: boolean;
  funding: number;
  hours: number;
  visitors: number;
}

const TOWN: Figures = {
  computers: 5,
  bandwidth: { quantity: 2, unit: 'M/s', text: '2M/s' },
  tvUnit: '台',
  hasProjector: true,
  funding: 10000,
  hours: 40,
  visitors: 1000,
};

const VILLAGE: Figures = {
  computers: 2,
  bandwidth: { quantity: 512, unit: 'k/s', text: '512k/s' },
  tvUnit: '套',
  hasProjector: false,
  funding: 1000,
  hours: 30,
  visitors: 500,
};

function rulesOf(level: 'town' | 'village', f: Figures): RuleSeed[] {
  const rows: RuleSeed[] = [];
  let order = 0;
  const add = (row: Omit<RuleSeed, 'level' | 'sortOrder' | 'source'>): void => {
    order += 10;
    rows.push({ ...row, level, sortOrder: order, source: source(level, row.category) });
  };
  const computersNote = `供大众使用，接入互联网，总带宽≥${f.bandwidth.text}`;
  add({ category: '硬件要求', item: '电脑', quantity: f.computers, unit: '台', comparator: '>=', note: computersNote,
    keywords: '电脑,计算机,电脑台数,台式机,PC,服务用机,机器' });
  add({ category: '硬件要求', item: '总带宽', quantity: f.bandwidth.quantity, unit: f.bandwidth.unit, comparator: '>=',
    note: `总带宽≥${f.bandwidth.text}（附件1“电脑”一行的备注）`, keywords: '带宽,宽带,网速,上网,互联网,网络,网线,光纤' });
  add({ category: '硬件要求', item: 'DVD播放机', quantity: 1, unit: '台', comparator: '>=',
    note: '用于播放市文化共享工程视频节目', keywords: 'DVD,影碟机,播放机,碟机' });
  add({ category: '硬件要求', item: '电视机', quantity: 1, unit: f.tvUnit, comparator: '>=', note: null,
    keywords: '电视,电视机' });
  if (f.hasProjector) {
    add({ category: '硬件要求', item: '投影机、投影幕', quantity: 1, unit: '套', comparator: '>=', note: null,
      keywords: '投影,投影机,投影仪,投影幕,幕布' });
    add({ category: '硬件要求', item: '有源音箱', quantity: 1, unit: '套', comparator: '>=', note: null,
      keywords: '音箱,音响,有源音箱,喇叭' });
  }
  add({ category: '服务场所', item: '电子阅读室（区）', quantity: null, unit: null, comparator: null,
    note: '环境作适当布置，如张贴文化共享工程简介、资源介绍、服务制度等', keywords: '电子阅读室,阅读室,阅览室,场所,场地,环境布置,布置' });
  add({ category: '服务要求', item: '年运行经费', quantity: f.funding, unit: '元', comparator: '>=',
    note: `不少于${f.funding}元`, keywords: '经费,运行经费,资金,费用,投入' });
  add({ category: '服务要求', item: '专职工作人员', quantity: 1, unit: '人', comparator: '>=', note: '不少于1人',
    keywords: '专职,工作人员,人员,管理员,专人' });
  add({ category: '服务要求', item: '平均每周开放时间', quantity: f.hours, unit: '小时', comparator: '>=',
    note: `不少于${f.hours}小时`, keywords: '开放时间,开放时长,开放,开门,营业' });
  add({ category: '服务要求', item: '年服务人次', quantity: f.visitors, unit: '人次', comparator: '>=',
    note: `不少于${f.visitors}人次`, keywords: '服务人次,人次,接待,读者,访问量' });
  add({ category: '其他要求', item: '管理制度和用户服务指南', quantity: null, unit: null, comparator: null,
    note: '有相应的管理制度和用户服务指南', keywords: '管理制度,制度,服务指南,用户指南' });
  add({ category: '其他要求', item: '公益性服务与宣传推广', quantity: null, unit: null, comparator: null,
    note: '坚持公益性服务，加大向群众宣传推广的力度', keywords: '公益,公益性,宣传,推广,收费' });
  add({ category: '其他要求', item: '工作记录', quantity: null, unit: null, comparator: null,
    note: '工作记录完整规范（包括每天开放时间，服务情况和活动举办情况等）', keywords: '工作记录,记录,台账,登记' });
  return rows;
}

export const RULE_SEEDS: readonly RuleSeed[] = [...rulesOf('town', TOWN), ...rulesOf('village', VILLAGE)];

/** Creates the annex-1 rows that are missing; rows an operator edited are left as they are. */
export async function seedRules(db: Db): Promise<void> {
  for (const row of RULE_SEEDS) {
    await db.rule.upsert({
      where: { level_item: { level: row.level, item: row.item } },
      create: row,
      update: {},
    });
  }
}
