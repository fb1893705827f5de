// A question as people type it, made ready for matching: traditional characters to simplified, a few
// English words to the document's Chinese, homophone typos of the tables' own words put right. And
// which words of a question the document never speaks of, so that the answer can say "文件没有规定"
// instead of passing a nearby fact off as the answer. Pure: the tables come in as arguments.
import { fixDomainTypos, toSimplified } from '../../bot/language/text.ts';
import type { FactRecord, RuleRecord } from './model.ts';
import { splitKeywords } from './model.ts';
import { SYNONYM_GROUPS, STOPWORDS, canonical, normalizeText, segment } from './text.ts';

// English words clerks mix in, to the document's words; whole words only
const ENGLISH: readonly [RegExp, string][] = [
  [/\bhow\s+many\b|\bhow\s+much\b/gi, '多少'],
  [/\bhow\s+long\b/gi, '多久'],
  [/\bvillages?\b|\bcommunit(?:y|ies)\b/gi, '村'],
  [/\btowns?\b|\bstreets?\b/gi, '镇'],
  [/\bschools?\b/gi, '学校'],
  [/\benterprises?\b|\bcompan(?:y|ies)\b|\bfactor(?:y|ies)\b/gi, '企业'],
  [/\bcomputers?\b|\bpcs?\b/gi, '电脑'],
  [/\bprojectors?\b/gi, '投影机'],
  [/\bspeakers?\b/gi, '音箱'],
  [/\btvs?\b|\btelevisions?\b/gi, '电视机'],
  [/\bbandwidth\b|\binternet\b|\bbroadband\b|\bnetwork\b/gi, '带宽'],
  [/\bopening\s+hours?\b|\bopen\s+hours?\b|\bhours?\b/gi, '开放时间'],
  [/\bstaff\b|\bemployees?\b/gi, '工作人员'],
  [/\bbudget\b|\bfunding\b|\bfunds?\b/gi, '经费'],
  [/\bacceptance\b|\binspection\b/gi, '验收'],
  [/\bphone\b|\btelephone\b|\bcontact\b/gi, '电话'],
  [/\btraining\b/gi, '培训'],
  [/\bpoints?\b|\bsites?\b/gi, '服务点'],
  [/\brequire(?:d|ments?)?\b|\bneeds?\b|\bstandards?\b/gi, '要求'],
  [/\b(?:for|the|a|an|of|do|does|is|are|we|i|my|our|in|at|to|what|which)\b/gi, ''],
];

/** Words the tables are written in, for homophone typos (电恼 → 电脑, 严收 → 验收). */
function vocabularyOf(rules: readonly RuleRecord[], facts: readonly FactRecord[]): string[] {
  const words = new Set<string>(['服务点', '基层服务点', '镇级', '村级', '验收', '标准', '配置', '牌匾', '最低配置']);
  for (const r of rules) {
    r.item.split(/[、（）()]/).forEach((w) => w && words.add(w));
    splitKeywords(r.keywords).forEach((w) => words.add(w));
  }
  for (const f of facts) splitKeywords(f.keywords).forEach((w) => words.add(w));
  for (const group of SYNONYM_GROUPS) group.forEach((w) => words.add(w));
  return [...words].filter((w) => /^\p{Script=Han}{2,6}$/u.test(w));
}

const vocabularies = new WeakMap<readonly RuleRecord[], WeakMap<readonly FactRecord[], string[]>>();
function vocabulary(rules: readonly RuleRecord[], facts: readonly FactRecord[]): string[] {
  let byFacts = vocabularies.get(rules);
  if (!byFacts) vocabularies.set(rules, (byFacts = new WeakMap()));
  let words = byFacts.get(facts);
  if (!words) byFacts.set(facts, (words = vocabularyOf(rules, facts)));
  return words;
}

/** The question in the tables' words: simplified, English words translated, homophone typos fixed. */
export function prepareQuestion(question: string, rules: readonly RuleRecord[], facts: readonly FactRecord[]): string {
  let q = toSimplified(question);
  if (/[a-z]{2,}/i.test(q)) {
    for (const [re, zh] of ENGLISH) q = q.replace(re, zh);
    q = q.replace(/\s{2,}/g, ' ').trim();
  }
  return fixDomainTypos(q, vocabulary(rules, facts));
}

// words of a question that ask, but name no subject: question words and everyday verbs
const ASKING = new Set([
  '谁', '哪', '啥', '咋', '怎', '么', '吗', '呢', '吧', '呀', '嘛', '哦', '嗯', '了', '的', '地', '得', '着', '过', '是', '有', '没', '没有',
  '要', '会', '能', '可', '可以', '应', '该', '应该', '想', '请', '问', '请问', '一下', '一', '下', '上', '这', '那', '这个', '那个', '这些',
  '那些', '我', '我们', '你', '你们', '他', '它', '咱', '咱们', '大家', '自己', '怎么', '怎么样', '怎样', '如何', '为什么', '为啥', '干嘛',
  '什么', '什么样', '多少', '多', '几', '哪些', '哪个', '哪里', '哪儿', '是否', '是不是', '有没有', '要不要', '能不能', '可不可以', '会不会',
  '需不需要', '还', '也', '都', '就', '才', '又', '再', '很', '太', '最', '更', '比较', '一般', '具体', '到底', '究竟', '现在', '目前', '以后',
  '之后', '后', '前', '时候', '时', '和', '与', '跟', '及', '或', '或者', '还是', '对', '给', '把', '被', '让', '在', '从', '到', '为', '按',
  '按照', '呢', '啊', '哈', '吗', '么', '个', '台', '套', '名', '人', '次', '天', '月', '年', '周', '每', '做', '办', '弄', '搞', '整', '用',
  '算', '叫', '说', '看', '找', '知道', '告诉', '帮', '帮忙', '麻烦', '您好', '你好', '老师', '谢谢', '请教', '咨询', '了解', '关于',
  '情况', '问题', '东西', '事', '事情', '方面', '这样', '那样', '这么', '那么', '样', '其他', '别的', '另外', '等', '等等', '呗', '嘞',
  '级', '村', '镇', '街', '街道', '社区', '学校', '企业', '公司', '服务点', '基层', '点', '里', '中', '内', '外', '新', '旧', '建', '开',
  // everyday verbs and adjectives that ask about a subject without being one
  '配', '达到', '不同', '一样', '区别', '大', '小', '高', '低', '长', '短', '快', '慢', '去', '来', '交', '发', '记', '干', '干什么', '符合',
  '够', '不够', '装', '放', '拿', '领', '送', '填', '写', '报', '查', '等', '过来', '上去', '下来', '起来', '不', '别', '行', '好', '花', '验',
]);

const corpora = new WeakMap<readonly RuleRecord[], WeakMap<readonly FactRecord[], Set<string>>>();

/** Every word of the tables (segmented) and of the synonym table, in canonical form. */
function corpusWords(rules: readonly RuleRecord[], facts: readonly FactRecord[]): Set<string> {
  let byFacts = corpora.get(rules);
  if (!byFacts) corpora.set(rules, (byFacts = new WeakMap()));
  let words = byFacts.get(facts);
  if (!words) {
    words = new Set<string>();
    const texts = [
      ...rules.flatMap((r) => [r.item, r.note ?? '', r.keywords ?? '', r.category, r.unit ?? '']),
      ...facts.flatMap((f) => [f.title, f.body, f.keywords ?? '']),
      ...SYNONYM_GROUPS.flat(),
    ];
    for (const t of texts) {
      for (const w of segment(t)) words.add(canonical(w));
      for (const k of t.split(/[,，、;；\s]+/)) if (k) words.add(canonical(k));
    }
    byFacts.set(facts, words);
  }
  return words;
}

/**
 * The words of a question that name something the tables never mention ("品牌", "丢", "补"): what the
 * question asks about that the document does not settle. Figures, question words and stopwords are
 * left out; a word counts as mentioned when it, or its synonym group, is a word of the tables.
 */
export function unsettledWords(question: string, rules: readonly RuleRecord[], facts: readonly FactRecord[]): string[] {
  const known = corpusWords(rules, facts);
  const isPiece = (p: string) => known.has(p) || known.has(canonical(p)) || ASKING.has(p) || STOPWORDS.has(p);
  // a word is mentioned when it splits into words of the tables and asking words (电脑桌面 = 电脑 + 桌面)
  const splits = (w: string): boolean => {
    const ok = [true, ...new Array<boolean>(w.length).fill(false)];
    for (let j = 1; j <= w.length; j++) for (let i = 0; i < j && !ok[j]; i++) ok[j] = ok[i]! && isPiece(w.slice(i, j));
    return ok[w.length]!;
  };
  const words = segment(normalizeText(question));
  // search-mode segmentation also yields parts of words ("电脑桌" of 电脑桌面): a part of a mentioned word is mentioned
  const mentioned = words.filter((w) => w.length > 2 && splits(w));
  const out: string[] = [];
  for (const w of words) {
    if (mentioned.some((m) => m !== w && m.includes(w))) continue;
    // figures ("两台", "2万元") are what a self-check reads, not subjects
    if (!/\p{Script=Han}/u.test(w) || /[\d零〇一二两三四五六七八九十百千万]/.test(w)) continue;
    if (splits(w) || out.includes(w)) continue;
    out.push(w);
  }
  // a longer word and its parts: say the longer one only
  return out.filter((w) => !out.some((o) => o !== w && o.includes(w)));
}

/** "电话：22834125", "email:gxgc@dglib.cn" from the contact fact, so an operator's edit is what is said. */
export function whomToAsk(facts: readonly FactRecord[]): string {
  const contact = facts.find((f) => f.key === 'contact.subCenter');
  if (!contact) return '请向市支中心咨询。';
  const phone = /电话[:：]?\s*([\d-]{6,})/.exec(contact.body)?.[1];
  const mail = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(contact.body)?.[0];
  const ways = [phone ? `电话 ${phone}` : null, mail ? `邮箱 ${mail}` : null].filter(Boolean).join('，');
  return ways ? `如需确认，请咨询市支中心（${ways}）。` : '请向市支中心咨询。';
}
