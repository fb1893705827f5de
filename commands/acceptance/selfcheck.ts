// Before submitting: the form's figures (and the latest monthly reports' opening time and visitors)
// held against annex 1 for the point's level, item by item: met / not met with the gap / not stated.
// The Rule table and its comparison are the standards capability's (commands/standards/selfcheck.ts);
// this module only says which form field speaks to which rule item. Pure.
import type { RuleLevel, RuleRecord } from '../standards/model.ts';
import { LEVEL_LABEL } from '../standards/model.ts';
import { checkStatements, describeVerdict, ruleFigure, type ItemVerdict, type Statement } from '../standards/selfcheck.ts';
import { formatNumber } from '../standards/quantities.ts';
import { bandwidthOf, type ApplicationForm, type FormKey } from './form.ts';

/** The rule items a form field is the figure of (rule item → form field). */
const ITEM_OF_FIELD: Partial<Record<string, FormKey>> = {
  电脑: 'computers',
  DVD播放机: 'dvdPlayers',
  电视机: 'tvs',
  '投影机、投影幕': 'projectors',
  有源音箱: 'speakers',
  专职工作人员: 'staff',
};

/** Figures of the point's monthly reports, for the service requirements the form does not ask. */
export interface ServiceFigures {
  /** average weekly opening hours of the latest reported month */
  weeklyHours: number | null;
  /** visitors of the last twelve reported months */
  yearlyVisitors: number | null;
  /** how they were taken ("开放时间按2026年10月，服务人次按2025年11月至2026年10月") */
  basis: string;
}

/**
 * Annex 1 has tables for town and village points only; schools and enterprises are held against the
 * village table, the minimum configuration (说明：以上两表为最低配置要求), and told so.
 */
export function ruleLevelForPoint(level: string): RuleLevel {
  return level === 'town' ? 'town' : 'village';
}

export function formStatements(form: ApplicationForm, service: ServiceFigures | null): Statement[] {
  const out: Statement[] = [];
  for (const [item, key] of Object.entries(ITEM_OF_FIELD)) {
    const v = form[key!];
    if (typeof v === 'number') out.push({ item, value: v, present: v > 0, fromFigure: true, said: `申请表填${formatNumber(v)}` });
  }
  if (typeof form.internet === 'string') {
    const k = bandwidthOf(form.internet);
    out.push(
      k === null
        ? { item: '总带宽', value: null, present: true, fromFigure: false, said: form.internet, unclear: `上网方式与带宽“${form.internet}”未写明带宽（如 10M）` }
        : { item: '总带宽', value: k, present: k > 0, fromFigure: true, said: `申请表填“${form.internet}”` },
    );
  }
  if (service?.weeklyHours != null) {
    out.push({ item: '平均每周开放时间', value: service.weeklyHours, present: true, fromFigure: true, said: `月报平均每周${formatNumber(service.weeklyHours)}小时（${service.basis}）` });
  }
  if (service?.yearlyVisitors != null) {
    out.push({ item: '年服务人次', value: service.yearlyVisitors, present: true, fromFigure: true, said: `月报近12个月合计${formatNumber(service.yearlyVisitors)}人次（${service.basis}）` });
  }
  return out;
}

export interface SelfCheck {
  level: RuleLevel;
  /** the point's own level when it has no table of its own (school, enterprise) */
  heldAgainstVillageTable: boolean;
  verdicts: ItemVerdict[];
}

export function selfCheckForm(form: ApplicationForm, service: ServiceFigures | null, rules: readonly RuleRecord[], pointLevel: string): SelfCheck {
  const level = ruleLevelForPoint(pointLevel);
  const verdicts = checkStatements(formStatements(form, service), rules, level).filter((v) => v.verdict !== 'notRequired');
  return { level, heldAgainstVillageTable: pointLevel !== 'town' && pointLevel !== 'village', verdicts };
}

/** The lines shown before submitting: what would fail the inspection first, then what is not known. */
export function formatSelfCheck(check: SelfCheck): string {
  const label = LEVEL_LABEL[check.level];
  const failing = check.verdicts.filter((v) => v.verdict === 'notMet');
  const unclear = check.verdicts.filter((v) => v.verdict === 'unclear');
  const met = check.verdicts.filter((v) => v.verdict === 'met');
  const notStated = check.verdicts.filter((v) => v.verdict === 'notStated');
  const lines = [`【对照附件1 ${label}基层服务点配置及服务标准自查】`];
  if (check.heldAgainstVillageTable) lines.push('附件1只有镇级、村级两张表，学校、企业服务点按村级（最低配置）对照。');
  if (failing.length) {
    lines.push(`以下 ${failing.length} 项未达标，现场验收时会不通过：`);
    lines.push(...failing.map((v) => `✗ ${v.item}：${describeVerdict(v)}`));
  } else {
    lines.push('申请表中能对照的项目均未发现不达标。');
  }
  if (unclear.length) lines.push(...unclear.map((v) => `？ ${v.item}：${describeVerdict(v)}`));
  if (met.length) lines.push(`达标：${met.map((v) => v.item).join('、')}`);
  if (notStated.length) {
    lines.push(`申请表未涉及、需现场核查：${notStated.map((v) => `${v.item}（${v.rule ? ruleFigure(v.rule) : ''}）`).join('；')}`);
  }
  return lines.join('\n');
}

const isGap = (v: ItemVerdict) => v.verdict === 'notMet' || v.verdict === 'unclear';

function opinionLine(v: ItemVerdict): string {
  return `${v.item}：${describeVerdict(v)}${v.rule ? `，须达到${ruleFigure(v.rule)}` : ''}`;
}

/** 整改意见 prefilled from the gaps of a self-check, one line per item not met or unclear. */
export function rectificationFromGaps(check: SelfCheck): string[] {
  return check.verdicts.filter(isGap).map(opinionLine);
}

/** What a version keeps of its self-check: one entry per item, with the line 整改意见 are drawn from. */
export interface StoredVerdict {
  item: string;
  verdict: ItemVerdict['verdict'];
  text: string;
}

export function storedSelfCheck(check: SelfCheck): StoredVerdict[] {
  return check.verdicts.map((v) => ({ item: v.item, verdict: v.verdict, text: isGap(v) ? opinionLine(v) : describeVerdict(v) }));
}

/** 整改意见 prefilled from a stored self-check: the items not met or unclear. */
export function opinionsFromStored(json: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((v): v is StoredVerdict => typeof v === 'object' && v !== null && typeof (v as StoredVerdict).text === 'string')
    .filter((v) => v.verdict === 'notMet' || v.verdict === 'unclear')
    .map((v) => v.text);
}
