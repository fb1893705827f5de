// Question text: normalisation, segmentation (jieba) and the synonym table that maps the words people
// use to the words of the document. Pure apart from the lazily built segmenter.
import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';

let segmenter: Jieba | null = null;

/** The default-dictionary segmenter, built on first use (loading the dictionary takes ~100 ms). */
function jieba(): Jieba {
  if (!segmenter) {
    // the dict module reads a 5 MB file when imported, and the native module is not needed before
    // the first question, so both are required here, not at the top
    const require = createRequire(import.meta.url);
    const { Jieba: JiebaClass } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict.js') as { dict: Uint8Array };
    segmenter = JiebaClass.withDict(dict);
  }
  return segmenter;
}

/** Full-width ASCII to half-width and the ideographic space to a space; same length as the input. */
export function foldWidth(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** foldWidth, letters lower-cased, whitespace collapsed. */
export function normalizeText(input: string): string {
  return foldWidth(input)
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Word segmentation in search mode (long words and their parts), punctuation and spaces dropped. */
export function segment(text: string): string[] {
  return jieba()
    .cutForSearch(normalizeText(text), true)
    .map((w) => w.trim())
    .filter((w) => w.length > 0 && !/^[\p{P}\p{S}\s]+$/u.test(w));
}

/**
 * Each group: the canonical word first, then the words people use for it. Canonical words are those of
 * the document, so the rules' own item names and keywords fall into the same groups.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['电脑', '计算机', '电脑台数', '台式机', '台式电脑', 'pc', '微机', '服务用机'],
  ['村', '居', '社区', '村委', '村委会', '居委', '居委会', '村居', '村里', '行政村'],
  ['镇', '街', '街道', '镇街', '镇里', '街道办'],
  ['投影', '投影仪', '投影机', '投影幕', '幕布', '投影屏'],
  ['音箱', '有源音箱', '音响', '喇叭', '扩音'],
  ['电视', '电视机', '彩电'],
  ['dvd', 'dvd播放机', '影碟机', '碟机', '播放机'],
  ['开放时间', '开放时长', '开放', '开门', '营业', '开馆', '开放小时'],
  ['经费', '资金', '运行经费', '费用', '预算', '投入', '钱'],
  ['人员', '工作人员', '专职', '员工', '管理员', '专人', '专职人员'],
  ['带宽', '宽带', '网速', '网络速度', '总带宽', '上网速度'],
  ['人次', '服务人次', '接待', '访问量', '读者人次'],
  ['阅读室', '电子阅读室', '阅览室', '电子阅览室', '阅读区'],
  ['验收', '验收申请', '申请验收', '检收'],
  ['盖章', '公章', '签章', '章'],
  ['牌匾', '授牌', '挂牌', '牌子', '铭牌'],
  ['除牌', '摘牌', '撤牌', '摘除'],
  ['上报', '报数', '填报', '报送', '报数据', '月报', '报表'],
  ['多久', '多长时间', '多少天', '几天', '多快', '多少时间'],
  ['电话', '号码', '手机', '联系电话', '电话号码'],
  ['邮箱', 'email', 'e-mail', '电子邮件', '邮件', '电邮'],
  ['登录', '登陆'],
  ['培训', '培训班', '学习班'],
  ['资源', '数字资源', '资源包'],
  ['获取', '拿', '下载', '领取', '取得'],
  ['整改', '整改意见', '整顿'],
];

const CANONICAL = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  const head = group[0]!;
  for (const word of group) CANONICAL.set(normalizeText(word), head);
}

/** Longer phrases first, so that "有源音箱" is matched before "音箱" when scanning for phrases. */
const PHRASES = [...CANONICAL.keys()].filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);

export function canonical(word: string): string {
  const w = normalizeText(word);
  return CANONICAL.get(w) ?? w;
}

/** Words that carry no topic: question words, fillers, the generic words every rule shares. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  '需要', '什么', '多少', '几', '几个', '几台', '吗', '呢', '吧', '啊', '的', '了', '是', '有', '要', '我',
  '我们', '你', '你们', '请问', '请', '一下', '怎么', '怎样', '如何', '哪些', '哪个', '能', '可以', '应该',
  '必须', '得', '都', '和', '与', '及', '或', '还', '也', '就', '在', '对', '给', '个', '台', '套', '多',
  '服务点', '服务', '点', '基层', '要求', '标准', '规定', '级', '村级', '镇级', '文化', '共享', '工程',
  '文化共享', '文化共享工程', '至少', '最少', '不少', '不少于', '够', '够不够', '达标', '这个', '那个',
  '现在', '目前', '一个', '配置', '配备', '准备', '问', '问题', '关于', '情况', '东莞', '东莞市',
  '学校', '企业', '公司', '工厂', '村', '镇', '多少钱', '时间', '哪里', '哪儿', '怎么办', '什么时候', '何时',
]);

/** The topic words of a text: canonical segments plus any synonym phrase it contains, stopwords removed. */
export function conceptsOf(text: string): Set<string> {
  const norm = normalizeText(text);
  const out = new Set<string>();
  for (const w of segment(norm)) {
    // figures are what a self-check reads, not topic words
    if (/^[\d.]+[a-z/%]*$/.test(w)) continue;
    const c = canonical(w);
    if (!STOPWORDS.has(c) && !STOPWORDS.has(w)) out.add(c);
  }
  for (const phrase of PHRASES) {
    if (norm.includes(phrase)) {
      const c = CANONICAL.get(phrase)!;
      if (!STOPWORDS.has(c)) out.add(c);
    }
  }
  return out;
}
