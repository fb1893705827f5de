// The usual kinds of answer a dialogue step accepts, read with the shared language layer
// (bot/language/): a count where 没有/无/0 mean 0, free text, a date or a date and time in Chinese,
// yes/no, and one or several options by number or by words. Pure, tested by tables.
import { localDateString, localDateTimeString } from '../time.ts';
import { instantOf, readDate, readDateTime } from '../language/datetime.ts';
import { foldText, numberProblem, readNumber } from '../language/numbers.ts';
import { answerYesNo, isNoneAnswer } from '../language/text.ts';
import type { AnswerKind, Option, Reading } from './dialogue.ts';

const END = /^[\s。.!！~～]*$/;

/** A whole number of something: "22", "二十二天", "没有" (0). unitWords: what may follow the number. */
export function count(options: { unitWords?: readonly string[]; max?: number; label: string }): AnswerKind<number> {
  const units = [...(options.unitWords ?? [])].sort((a, b) => b.length - a.length);
  return {
    read(text) {
      if (isNoneAnswer(text)) return { ok: true, value: 0 };
      const folded = foldText(text).trim();
      const reading = readNumber(folded);
      if (!reading) {
        const problem = numberProblem(folded);
        return problem ? { ok: false, problem } : null;
      }
      let rest = folded.slice(reading.length).trim();
      const unit = units.find((u) => rest.startsWith(u));
      if (unit) rest = rest.slice(unit.length);
      if (!END.test(rest)) return null;
      if (!Number.isInteger(reading.value) || reading.value < 0) return { ok: false, problem: `${options.label}请填写 0 或正整数。` };
      if (options.max !== undefined && reading.value > options.max) return { ok: false, problem: `${options.label}不能超过 ${options.max}。` };
      return { ok: true, value: reading.value, ...(reading.interpretation ? { note: `${options.label}：${reading.interpretation}。` } : {}) };
    },
  };
}

/** Free text up to max characters; keepLines: the person's own line breaks are kept (a notice body). */
export function freeText(options: { max: number; label: string }): AnswerKind<string> {
  return {
    freeText: true,
    read(text, ctx) {
      const raw = (ctx.message.text ?? text).trim();
      if (!raw) return { ok: false, problem: `请发送${options.label}的文字内容。` };
      if (raw.length > options.max) return { ok: false, problem: `${options.label}有 ${raw.length} 字，请不超过 ${options.max} 字，重新发送。` };
      return { ok: true, value: raw };
    },
  };
}

/** A short line (a title, an address): the text as it was folded. */
export function line(options: { max: number; label: string }): AnswerKind<string> {
  return {
    freeText: true,
    read(text) {
      const value = text.trim();
      if (!value) return { ok: false, problem: `请发送${options.label}。` };
      if (value.length > options.max) return { ok: false, problem: `${options.label}有 ${value.length} 字，请不超过 ${options.max} 字，重新发送。` };
      return { ok: true, value };
    },
  };
}

/** A day (YYYY-MM-DD): "12月15号", "下周五", "月底", "2026-12-15"; notBeforeToday refuses a day past. */
export function date(options: { label: string; notBeforeToday?: boolean }): AnswerKind<string> {
  return {
    read(text, ctx) {
      const now = ctx.clock.now();
      const reading = readDate(text, now);
      if (!reading) return /\d|[一二三四五六七八九十]|[月号日周]/.test(text) ? { ok: false, problem: `没有看懂这个日期。可以写“12月15号”“下周五”“月底”或“2026-12-15”。` } : null;
      const today = localDateString(now);
      if (options.notBeforeToday && reading.date < today) return { ok: false, problem: `${reading.said}已经过去了，请发送今天（${today}）或以后的日期。` };
      return { ok: true, value: reading.date, note: `${options.label}：${reading.said}。` };
    },
  };
}

/** An instant in Dongguan: "明天早上9点", "12月18号 15:30"; a day alone is taken at 9:00 and said so. */
export function dateTime(options: { label: string; future?: boolean }): AnswerKind<string> {
  return {
    read(text, ctx) {
      const now = ctx.clock.now();
      const reading = readDateTime(text, now);
      if (!reading) return /\d|[一二三四五六七八九十]|[月号日周点]/.test(text) ? { ok: false, problem: '没有看懂这个时间。可以写“明天早上9点”“12月18号 15:30”或“2026-12-18 09:00”（东莞时间）。' } : null;
      const at = instantOf({ date: reading.date, time: reading.time ?? '09:00' });
      const said = `${localDateTimeString(at)}${reading.time ? '' : '（没有写时间，按上午 9:00）'}`;
      if (options.future && at.getTime() <= now.getTime()) return { ok: false, problem: `${localDateTimeString(at)} 已经过去了，请发送以后的时间。` };
      return { ok: true, value: at.toISOString(), note: `${options.label}：${said}。` };
    },
  };
}

export function yesNo(): AnswerKind<boolean> {
  return {
    read(text) {
      const answer = answerYesNo(text);
      return answer === null ? null : { ok: true, value: answer === 'yes' };
    },
  };
}

function optionFor(options: readonly Option[], part: string): Option | null {
  const word = part.trim().toLowerCase();
  if (!word) return null;
  if (/^\d{1,2}$/.test(word)) return options[Number(word) - 1] ?? null;
  return options.find((o) => o.value.toLowerCase() === word || o.label.toLowerCase() === word || (o.words ?? []).some((w) => w.toLowerCase() === word)) ?? null;
}

/** One option, by its number, its label or one of its words. */
export function oneOf(options: readonly Option[]): AnswerKind<string> {
  return {
    options,
    read(text) {
      const picked = optionFor(options, text);
      return picked ? { ok: true, value: picked.value } : null;
    },
  };
}

/** One or several options: "1、3", "硬盘和FTP", "1 3". */
export function someOf(options: readonly Option[]): AnswerKind<string[]> {
  return {
    options,
    read(text) {
      const parts = foldText(text).split(/[、,，;；\s]+|和|及|与|还有|或/).filter(Boolean);
      if (parts.length === 0) return null;
      const picked: string[] = [];
      for (const part of parts) {
        const option = optionFor(options, part);
        if (!option) return parts.length > 1 ? { ok: false, problem: `没有“${part}”这个选项。` } : null;
        if (!picked.includes(option.value)) picked.push(option.value);
      }
      return { ok: true, value: picked } satisfies Reading<string[]>;
    },
  };
}
