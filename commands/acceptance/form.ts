// The fields of annex 2 (东莞市文化共享工程基层服务点验收申请表), how each is checked, and reading all
// of them from one message ("申请单位名称：石龙镇图书馆；详细地址：…；电脑5台；…"). Pure.
import { z } from 'zod';
import { normaliseMobile } from '../../bot/domain.ts';
import { foldText, numberProblem, readNumber } from '../../bot/language/numbers.ts';
import { findQuantities, formatNumber } from '../standards/quantities.ts';

export type FieldKind = 'text' | 'count' | 'decimal' | 'money' | 'mobile' | 'phone' | 'email';

export interface FormField {
  key: FormKey;
  /** as annex 2 prints it */
  label: string;
  unit?: string;
  kind: FieldKind;
  required: boolean;
  /** other words people use for it, longest match wins */
  aliases: string[];
  /** the section of the annex's table */
  group: 'unit' | 'equipment' | 'other' | 'total';
  /** what the guided dialogue asks */
  question: string;
}

export const FORM_KEYS = [
  'unitName', 'address', 'contactName', 'phone', 'mobile', 'fax', 'email',
  'computers', 'dvdPlayers', 'tvs', 'projectors', 'speakers', 'otherEquipment',
  'internet', 'area', 'staff', 'remarks', 'totalInvestment',
] as const;
export type FormKey = (typeof FORM_KEYS)[number];

export const FORM_FIELDS: readonly FormField[] = [
  { key: 'unitName', label: '申请单位名称', kind: 'text', required: true, aliases: ['申请单位名称（公章）', '申请单位', '单位名称'], group: 'unit', question: '申请单位名称是什么？（与公章一致）' },
  { key: 'address', label: '详细地址', kind: 'text', required: true, aliases: ['地址'], group: 'unit', question: '详细地址是什么？' },
  { key: 'contactName', label: '联系人', kind: 'text', required: true, aliases: ['联系人姓名'], group: 'unit', question: '联系人是谁？' },
  { key: 'phone', label: '联系电话', kind: 'phone', required: false, aliases: ['电话', '座机', '固话'], group: 'unit', question: '联系电话（座机）是多少？没有请回复“跳过”。' },
  { key: 'mobile', label: '手机', kind: 'mobile', required: true, aliases: ['手机号', '手机号码'], group: 'unit', question: '联系人手机号是多少？' },
  { key: 'fax', label: '传真', kind: 'phone', required: false, aliases: [], group: 'unit', question: '传真号码是多少？没有请回复“跳过”。' },
  { key: 'email', label: 'E-mail', kind: 'email', required: false, aliases: ['email', 'e-mail', '邮箱', '电子邮箱', '电子邮件'], group: 'unit', question: 'E-mail 是什么？没有请回复“跳过”。' },
  { key: 'computers', label: '电脑', unit: '台', kind: 'count', required: true, aliases: ['计算机', '电脑台数'], group: 'equipment', question: '电脑有几台？' },
  { key: 'dvdPlayers', label: 'DVD播放机', unit: '台', kind: 'count', required: true, aliases: ['DVD', '影碟机', '播放机'], group: 'equipment', question: 'DVD播放机有几台？' },
  { key: 'tvs', label: '电视机', unit: '台', kind: 'count', required: true, aliases: ['电视'], group: 'equipment', question: '电视机有几台？' },
  { key: 'projectors', label: '投影机、投影幕', unit: '套', kind: 'count', required: true, aliases: ['投影机投影幕', '投影仪', '投影机', '投影'], group: 'equipment', question: '投影机、投影幕有几套？' },
  { key: 'speakers', label: '有源音箱', unit: '台', kind: 'count', required: true, aliases: ['音箱', '音响'], group: 'equipment', question: '有源音箱有几台？' },
  { key: 'otherEquipment', label: '其它设备', kind: 'text', required: false, aliases: ['其他设备'], group: 'equipment', question: '还有其它设备吗？没有请回复“跳过”。' },
  { key: 'internet', label: '上网方式与带宽', kind: 'text', required: true, aliases: ['上网方式和带宽', '上网方式', '带宽', '宽带'], group: 'other', question: '上网方式与带宽？例如“光纤 10M”。' },
  { key: 'area', label: '场所面积', unit: 'm²', kind: 'decimal', required: true, aliases: ['面积', '场地面积'], group: 'other', question: '场所面积多少平方米？' },
  { key: 'staff', label: '专职工作人员', unit: '名', kind: 'count', required: true, aliases: ['专职人员', '工作人员'], group: 'other', question: '专职工作人员有几名？' },
  { key: 'remarks', label: '备注', kind: 'text', required: false, aliases: [], group: 'other', question: '备注（可跳过）：' },
  { key: 'totalInvestment', label: '总投入资金', unit: '元', kind: 'money', required: true, aliases: ['投入资金', '总投入', '总投资'], group: 'total', question: '总投入资金多少元？例如“5万元”。' },
];

export const FIELD_BY_KEY: Record<FormKey, FormField> = Object.fromEntries(FORM_FIELDS.map((f) => [f.key, f])) as Record<FormKey, FormField>;

export type FormValue = string | number;
/** The filled form: what is not there has not been given. */
export type ApplicationForm = Partial<Record<FormKey, FormValue>>;

/** Largest figures a form can hold: a typo ("电脑500台") is refused by name, not stored. */
const MAX: Partial<Record<FieldKind, number>> = { count: 300, decimal: 100_000, money: 100_000_000 };

export interface FieldProblem {
  key: FormKey;
  message: string;
}

export type FieldResult = { ok: true; value: FormValue; note?: string } | { ok: false; problem: FieldProblem };

const PHONE = /^(0\d{2,3}-?)?\d{7,8}(-\d{1,5})?$/;

/** One field's answer, as said, checked and converted ("5台" → 5, "2万元" → 20000). */
export function readField(key: FormKey, raw: string): FieldResult {
  const field = FIELD_BY_KEY[key];
  const text = foldText(raw).trim().replace(/^[：:\s]+|[，,；;。\s]+$/g, '');
  const fail = (message: string): FieldResult => ({ ok: false, problem: { key, message: `${field.label}：${message}` } });
  if (!text) return fail('没有填写内容。');
  switch (field.kind) {
    case 'text':
      return text.length > 200 ? fail('内容太长（最多200字）。') : { ok: true, value: text };
    case 'mobile': {
      const m = normaliseMobile(text);
      return m ? { ok: true, value: m } : fail(`“${text}”不是11位手机号，例如 13800138000。`);
    }
    case 'phone': {
      const p = text.replace(/[\s()（）]/g, '').replace(/^0769(?=\d{8}$)/, '0769-');
      return PHONE.test(p) ? { ok: true, value: p } : fail(`“${text}”不像电话号码，例如 0769-22834125 或 22834125。`);
    }
    case 'email':
      return z.email().safeParse(text).success ? { ok: true, value: text } : fail(`“${text}”不是有效的邮箱地址，例如 gxgc@dglib.cn。`);
    case 'count':
    case 'decimal':
    case 'money': {
      if (/^(没有|无|暂无|0)$/.test(text)) return { ok: true, value: 0 };
      const n = readNumber(text);
      const unclear = n ? null : numberProblem(text);
      if (unclear) return fail(unclear);
      if (!n) return fail(`请写一个数字${field.unit ? `（单位：${field.unit}）` : ''}，例如 ${field.kind === 'money' ? '20000元 或 2万元' : field.kind === 'decimal' ? '80' : '3'}。`);
      const said = text.slice(0, n.length).trim();
      const rest = text.slice(n.length).trim();
      let value = n.value;
      if (field.kind === 'money' && /^万/.test(rest)) value *= 10_000;
      if (field.kind === 'decimal' && /^(亩)/.test(rest)) return fail('请按平方米（m²）填写面积。');
      if (value < 0) return fail('不能是负数。');
      if (field.kind === 'count' && !Number.isInteger(value)) return fail(`“${said}”不是整数。`);
      const max = MAX[field.kind]!;
      if (value > max) return fail(`“${text}”超出了合理范围（不超过${formatNumber(max)}${field.unit ?? ''}），请核对。`);
      const note = value !== n.value || n.interpretation !== null || !/^\d+(\.\d+)?$/.test(said) ? `“${text}”按${formatNumber(value)}${field.unit ?? ''}记录` : undefined;
      return note ? { ok: true, value, note } : { ok: true, value };
    }
  }
}

interface Mention {
  key: FormKey;
  start: number;
  end: number;
}

const NAMES: { key: FormKey; name: string }[] = FORM_FIELDS.flatMap((f) => [f.label, ...f.aliases].map((name) => ({ key: f.key, name: name.toLowerCase() })))
  .sort((a, b) => b.name.length - a.name.length);

/** Field names in the text, longest first, never overlapping; a name inside a longer one is no mention. */
function mentionsIn(text: string): Mention[] {
  const lower = text.toLowerCase();
  const taken: Mention[] = [];
  for (const { key, name } of NAMES) {
    let from = 0;
    for (;;) {
      const at = lower.indexOf(name, from);
      if (at < 0) break;
      from = at + 1;
      // "联系人" inside "联系人电话" is the phone's label; "手机" inside an e-mail address is no label
      if (taken.some((t) => at < t.end && t.start < at + name.length)) continue;
      taken.push({ key, start: at, end: at + name.length });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

// a count said before its item: "5台电脑", "两套投影"
const TRAILING_COUNT = /(\d+|[零〇一二两三四五六七八九十百]+)\s*(台|套|名|个|部)\s*$/;

export interface ParsedForm {
  values: ApplicationForm;
  /** interpretations to show in the read-back */
  notes: string[];
  /** the same notes, by the field they are about */
  noteOf: Partial<Record<FormKey, string>>;
  problems: FieldProblem[];
}

/** Every field named in one message, each checked; a field named twice keeps the last. */
export function parseFormMessage(message: string): ParsedForm {
  const text = foldText(message);
  const mentions = mentionsIn(text);
  const out: ParsedForm = { values: {}, notes: [], noteOf: {}, problems: [] };
  const said = mentions.map((m, i) => text.slice(m.end, mentions[i + 1]?.start ?? text.length));
  const values = [...said];
  const borrowed = said.map(() => false);
  mentions.forEach((m, i) => {
    if (FIELD_BY_KEY[m.key].kind !== 'count') return;
    const after = said[i]!.replace(/^[：:\s（(台套名）)]+/, '');
    if (readNumber(after) || /^(没有|无|暂无)/.test(after)) return;
    const before = i > 0 ? said[i - 1]! : text.slice(0, m.start);
    const hit = TRAILING_COUNT.exec(before.replace(/[有配了共]+$/, ''));
    if (!hit) return;
    values[i] = hit[0];
    borrowed[i] = true;
    if (i > 0 && !borrowed[i - 1]) values[i - 1] = before.slice(0, hit.index);
  });
  const segments = mentions.map((m, i) => ({ m, raw: values[i]! }));
  for (const { m, raw } of segments) {
    const field = FIELD_BY_KEY[m.key];
    // "电脑（台）：5" — the unit as the annex prints it is part of the label
    const value = raw.replace(/^[（(][^）)]{0,4}[）)]/, '');
    const cleaned = field.kind === 'text' ? value : value.replace(/^[：:\s]+/, '').replace(/^(有|共|配|配备|共有)/, '');
    const r = readField(m.key, cleaned);
    if (r.ok) {
      out.values[m.key] = r.value;
      out.problems = out.problems.filter((p) => p.key !== m.key);
      if (r.note) {
        out.notes.push(r.note);
        out.noteOf[m.key] = r.note;
      }
    } else {
      out.problems.push(r.problem);
    }
  }
  return out;
}

/** The bandwidth said in 上网方式与带宽 ("光纤10M"), in k/s, or null when it names none. */
export function bandwidthOf(internet: string): number | null {
  const q = findQuantities(foldText(internet)).find((x) => x.dimension === 'bandwidth');
  return q ? q.value : null;
}

export function missingRequired(form: ApplicationForm): FormField[] {
  return FORM_FIELDS.filter((f) => f.required && (form[f.key] === undefined || form[f.key] === ''));
}

/** "电脑：5台" */
export function formatFieldValue(field: FormField, value: FormValue | undefined): string {
  if (value === undefined || value === '') return '（未填）';
  if (typeof value === 'number') return `${formatNumber(value)}${field.unit ?? ''}`;
  return value;
}

/** The read-back of a whole form, one line per field of the annex. */
export function formatForm(form: ApplicationForm): string {
  return FORM_FIELDS.map((f) => `${f.label}：${formatFieldValue(f, form[f.key])}`).join('\n');
}

/** A stored form (JSON of a version) read back; unknown keys and wrong types are dropped. */
export function parseStoredForm(json: string): ApplicationForm {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return {};
  }
  const form: ApplicationForm = {};
  if (typeof raw !== 'object' || raw === null) return form;
  for (const f of FORM_FIELDS) {
    const v = (raw as Record<string, unknown>)[f.key];
    const numeric = f.kind === 'count' || f.kind === 'decimal' || f.kind === 'money';
    if (numeric ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string') form[f.key] = v as FormValue;
  }
  return form;
}

/** What the directory and the latest monthly report already say, to fill in before asking. */
export interface PrefillSource {
  point: { town: string; name: string; level: string };
  contact: { name: string; mobile: string | null; email: string | null } | null;
  /** the newest monthly report's figures (key → value), if any */
  latestReport: { month: string; figures: Record<string, unknown> } | null;
}

export interface Prefill {
  form: ApplicationForm;
  /** where each prefilled value came from, for the read-back */
  sources: string[];
}

export function prefillForm(src: PrefillSource): Prefill {
  const form: ApplicationForm = {};
  const sources: string[] = [];
  form.unitName = src.point.name.startsWith(src.point.town) || src.point.level === 'town' && src.point.name.includes(src.point.town)
    ? src.point.name
    : `${src.point.town}${src.point.name}`;
  sources.push('申请单位名称取自通信名录');
  if (src.contact) {
    form.contactName = src.contact.name;
    if (src.contact.mobile) form.mobile = src.contact.mobile;
    if (src.contact.email) form.email = src.contact.email;
    sources.push('联系人、手机' + (src.contact.email ? '、E-mail' : '') + '取自通信名录');
  }
  const computers = src.latestReport?.figures.computers;
  if (typeof computers === 'number' && Number.isInteger(computers) && computers >= 0) {
    form.computers = computers;
    sources.push(`电脑台数取自${src.latestReport!.month}月报的“可用电脑”`);
  }
  return { form, sources };
}

/**
 * The read-back before submitting: the form as it would be stored, where prefilled values came from,
 * how figures were read, and what is still missing.
 */
export function formatReadBack(form: ApplicationForm, sources: readonly string[], notes: readonly string[]): string {
  const lines = ['【验收申请表（附件2）】', formatForm(form)];
  if (sources.length) lines.push(`（${sources.join('；')}，如有不对请直接改，例如“手机改成13800138000”）`);
  if (notes.length) lines.push(`请核对：${notes.join('；')}`);
  const missing = missingRequired(form);
  if (missing.length) lines.push(`还缺：${missing.map((f) => f.label).join('、')}`);
  return lines.join('\n');
}
