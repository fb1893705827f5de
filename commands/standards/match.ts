// Scoring a question against the rules and facts. A rule topic is one item across levels (电脑 of the
// town table and of the village table), a fact topic one fact. Each topic has topic words (from its
// item name or title and its keywords, through the synonym table); a question scores a topic by the
// rarity-weighted sum of the topic words it contains. Nothing here knows any particular question.
import type { FactRecord, RuleRecord } from './model.ts';
import { splitKeywords } from './model.ts';
import { canonical, conceptsOf, normalizeText } from './text.ts';

export type Topic =
  | { kind: 'rule'; item: string; rules: RuleRecord[] }
  | { kind: 'fact'; fact: FactRecord };

interface Candidate {
  topic: Topic;
  concepts: Set<string>;
  /** the topic words of the item name or fact title alone */
  nameConcepts: Set<string>;
  /** normalised keywords of two or more characters, matched as substrings of the question */
  phrases: string[];
}

export interface TopicIndex {
  candidates: Candidate[];
  weight: Map<string, number>;
}

const NAME_BONUS = 1.5;

export interface ScoredTopic {
  topic: Topic;
  score: number;
  matched: string[];
  /** how many words of the item name or fact title the question contains */
  named: number;
}

function candidateOf(topic: Topic, name: string, keywords: string[]): Candidate {
  const nameConcepts = conceptsOf(name);
  const concepts = new Set<string>(nameConcepts);
  const phrases: string[] = [];
  for (const k of keywords) {
    conceptsOf(k).forEach((c) => concepts.add(c));
    const n = normalizeText(k);
    if (n.length >= 2) phrases.push(n);
  }
  const n = normalizeText(name);
  if (n.length >= 2) phrases.push(n);
  return { topic, concepts, nameConcepts, phrases };
}

/** Builds the searchable topics of the current rules and facts (done per answer: the tables are small). */
// built once per loaded pair of tables (the read cache hands out the same arrays until they are reloaded)
const indexOfTables = new WeakMap<readonly RuleRecord[], WeakMap<readonly FactRecord[], TopicIndex>>();

export function buildTopicIndex(rules: readonly RuleRecord[], facts: readonly FactRecord[]): TopicIndex {
  let byFacts = indexOfTables.get(rules);
  if (!byFacts) indexOfTables.set(rules, (byFacts = new WeakMap()));
  let index = byFacts.get(facts);
  if (!index) byFacts.set(facts, (index = computeTopicIndex(rules, facts)));
  return index;
}

function computeTopicIndex(rules: readonly RuleRecord[], facts: readonly FactRecord[]): TopicIndex {
  const byItem = new Map<string, RuleRecord[]>();
  for (const r of [...rules].sort((a, b) => a.sortOrder - b.sortOrder)) {
    const list = byItem.get(r.item) ?? [];
    list.push(r);
    byItem.set(r.item, list);
  }
  const candidates: Candidate[] = [];
  for (const [item, list] of byItem) {
    const keywords = [...new Set(list.flatMap((r) => splitKeywords(r.keywords)))];
    candidates.push(candidateOf({ kind: 'rule', item, rules: list }, item, keywords));
  }
  for (const fact of [...facts].sort((a, b) => a.sortOrder - b.sortOrder)) {
    candidates.push(candidateOf({ kind: 'fact', fact }, fact.title, splitKeywords(fact.keywords)));
  }
  const df = new Map<string, number>();
  for (const c of candidates) for (const w of c.concepts) df.set(w, (df.get(w) ?? 0) + 1);
  const weight = new Map<string, number>();
  const n = candidates.length;
  for (const [w, count] of df) weight.set(w, Math.log(1 + n / count));
  return { candidates, weight };
}

/** Topics the question touches, best first; topics with no matched word are left out. */
export function rankTopics(question: string, index: TopicIndex): ScoredTopic[] {
  const q = normalizeText(question);
  const qConcepts = conceptsOf(q);
  const out: ScoredTopic[] = [];
  for (const c of index.candidates) {
    const matched = new Set<string>();
    for (const w of qConcepts) if (c.concepts.has(w)) matched.add(w);
    let phraseBonus = 0;
    for (const p of c.phrases) {
      if (!q.includes(p)) continue;
      const w = canonical(p);
      if (c.concepts.has(w)) matched.add(w);
      // a longer exact phrase ("两个工作周", "没有新增") is stronger evidence than a shared word
      phraseBonus = Math.max(phraseBonus, 0.25 * (p.length - 2));
    }
    if (matched.size === 0) continue;
    // a question that names what the topic is about ("怎么验收" → 验收需要准备什么) beats one that
    // only shares a keyword with it
    const named = [...c.nameConcepts].filter((w) => matched.has(w)).length;
    const nameBonus = c.nameConcepts.size ? NAME_BONUS * (named / c.nameConcepts.size) : 0;
    let score = phraseBonus + nameBonus;
    for (const w of matched) score += index.weight.get(w) ?? 0;
    out.push({ topic: c.topic, score, matched: [...matched], named });
  }
  return out.sort((a, b) => b.score - a.score);
}

export function topicKey(t: Topic): string {
  return t.kind === 'rule' ? `rule:${t.item}` : `fact:${t.fact.key}`;
}
