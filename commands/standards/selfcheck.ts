// Self-check: what a point says it has ("3台电脑，宽带1M，每周开放25小时") against the annex-1 rules,
// item by item. Reading is generic: a figure goes to the rule item named nearest to it in the same
// clause whose unit fits, or to the one item measured in its unit (元 → funding, 小时 → opening time).
import type { RuleLevel, RuleRecord } from './model.ts';
import { LEVEL_LABEL, splitKeywords } from './model.ts';
import { findQuantities, formatNumber, ruleValueInBase, type Dimension, type StatedQuantity } from './quantities.ts';
import { SYNONYM_GROUPS, canonical, foldWidth } from './text.ts';

/** What the asker said about one rule item. */
export interface Statement {
  item: string;
  /** base-unit value (k/s, 元, 小时 per week, 人次 per year, count); null for a plain "有"/"没有" */
  value: number | null;
  present: boolean;
  /** read from a figure ("3台"), not from a plain "有"/"没有" */
  fromFigure: boolean;
  /** the words quoted back ("3台", "1M", "每天6小时×每周5天") */
  said: string;
  /** how the figure was converted, if it was ("按每月80人次折算全年960人次") */
  conversion?: string;
  /** the figure could not be compared (a daily time without the days per week) */
  unclear?: string;
}

const CLAUSE_SPLIT = /[，,；;。！!？?\n、]+/;
const NEGATION = /没有|没|无|未|缺|还没|尚未|暂无/;
const PRESENCE = /有|已配|配了|配备|配置了|建了|建有|设了|设有|具备|买了|装了/;
const QUESTIONING = /有没有|有无|是否|要不要|需不需要|需要|要求|吗|多少|几/;
const PER_DAY = /(每天|每日|一天|天天)[^，,；;。]{0,6}$/;
const PER_MONTH = /(每月|每个月|一个月|月均|月平均)[^，,；;。]{0,8}$/;
const PER_WEEK_DAYS = /(每周|一周|每星期|一星期|周)[^，,；;。\d]{0,4}$/;

interface ItemTerms {
  item: string;
  dimension: Dimension | null;
  terms: string[];
}

interface TableTerms {
  items: ItemTerms[];
  /** every (item, term) by the term's first UTF-16 unit, in item order, then term order */
  byFirst: Map<number, { item: ItemTerms; term: string }[]>;
}

/** Every word that names an item: its name, keywords, and their synonyms, longest first. */
// the rules table changes a few times a year and is read once per message: its terms are worked out
// once per loaded table (the read cache hands out the same array until the table is reloaded)
const termsOfTable = new WeakMap<readonly RuleRecord[], TableTerms>();

function itemTerms(rules: readonly RuleRecord[]): TableTerms {
  let terms = termsOfTable.get(rules);
  if (!terms) {
    const items = computeItemTerms(rules);
    const byFirst = new Map<number, { item: ItemTerms; term: string }[]>();
    for (const item of items) {
      for (const term of item.terms) {
        const first = term.charCodeAt(0);
        const starting = byFirst.get(first);
        if (starting) starting.push({ item, term });
        else byFirst.set(first, [{ item, term }]);
      }
    }
    termsOfTable.set(rules, (terms = { items, byFirst }));
  }
  return terms;
}

function computeItemTerms(rules: readonly RuleRecord[]): ItemTerms[] {
  const byItem = new Map<string, ItemTerms>();
  for (const r of rules) {
    const entry = byItem.get(r.item) ?? { item: r.item, dimension: null, terms: [] };
    if (r.quantity !== null && entry.dimension === null) entry.dimension = ruleValueInBase(r.quantity, r.unit).dimension;
    const words = new Set<string>([r.item, ...splitKeywords(r.keywords)].map((w) => w.toLowerCase()));
    for (const w of [...words]) {
      const head = canonical(w);
      for (const g of SYNONYM_GROUPS) if (g[0] === head) g.forEach((s) => words.add(s.toLowerCase()));
    }
    entry.terms = [...new Set([...entry.terms, ...words])].filter((w) => w.length >= 2 || /[\u4e00-\u9fff]/.test(w));
    byItem.set(r.item, entry);
  }
  for (const e of byItem.values()) e.terms.sort((a, b) => b.length - a.length);
  return [...byItem.values()];
}

interface Mention {
  item: ItemTerms;
  start: number;
  end: number;
}

/** Non-overlapping item mentions in a clause, longest words first. */
function mentionsIn(clause: string, table: TableTerms): Mention[] {
  const lower = clause.toLowerCase();
  const candidates: Mention[] = [];
  // every occurrence of every term, found from the terms that start with each character (the order
  // among equally long mentions at one place is the table's item order, as the sort keeps it)
  for (let at = 0; at < lower.length; at++) {
    const starting = table.byFirst.get(lower.charCodeAt(at));
    if (starting === undefined) continue;
    for (const { item, term } of starting) if (lower.startsWith(term, at)) candidates.push({ item, start: at, end: at + term.length });
  }
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken: Mention[] = [];
  for (const c of candidates) if (!taken.some((t) => c.start < t.end && t.start < c.end)) taken.push(c);
  return taken.sort((a, b) => a.start - b.start);
}

function compatible(stated: Dimension | null, item: Dimension | null): boolean {
  if (item === null) return false;
  // a bare figure ("电脑3") takes the unit of the item named next to it
  if (stated === null || stated === item) return true;
  // "服务了800人" means visits; a plain count ("1个") fits people
  return (stated === 'people' && item === 'visits') || (stated === 'count' && item === 'people');
}

function distance(q: StatedQuantity, m: Mention): number {
  return q.end <= m.start ? m.start - q.end : q.start >= m.end ? q.start - m.end : 0;
}

const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7 };

/** "周一到周五" = 5 days a week, "星期一至星期六" = 6; null when no range of weekdays is written. */
function weekdayRange(text: string): number | null {
  const m = /(?:周|星期|礼拜)([一二三四五六日天1-7])\s*(?:到|至|-|~|～)\s*(?:周|星期|礼拜)?([一二三四五六日天1-7])/.exec(text);
  if (!m) return null;
  const days = WEEKDAY[m[2]!]! - WEEKDAY[m[1]!]! + 1;
  return days > 0 ? days : null;
}

/** Reads the statements of a message. Several figures may go to several items; the last one said wins. */
export function readStatements(message: string, rules: readonly RuleRecord[]): Statement[] {
  const table = itemTerms(rules);
  const items = table.items;
  const found = new Map<string, Statement>();
  const text = foldWidth(message);
  const clauses = text.split(CLAUSE_SPLIT).filter((c) => c.trim());
  const stated = clauses.map((clause) => findQuantities(clause));
  // days per week said anywhere ("每周开放5天") convert a daily opening time
  let daysPerWeek: number | null = weekdayRange(text);
  clauses.forEach((clause, c) => {
    for (const q of stated[c]!) {
      if (q.dimension === 'days' && PER_WEEK_DAYS.test(clause.slice(0, q.start))) daysPerWeek = q.value;
    }
  });
  for (const [c, clause] of clauses.entries()) {
    const mentions = mentionsIn(clause, table);
    const quantities = stated[c]!.filter((q) => q.dimension !== 'days');
    const used = new Set<Mention>();
    for (const q of quantities) {
      const fitting = mentions.filter((m) => compatible(q.dimension, m.item.dimension));
      let target: ItemTerms | undefined;
      let mention: Mention | undefined;
      if (fitting.length) {
        mention = fitting.reduce((best, m) => (distance(q, m) < distance(q, best) ? m : best));
        if (q.dimension === null && distance(q, mention) > 4) mention = undefined;
        target = mention?.item;
      }
      if (!target && q.dimension !== null && q.dimension !== 'count') {
        const only = items.filter((i) => i.dimension === q.dimension);
        if (only.length === 1) target = only[0];
      }
      if (!target || !target.dimension) continue;
      if (mention) used.add(mention);
      const before = clause.slice(0, q.start);
      const st: Statement = { item: target.item, value: q.value, present: q.value > 0, fromFigure: true, said: q.text };
      if (q.dimension === null && target.dimension === 'bandwidth') {
        st.unclear = `${q.text}未写单位，请说明是M还是k`;
      } else if (target.dimension === 'hours' && PER_DAY.test(before)) {
        if (daysPerWeek !== null) {
          st.value = q.value * daysPerWeek;
          st.conversion = `按每天${q.text}、每周${formatNumber(daysPerWeek)}天计，每周${formatNumber(st.value)}小时`;
        } else {
          st.unclear = `每天${q.text}，未说明每周开放几天，无法换算为每周时长`;
        }
      } else if ((target.dimension === 'visits' || target.dimension === 'money') && PER_MONTH.test(before)) {
        st.value = q.value * 12;
        st.conversion = `按每月${q.text}折算全年${formatNumber(st.value)}${target.dimension === 'visits' ? '人次' : '元'}`;
      }
      found.set(target.item, st);
    }
    // "有电子阅读室" / "没有投影仪": items named without a figure
    if (QUESTIONING.test(clause)) continue;
    for (const m of mentions) {
      if (used.has(m) || found.has(m.item.item)) continue;
      const before = clause.slice(0, m.start);
      if (NEGATION.test(before)) {
        found.set(m.item.item, { item: m.item.item, value: m.item.dimension ? 0 : null, present: false, fromFigure: false, said: `没有${clause.slice(m.start, m.end)}` });
      } else if (PRESENCE.test(before) || PRESENCE.test(clause.slice(m.end))) {
        found.set(m.item.item, { item: m.item.item, value: m.item.dimension === 'count' ? 1 : null, present: true, fromFigure: false, said: `有${clause.slice(m.start, m.end)}` });
      }
    }
  }
  return [...found.values()];
}

export type Verdict = 'met' | 'notMet' | 'notRequired' | 'unclear' | 'notStated';

export interface ItemVerdict {
  item: string;
  level: RuleLevel;
  verdict: Verdict;
  rule: RuleRecord | null;
  statement: Statement | null;
  /** shortfall in the rule's own unit */
  gap?: number;
}

/** One verdict per item of the level's table, plus "not required" for stated items the level lacks. */
export function checkStatements(statements: readonly Statement[], rules: readonly RuleRecord[], level: RuleLevel): ItemVerdict[] {
  const table = rules.filter((r) => r.level === level).sort((a, b) => a.sortOrder - b.sortOrder);
  const out: ItemVerdict[] = [];
  for (const rule of table) {
    const st = statements.find((s) => s.item === rule.item) ?? null;
    if (!st) {
      out.push({ item: rule.item, level, verdict: 'notStated', rule, statement: null });
      continue;
    }
    if (st.unclear) {
      out.push({ item: rule.item, level, verdict: 'unclear', rule, statement: st });
      continue;
    }
    if (rule.quantity === null || st.value === null) {
      out.push({ item: rule.item, level, verdict: st.present ? 'met' : 'notMet', rule, statement: st });
      continue;
    }
    const required = ruleValueInBase(rule.quantity, rule.unit);
    const ok = rule.comparator === '=' ? st.value === required.value : st.value >= required.value;
    const factor = rule.quantity === 0 ? 1 : required.value / rule.quantity;
    const v: ItemVerdict = { item: rule.item, level, verdict: ok ? 'met' : 'notMet', rule, statement: st };
    if (!ok) v.gap = (required.value - st.value) / factor;
    out.push(v);
  }
  for (const st of statements) {
    if (!table.some((r) => r.item === st.item)) {
      out.push({ item: st.item, level, verdict: 'notRequired', rule: null, statement: st });
    }
  }
  return out;
}

/** The rule's figure as the document gives it: "2台", "不少于30小时", or the note alone. */
export function ruleFigure(rule: RuleRecord): string {
  if (rule.quantity === null) return rule.note ?? '有';
  const q = `${formatNumber(rule.quantity)}${rule.unit ?? ''}`;
  if (rule.note?.includes(q)) return rule.note;
  return rule.note ? `${q}（${rule.note}）` : q;
}

/** One line about one item at one level: "25小时，未达标，低于村级标准30小时（差5小时）". */
export function describeVerdict(v: ItemVerdict): string {
  const label = LEVEL_LABEL[v.level];
  const said = v.statement ? (v.statement.conversion ? `${v.statement.said}（${v.statement.conversion}）` : v.statement.said) : '';
  const required = v.rule && v.rule.quantity !== null ? `${formatNumber(v.rule.quantity)}${v.rule.unit ?? ''}` : '';
  switch (v.verdict) {
    case 'met':
      return required ? `${said}，达标（${label}标准${required}）` : `${said}，达标（${label}要求：${v.rule?.note ?? v.item}）`;
    case 'notMet':
      if (required) {
        const gap = v.gap !== undefined ? `（差${formatNumber(v.gap)}${v.rule?.unit ?? ''}）` : '';
        return `${said}，未达标，低于${label}标准${required}${gap}`;
      }
      return `${said}，未达标（${label}要求：${v.rule?.note ?? v.item}）`;
    case 'notRequired':
      return `${said}，附件1对${label}基层服务点没有此项要求`;
    case 'unclear':
      return `${v.statement?.unclear ?? said}（${label}标准${required || v.rule?.note || ''}）`;
    case 'notStated':
      return '未提及';
  }
}
