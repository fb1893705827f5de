// The answering function of the standards capability: a question plus the current rules and facts in,
// concise Chinese out. Pure: the capability reads the tables from the database and calls this.
import type { AskerLevel, FactRecord, RuleLevel, RuleRecord } from './model.ts';
import { CATEGORIES, LEVEL_LABEL, RULE_LEVELS, askerLevelOf, detectLevels, ruleLevelsFor } from './model.ts';
import { buildTopicIndex, rankTopics, topicKey, type ScoredTopic, type Topic } from './match.ts';
import { checkStatements, describeVerdict, readStatements, ruleFigure, type ItemVerdict } from './selfcheck.ts';
import { conceptsOf } from './text.ts';
import { prepareQuestion, unsettledWords, whomToAsk } from './understand.ts';

/** unsettled: the document does not say; the answer says so and offers the nearest facts as such */
export type AnswerKind = 'rules' | 'facts' | 'checklist' | 'selfCheck' | 'help' | 'unsettled';

/** What "回复 1 查看全文" opens: the whole checklist of some levels, or one long fact. */
export type FullText = { kind: 'checklist' | 'overview'; levels: RuleLevel[] } | { kind: 'fact'; key: string };

export interface StandardsAnswer {
  kind: AnswerKind;
  text: string;
  /** how sure the answer is about the question (0..1), used as the free-text recognizer's score */
  confidence: number;
  /** the annex-1 tables the answer used */
  levels: RuleLevel[];
  /** the answer is a summary; this is what the full text is (offered as a choice) */
  full?: FullText;
}

export interface AnswerOptions {
  /** ServicePoint.level of the asker, when known (village, town, school, enterprise, subCenter) */
  pointLevel?: string | null;
  /** force the checklist (the /acceptance command) */
  checklist?: boolean;
}

/** the checklist is itself a fact, so its trigger words live in the data and operators can edit them */
export const CHECKLIST_FACT_KEY = 'acceptance.checklist';
const PROCESS_PREFIX = 'acceptance.';
const FORM_FACT_KEY = 'acceptance.form';

/** below this a question is taken as off-topic; one specific topic word scores about 3 */
const MIN_SCORE = 2.5;
/** other topics are answered too when they score this close to the best one */
const NEAR_BEST = 0.9;
const MAX_TOPICS = 3;

const ASSESS = /达标|够不够|够吗|够了吗|足够|符合|合格|满足|行不行|行吗|可以吗|能不能|能否|通过吗|自查|差多少|差距|还差|缺什么|缺哪些|对照/;
const OWN = /我们|我村|本村|本镇|我镇|本社区|我社区|现有|已有|目前有|现在有|我这|我们这/;

// "有什么标准", "最低配置", "要求有哪些": the level's whole table is the answer
const OVERVIEW = /(?:什么|哪些|啥|何)(?:样的)?(?:标准|要求|配置)|(?:标准|要求|配置)(?:是什么|是啥|有哪些|有什么)|最低配置|配置标准|基本配置|全部标准|所有标准/;
const POINT_WORDS = /服务点|基层点|级|镇|街道|村|社区|学校|企业|配置/;
/** a table longer than this (both levels) is given as its figures, the whole one reply away */
const SHORT_OVERVIEW = 700;
/** a fact longer than this is summarised, with the whole one reply away */
const LONG_FACT = 160;

const LEVEL_TITLE: Record<RuleLevel, string> = { town: '镇级基层服务点', village: '村级基层服务点' };

const NO_TABLE_NOTE =
  '附件1只有镇级和村级两张标准表，没有学校、企业服务点的专门标准；按正文二（二）2，学校、企业服务点的建设步骤按镇（街）基层服务点进行。以下列出两级标准供对照：';
const UNKNOWN_LEVEL_NOTE = '未说明是镇（街）还是村（居）服务点，两级标准如下：';

export function helpText(): string {
  return [
    '我可以回答文化共享工程基层服务点的问题，例如：',
    '· 配置及服务标准：“村级服务点需要几台电脑？”“镇级每周开放多少小时？”',
    '· 验收：“验收需要准备什么？”“提交申请后多久来验收？”“验收不通过怎么办？”',
    '· 自查：“我们有3台电脑，宽带1M，每周开放25小时，达标吗？”',
    '· 数据上报、资源获取、培训、桌面快捷方式、市支中心联系方式',
    '命令：/standards（标准）查看标准，/acceptance（验收）查看验收清单。',
  ].join('\n');
}

interface Resolved {
  askerLevels: AskerLevel[];
  ruleLevels: RuleLevel[];
  /** said before rule figures when the table to use is not the asker's own */
  note: string | null;
}

function resolveLevels(question: string, pointLevel: string | null | undefined): Resolved {
  const fromQuestion = detectLevels(question);
  const own = askerLevelOf(pointLevel);
  const askerLevels = fromQuestion.length ? fromQuestion : own ? [own] : [];
  const ruleLevels = ruleLevelsFor(askerLevels);
  let note: string | null = null;
  if (askerLevels.some((l) => l === 'school' || l === 'enterprise')) note = NO_TABLE_NOTE;
  else if (askerLevels.length === 0) note = UNKNOWN_LEVEL_NOTE;
  return { askerLevels, ruleLevels, note };
}

function sourceLine(sources: string[]): string {
  return `来源：${[...new Set(sources)].join('；')}`;
}

function renderRuleTopic(item: string, rules: readonly RuleRecord[], levels: RuleLevel[]): string {
  const at = (l: RuleLevel): RuleRecord | undefined => rules.find((r) => r.level === l);
  if (levels.length === 1) {
    const level = levels[0]!;
    const rule = at(level);
    if (rule) return `${LEVEL_TITLE[level]} · ${item}：${ruleFigure(rule)}。\n${sourceLine([rule.source])}`;
    const others = RULE_LEVELS.filter((l) => l !== level && at(l));
    const contrast = others.map((l) => `${LEVEL_LABEL[l]}要求：${ruleFigure(at(l)!)}`).join('；');
    return `附件1对${LEVEL_TITLE[level]}没有“${item}”的要求${contrast ? `（${contrast}）` : ''}。\n${sourceLine(others.map((l) => at(l)!.source).concat(`附件1 · ${LEVEL_TITLE[level]}`))}`;
  }
  const figures = levels.map((l) => at(l));
  if (figures.every((r) => r && ruleFigure(r) === ruleFigure(figures[0]!))) {
    return `${item}：${levels.map((l) => LEVEL_LABEL[l]).join('、')}均为${ruleFigure(figures[0]!)}。\n${sourceLine(figures.map((r) => r!.source))}`;
  }
  const lines = [`${item}：`];
  for (const level of levels) {
    const rule = at(level);
    lines.push(rule ? `· ${LEVEL_LABEL[level]}：${ruleFigure(rule)}（${rule.source}）` : `· ${LEVEL_LABEL[level]}：附件1对${LEVEL_TITLE[level]}没有此项要求`);
  }
  return lines.join('\n');
}

function renderFact(fact: FactRecord): string {
  return `【${fact.title}】${fact.body}\n${sourceLine([fact.source])}`;
}

/** The whole annex-1 table of the levels, item by item and grouped by category. */
function renderStandards(rules: readonly RuleRecord[], levels: RuleLevel[]): string[] {
  const lines: string[] = [];
  const sorted = [...rules].sort((a, b) => a.sortOrder - b.sortOrder);
  const categories = [...CATEGORIES, ...new Set(sorted.map((r) => r.category).filter((c) => !(CATEGORIES as readonly string[]).includes(c)))];
  for (const category of categories) {
    const items = [...new Set(sorted.filter((r) => r.category === category && levels.includes(r.level as RuleLevel)).map((r) => r.item))];
    if (!items.length) continue;
    lines.push(`【${category}】`);
    for (const item of items) {
      const figures = levels.map((l) => {
        const rule = sorted.find((r) => r.item === item && r.level === l);
        return rule ? ruleFigure(rule) : '无此项要求';
      });
      if (levels.length === 1 || figures.every((f) => f === figures[0])) {
        const who = levels.length > 1 ? `${levels.map((l) => LEVEL_LABEL[l]).join('、')}均为` : '';
        lines.push(`· ${item}：${who}${figures[0]}`);
      } else {
        lines.push(`· ${item}：${figures.map((f, i) => `${LEVEL_LABEL[levels[i]!]}${f}`).join('；')}`);
      }
    }
  }
  return lines;
}

export function renderChecklist(rules: readonly RuleRecord[], facts: readonly FactRecord[], resolved: Resolved): string {
  const { ruleLevels } = resolved;
  const title = ruleLevels.length === 1 ? LEVEL_TITLE[ruleLevels[0]!] : '镇级、村级基层服务点';
  const lines: string[] = [`验收清单（${title}）`];
  if (resolved.note) lines.push(resolved.note);
  lines.push(`一、配置及服务标准（附件1 · ${ruleLevels.map((l) => LEVEL_TITLE[l]).join('、')}）：`);
  lines.push(...renderStandards(rules, ruleLevels));
  const byOrder = [...facts].sort((a, b) => a.sortOrder - b.sortOrder);
  const minimum = byOrder.find((f) => f.source.startsWith('附件1'));
  if (minimum) lines.push(`（${minimum.body}）`);
  const steps = byOrder.filter((f) => f.key.startsWith(PROCESS_PREFIX) && f.key !== CHECKLIST_FACT_KEY && f.key !== FORM_FACT_KEY);
  if (steps.length) {
    lines.push('二、验收步骤：');
    steps.forEach((f, i) => lines.push(`${i + 1}. 【${f.title}】${f.body}（${f.source}）`));
  }
  const form = byOrder.find((f) => f.key === FORM_FACT_KEY);
  if (form) lines.push(`三、${form.title}（${form.source}）：${form.body}`);
  return lines.join('\n');
}

/** The checklist in a few lines: what to do, when the inspection comes, and the full text one reply away. */
export function renderChecklistSummary(rules: readonly RuleRecord[], facts: readonly FactRecord[], resolved: Resolved): string {
  const { ruleLevels } = resolved;
  const title = ruleLevels.length === 1 ? LEVEL_TITLE[ruleLevels[0]!] : '镇级、村级基层服务点';
  const lines: string[] = [`验收清单（${title}）`];
  if (resolved.note === NO_TABLE_NOTE) lines.push('学校、企业服务点按镇（街）服务点的建设步骤进行（正文 二（二）2）。');
  const checklist = facts.find((f) => f.key === CHECKLIST_FACT_KEY);
  if (checklist) lines.push(checklist.body);
  for (const level of ruleLevels) {
    const hardware = rules
      .filter((r) => r.level === level && r.category === CATEGORIES[0] && r.quantity !== null)
      .sort((a, b) => a.sortOrder - b.sortOrder)
      .map((r) => `${r.item}${r.comparator === '>=' ? '≥' : ''}${r.quantity}${r.unit ?? ''}`);
    if (hardware.length) lines.push(`${LEVEL_LABEL[level]}硬件：${hardware.join('，')}`);
  }
  const inspection = facts.find((f) => f.key === 'acceptance.inspection');
  if (inspection) lines.push(inspection.body);
  lines.push(sourceLine([checklist?.source ?? '正文 二、建设步骤；附件1；附件2']));
  lines.push('回复 1 查看全文（逐项标准、验收步骤和申请表栏目）。');
  return lines.join('\n');
}

function renderSelfCheck(verdictsByLevel: Map<RuleLevel, ItemVerdict[]>, resolved: Resolved): string {
  const levels = [...verdictsByLevel.keys()];
  const lines: string[] = [`自查结果（对照附件1 · ${levels.map((l) => LEVEL_TITLE[l]).join('、')}）：`];
  if (resolved.note && resolved.note !== UNKNOWN_LEVEL_NOTE) lines.push(resolved.note);
  else if (resolved.note) lines.push('未说明是镇（街）还是村（居）服务点，分别对照两级标准：');
  const items: string[] = [];
  for (const vs of verdictsByLevel.values()) for (const v of vs) if (!items.includes(v.item)) items.push(v.item);
  const notStated: string[] = [];
  for (const item of items) {
    const perLevel = levels.map((l) => verdictsByLevel.get(l)!.find((v) => v.item === item)).filter((v): v is ItemVerdict => !!v);
    const stated = perLevel.filter((v) => v.verdict !== 'notStated');
    if (!stated.length) {
      notStated.push(item);
      continue;
    }
    if (levels.length === 1) {
      lines.push(`· ${item}：${describeVerdict(stated[0]!)}`);
    } else {
      lines.push(`· ${item}：${perLevel.map((v) => (v.verdict === 'notStated' ? `${LEVEL_LABEL[v.level]}无此项要求` : describeVerdict(v))).join('；')}`);
    }
  }
  if (notStated.length) lines.push(`未提及：${notStated.join('、')}`);
  lines.push(`来源：${levels.map((l) => `附件1 · ${LEVEL_TITLE[l]}`).join('；')}（最低配置要求）`);
  return lines.join('\n');
}

function isSelfCheck(question: string, statementCount: number, figureCount: number): boolean {
  if (figureCount === 0 && statementCount < 2) return false;
  return statementCount >= 2 || ASSESS.test(question) || OWN.test(question);
}

/** Answers one standards question from the given rules and facts. */
export function answerStandardsQuestion(
  question: string,
  rules: readonly RuleRecord[],
  facts: readonly FactRecord[],
  options: AnswerOptions = {},
): StandardsAnswer {
  const answer = answerInShort(question, rules, facts, options);
  // "验收要准备什么 全文": the full text at once, without the summary's choice
  if (answer.full && WHOLE.test(question)) {
    const { full: _full, ...rest } = answer;
    return { ...rest, text: fullText(answer.full, rules, facts) ?? answer.text };
  }
  return answer;
}

const WHOLE = /全文|完整版?|全部内容|详细内容|详细版/;

function answerInShort(
  question: string,
  rules: readonly RuleRecord[],
  facts: readonly FactRecord[],
  options: AnswerOptions,
): StandardsAnswer {
  question = prepareQuestion(question, rules, facts);
  const resolved = resolveLevels(question, options.pointLevel);
  const checklist = (confidence: number): StandardsAnswer => ({
    kind: 'checklist',
    text: renderChecklistSummary(rules, facts, resolved),
    confidence,
    levels: resolved.ruleLevels,
    full: { kind: 'checklist', levels: resolved.ruleLevels },
  });
  if (options.checklist) return checklist(1);

  const statements = readStatements(question, rules);
  const figures = statements.filter((s) => s.fromFigure).length;
  if (isSelfCheck(question, statements.length, figures)) {
    const byLevel = new Map<RuleLevel, ItemVerdict[]>();
    for (const l of resolved.ruleLevels) byLevel.set(l, checkStatements(statements, rules, l));
    // a monthly report reads as a self-check too and is scored on every such message: the text is
    // rendered only when the answer is given
    let text: string | null = null;
    return {
      kind: 'selfCheck',
      get text() {
        return (text ??= renderSelfCheck(byLevel, resolved));
      },
      confidence: 0.9,
      levels: resolved.ruleLevels,
    };
  }

  const index = buildTopicIndex(rules, facts);
  const ranked = rankTopics(question, index);
  const best = ranked[0];
  // "企业服务点有什么标准", "村级最低配置": the level's table, unless one item or fact is named
  if (OVERVIEW.test(question) && POINT_WORDS.test(question) && !(best && best.score >= MIN_SCORE && best.named > 0)) {
    const whole = renderOverview(rules, facts, resolved);
    const short = whole.length > SHORT_OVERVIEW ? renderOverviewSummary(rules, resolved) : whole;
    const full: FullText | undefined = short === whole ? undefined : { kind: 'overview', levels: resolved.ruleLevels };
    return { kind: 'rules', text: short, confidence: 0.85, levels: resolved.ruleLevels, ...(full ? { full } : {}) };
  }
  if (!best || best.score < MIN_SCORE) {
    return { kind: 'help', text: helpText(), confidence: 0.05, levels: [] };
  }
  const confidence = Math.min(0.9, 0.5 + best.score / 25);
  const unsettled = unsettledWords(question, rules, facts);
  if (unsettled.length) return unsettledAnswer(question, unsettled, best, rules, facts, resolved, confidence);
  if (best.topic.kind === 'fact' && best.topic.fact.key === CHECKLIST_FACT_KEY) return checklist(confidence);

  const chosen: ScoredTopic[] = [best];
  for (const t of ranked.slice(1)) {
    if (chosen.length >= MAX_TOPICS || t.score < best.score * NEAR_BEST) break;
    if (t.topic.kind === 'fact' && t.topic.fact.key === CHECKLIST_FACT_KEY) continue;
    if (!chosen.some((c) => topicKey(c.topic) === topicKey(t.topic))) chosen.push(t);
  }
  // a question of several clauses ("要几台电脑？开放时间多长？") gets each clause's best topic too
  const clauses = question.split(/[，,；;。？?！!]+/).filter((c) => c.trim());
  if (clauses.length > 1) {
    for (const clause of clauses) {
      const top = rankTopics(clause, index)[0];
      // a clause adds a topic only when it names it; "干什么用的" shares a word with many things
      if (!top || top.score < MIN_SCORE || top.named === 0 || chosen.length >= MAX_TOPICS) continue;
      if (top.topic.kind === 'fact' && top.topic.fact.key === CHECKLIST_FACT_KEY) continue;
      if (!chosen.some((c) => topicKey(c.topic) === topicKey(top.topic))) chosen.push(top);
    }
  }
  const hasRules = chosen.some((c) => c.topic.kind === 'rule');
  const parts: string[] = [];
  if (hasRules && resolved.note) parts.push(resolved.note);
  let full: FullText | undefined;
  for (const c of chosen) {
    if (c.topic.kind === 'fact' && c.topic.fact.body.length > LONG_FACT && chosen.length === 1) {
      parts.push(renderFactSummary(c.topic.fact, question));
      full = { kind: 'fact', key: c.topic.fact.key };
    } else parts.push(renderTopic(c.topic, resolved.ruleLevels));
  }
  return {
    kind: hasRules ? 'rules' : 'facts',
    text: parts.join('\n'),
    confidence,
    levels: hasRules ? resolved.ruleLevels : [],
    ...(full ? { full } : {}),
  };
}

function renderTopic(topic: Topic, levels: RuleLevel[]): string {
  return topic.kind === 'rule' ? renderRuleTopic(topic.item, topic.rules, levels) : renderFact(topic.fact);
}

/**
 * A long fact in short: its sentence that shares most words with the question (and the first one, for
 * context), its source, and the way to the rest.
 */
function renderFactSummary(fact: FactRecord, question: string): string {
  const sentences = fact.body.match(/[^。；;]+[。；;]?/g) ?? [fact.body];
  const asked = conceptsOf(question);
  const score = (t: string) => [...conceptsOf(t)].filter((w) => asked.has(w)).length;
  let best = 0;
  sentences.forEach((t, i) => {
    if (score(t) > score(sentences[best]!)) best = i;
  });
  const picked = [...new Set([0, best])].map((i) => sentences[i]!.trim());
  const head = picked.join(best > 1 ? '……' : '');
  const short = head.length <= LONG_FACT * 1.5 ? head : `${head.slice(0, LONG_FACT * 1.5)}…`;
  return `【${fact.title}】${short}${short.length < fact.body.length ? '……' : ''}\n${sourceLine([fact.source])}\n回复 1 查看全文。`;
}

/**
 * The document does not settle what was asked ("电脑要什么品牌"): say so first, then the nearest fact as
 * such, and whom to ask.
 */
function unsettledAnswer(question: string, words: string[], best: ScoredTopic, rules: readonly RuleRecord[], facts: readonly FactRecord[], resolved: Resolved, confidence: number): StandardsAnswer {
  const nearest = best.topic.kind === 'fact' && best.topic.fact.key === CHECKLIST_FACT_KEY ? renderChecklistSummary(rules, facts, resolved).split('\n').slice(0, 3).join('\n') : renderTopic(best.topic, resolved.ruleLevels);
  const clause = question.split(/[，,；;。？?！!\n]+/).find((c) => words.some((w) => c.includes(w)))?.trim().replace(/[吗呢吧啊呀]+$/u, '') ?? words.join('、');
  const text = [
    `文件没有规定“${clause}”：《2009年东莞市文化信息资源共享工程建设工作方案》及附件都没有这方面的内容。`,
    '文件中相关的规定（供参考）：',
    nearest,
    whomToAsk(facts),
  ].join('\n');
  return { kind: 'unsettled', text, confidence, levels: best.topic.kind === 'rule' ? resolved.ruleLevels : [] };
}

/** The whole table of the levels asked about, with the note that it is the minimum. */
function renderOverview(rules: readonly RuleRecord[], facts: readonly FactRecord[], resolved: Resolved): string {
  const lines = [`${resolved.ruleLevels.map((l) => LEVEL_TITLE[l]).join('、')}的最低配置及服务标准（附件1）：`];
  if (resolved.note && resolved.note !== UNKNOWN_LEVEL_NOTE) lines.push(resolved.note);
  lines.push(...renderStandards(rules, resolved.ruleLevels));
  const minimum = [...facts].sort((a, b) => a.sortOrder - b.sortOrder).find((f) => f.source.startsWith('附件1'));
  if (minimum) lines.push(`（${minimum.body}）`);
  lines.push(sourceLine(resolved.ruleLevels.map((l) => `附件1 · ${LEVEL_TITLE[l]}`)));
  return lines.join('\n');
}

/** The figures of the levels' tables, one line a level, then the way to the whole tables. */
function renderOverviewSummary(rules: readonly RuleRecord[], resolved: Resolved): string {
  const lines = [`${resolved.ruleLevels.map((l) => LEVEL_TITLE[l]).join('、')}的最低配置及服务标准（附件1），主要数字：`];
  if (resolved.note && resolved.note !== UNKNOWN_LEVEL_NOTE) lines.push(resolved.note.replace(/以下列出两级标准供对照：$/, ''));
  for (const level of resolved.ruleLevels) {
    const figures = rules
      .filter((r) => r.level === level && r.quantity !== null)
      .sort((a, b) => a.sortOrder - b.sortOrder)
      .map((r) => `${r.item}${r.comparator === '>=' ? '≥' : ''}${r.quantity}${r.unit ?? ''}`);
    lines.push(`· ${LEVEL_LABEL[level]}：${figures.join('，')}`);
  }
  lines.push(sourceLine(resolved.ruleLevels.map((l) => `附件1 · ${LEVEL_TITLE[l]}`)));
  lines.push('回复 1 查看全文（逐项标准及说明）。');
  return lines.join('\n');
}

/** The full text a summary offered ("回复 1 查看全文"), or null when it no longer exists. */
export function fullText(full: FullText, rules: readonly RuleRecord[], facts: readonly FactRecord[]): string | null {
  if (full.kind === 'fact') {
    const fact = facts.find((f) => f.key === full.key);
    return fact ? renderFact(fact) : null;
  }
  const levels = full.levels.filter((l) => (RULE_LEVELS as readonly string[]).includes(l));
  const resolved = { askerLevels: levels, ruleLevels: levels.length ? levels : [...RULE_LEVELS], note: null };
  return full.kind === 'checklist' ? renderChecklist(rules, facts, resolved) : renderOverview(rules, facts, resolved);
}

/** "/standards" without a question: the annex-1 table of the asker's level (or both). */
export function standardsOverview(rules: readonly RuleRecord[], facts: readonly FactRecord[], pointLevel?: string | null): string {
  const resolved = resolveLevels('', pointLevel);
  const lines = [`东莞市文化共享工程基层服务点配置及服务标准（附件1 · ${resolved.ruleLevels.map((l) => LEVEL_TITLE[l]).join('、')}）`];
  if (resolved.note && resolved.note !== UNKNOWN_LEVEL_NOTE) lines.push(resolved.note);
  lines.push(...renderStandards(rules, resolved.ruleLevels));
  const minimum = [...facts].sort((a, b) => a.sortOrder - b.sortOrder).find((f) => f.source.startsWith('附件1'));
  if (minimum) lines.push(`（${minimum.body}）`);
  lines.push('可以直接问具体项目，例如“村级服务点需要几台电脑？”，或发“验收”查看验收清单。');
  return lines.join('\n');
}
