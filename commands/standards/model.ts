// Plain shapes of rules and facts (what the database rows carry), levels, and the asker's level as
// read from a question. Pure.
import { POINT_LEVEL_LABELS } from '../../bot/domain.ts';
import { normalizeText } from './text.ts';

export type RuleLevel = 'town' | 'village';
export const RULE_LEVELS: readonly RuleLevel[] = ['town', 'village'];

/** the level of the point a question is about; school and enterprise have no table of their own */
export type AskerLevel = RuleLevel | 'school' | 'enterprise';

export interface RuleRecord {
  level: string;
  category: string;
  item: string;
  quantity: number | null;
  unit: string | null;
  comparator: string | null;
  note: string | null;
  keywords: string | null;
  sortOrder: number;
  source: string;
}

export interface FactRecord {
  key: string;
  title: string;
  body: string;
  keywords: string | null;
  source: string;
  sortOrder: number;
}

/** The rules table (annex 1) and the process facts, as the answers read them. */
export interface StandardsTables {
  rules: RuleRecord[];
  facts: FactRecord[];
}

/** the directory's own words for these levels */
export const LEVEL_LABEL: Record<AskerLevel, string> = POINT_LEVEL_LABELS;

export const CATEGORIES = ['硬件要求', '服务场所', '服务要求', '其他要求'] as const;

/** A service point's level (ServicePoint.level) as an asker level; subCenter and unknown give null. */
export function askerLevelOf(pointLevel: string | null | undefined): AskerLevel | null {
  switch (pointLevel) {
    case 'town': case 'village': case 'school': case 'enterprise':
      return pointLevel;
    default:
      return null;
  }
}

// Words naming the town culture center or the whole point family are no level of the asker.
const LEVEL_NOISE = /镇\(街\)文广中心|镇街文广中心|镇文广中心|文广中心|村\(居\)、学校、企业|党员电教中心/g;
const TOWN_RE = /镇|街道|镇街/;
const VILLAGE_RE = /村|社区|居委|居\)|村居/;
const SCHOOL_RE = /学校|中学|小学|校园|大学|学院/;
const ENTERPRISE_RE = /企业|公司|工厂|厂里|厂区/;
const BOTH_RE = /(镇|街道|镇街)[^，,。？?；;]{0,4}(和|与|跟|、|及|还是|同|对比|比|或)[^，,。？?；;]{0,4}(村|社区)|(村|社区)[^，,。？?；;]{0,4}(和|与|跟|、|及|还是|同|对比|比|或)[^，,。？?；;]{0,4}(镇|街道)|区别|不同|差别|分别/;

/**
 * The levels a question is about. A village is always inside a town ("厚街镇新塘村"), so a question naming
 * both is about the village unless it compares them ("镇级和村级有什么区别").
 */
export function detectLevels(question: string): AskerLevel[] {
  const q = normalizeText(question).replace(LEVEL_NOISE, '');
  if (SCHOOL_RE.test(q)) return ['school'];
  if (ENTERPRISE_RE.test(q)) return ['enterprise'];
  const town = TOWN_RE.test(q);
  const village = VILLAGE_RE.test(q);
  if (town && village) return BOTH_RE.test(q) ? ['town', 'village'] : ['village'];
  if (town) return ['town'];
  if (village) return ['village'];
  return [];
}

/** The annex-1 tables to answer from: school and enterprise points have none, so both are shown. */
export function ruleLevelsFor(levels: readonly AskerLevel[]): RuleLevel[] {
  const out = new Set<RuleLevel>();
  for (const l of levels) {
    if (l === 'town' || l === 'village') out.add(l);
    else RULE_LEVELS.forEach((r) => out.add(r));
  }
  return out.size ? RULE_LEVELS.filter((l) => out.has(l)) : [...RULE_LEVELS];
}

export function splitKeywords(keywords: string | null): string[] {
  return (keywords ?? '')
    .split(/[,，、;；\s]+/)
    .map((k) => k.trim())
    .filter(Boolean);
}
