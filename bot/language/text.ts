// Words as clerks type them: traditional characters (opencc-js), homophone typos of domain words
// (pinyin-pro: 电恼 → 电脑, only towards a word of the given vocabulary), short answers (是/不是/没有),
// acknowledgements (收到了谢谢, 👌) and messages with one item per line.
import { createRequire } from 'node:module';
import * as OpenCC from 'opencc-js/t2cn';
import type { pinyin as Pinyin } from 'pinyin-pro';
import { foldText } from './numbers.ts';

let converter: ((text: string) => string) | null = null;

/** the last texts converted: the report parser and the standards recogniser convert the same message */
const recentSimplified = new Map<string, string>();

/** Traditional (Taiwan, Hong Kong) characters to simplified; simplified text comes back unchanged. */
export function toSimplified(text: string): string {
  const known = recentSimplified.get(text);
  if (known !== undefined) return known;
  const convert = (converter ??= OpenCC.Converter({ from: 'tw', to: 'cn' }));
  const simplified = convert(text);
  if (recentSimplified.size >= 64) recentSimplified.clear();
  recentSimplified.set(text, simplified);
  return simplified;
}

// pinyin-pro's dictionary is about 17 MB and 40 ms: loaded by the first homophone check, not by every
// process that imports this module (console /help, the command line)
let pinyin: typeof Pinyin | null = null;

/** a reading ("xing") as a number, so two characters' readings compare without strings */
const readingIds = new Map<string, number>();
/** every toneless reading of a Han character (行 → xing, hang), by code point; null for any other character */
const readingsCache = new Map<number, Int32Array | null>();

function readings(code: number): Int32Array | null {
  let found = readingsCache.get(code);
  if (found === undefined) {
    const char = String.fromCodePoint(code);
    if (/\p{Script=Han}/u.test(char)) {
      pinyin ??= (createRequire(import.meta.url)('pinyin-pro') as { pinyin: typeof Pinyin }).pinyin;
      found = Int32Array.from(new Set(pinyin(char, { toneType: 'none', multiple: true, type: 'array' })), (r) => {
        let id = readingIds.get(r);
        if (id === undefined) readingIds.set(r, (id = readingIds.size));
        return id;
      });
    } else found = null;
    readingsCache.set(code, found);
  }
  return found;
}

function soundsLike(a: number, b: number): boolean {
  if (a === b) return true;
  const ra = readings(a);
  const rb = ra && readings(b);
  if (!rb) return false;
  for (let i = 0; i < rb.length; i++) if (ra.includes(rb[i]!)) return true;
  return false;
}

/**
 * Homophone typos of vocabulary words put right: a run of characters that sounds like a vocabulary word,
 * shares at least half its characters with it (so 电恼 → 电脑 but no unrelated word is rewritten) and is
 * not itself a vocabulary word. Words of fewer than two characters are left alone.
 */
export function fixDomainTypos(text: string, vocabulary: readonly string[]): string {
  const prepared = prepareVocabulary(vocabulary);
  if (prepared.words.length === 0) return text;
  // one message is read by several capabilities (recognise, then handle): the same text comes back
  const recent = prepared.recent.get(text);
  if (recent !== undefined) return recent;
  const result = fixTypos(text, prepared);
  if (prepared.recent.size >= 64) prepared.recent.clear();
  prepared.recent.set(text, result);
  return result;
}

// buffers reused by every text (the pass is synchronous); a longer message's are not kept after it
const KEPT_LENGTH = 8192;
/** the text's code points */
let textCodes = new Int32Array(256);
/** (word, start) pairs of one text, as word × text length + start: sorted, they run word by word, starts ascending */
let candidates = new Float64Array(256);

function fixTypos(text: string, prepared: PreparedVocabulary): string {
  let codes = textCodes;
  if (codes.length < text.length) {
    codes = new Int32Array(text.length);
    if (codes.length <= KEPT_LENGTH) textCodes = codes;
  }
  let n = 0;
  for (let p = 0; p < text.length; n++) {
    const code = text.codePointAt(p)!;
    codes[n] = code;
    p += code > 0xffff ? 2 : 1;
  }
  // a word can only be meant where at least one of its characters stands in its place: those
  // starts alone are tried (this runs for every message, against every word of the vocabulary)
  let buffer = candidates;
  let count = 0;
  for (let j = 0; j < n; j++) {
    const holding = prepared.byChar.get(codes[j]!);
    if (holding === undefined) continue;
    for (let h = 0; h < holding.length; h += 2) {
      const word = holding[h]!;
      const i = j - holding[h + 1]!;
      if (i < 0 || i + prepared.words[word]!.length > n) continue;
      if (count === buffer.length) {
        const grown = new Float64Array(count * 2);
        grown.set(buffer);
        buffer = grown;
        if (grown.length <= KEPT_LENGTH) candidates = grown;
      }
      buffer[count++] = word * n + i;
    }
  }
  if (count === 0) return text;
  const tried = buffer.subarray(0, count).sort();
  let taken: Uint8Array | null = null;
  let fixed: Int32Array | null = null;
  // longer words first (their indexes are lower), so 投影机 is preferred to 投影
  for (let c = 0; c < count; c++) {
    const key = tried[c]!;
    if (c > 0 && key === tried[c - 1]) continue;
    const w = prepared.words[Math.floor(key / n)]!;
    const i = key % n;
    let same = 0;
    for (let k = 0; k < w.length; k++) if (codes[i + k] === w[k]) same++;
    if (same * 2 < w.length) continue;
    if (taken !== null) {
      let free = true;
      for (let k = i; k < i + w.length && free; k++) free = taken[k] === 0;
      if (!free) continue;
    } else taken = new Uint8Array(n);
    if (same === w.length) {
      taken.fill(1, i, i + w.length);
      continue;
    }
    let alike = true;
    for (let k = 0; k < w.length && alike; k++) alike = soundsLike(codes[i + k]!, w[k]!);
    if (!alike || prepared.known.has(String.fromCodePoint(...codes.subarray(i, i + w.length)))) continue;
    fixed ??= codes.slice(0, n);
    fixed.set(w, i);
    taken.fill(1, i, i + w.length);
  }
  return fixed === null ? text : String.fromCodePoint(...fixed);
}

interface PreparedVocabulary {
  /** code points */
  words: Int32Array[];
  known: Set<string>;
  /** code point → the words holding it and where, as pairs: word index, position in the word */
  byChar: Map<number, number[]>;
  /** the last texts put right with this vocabulary */
  recent: Map<string, string>;
}

const preparedVocabularies = new Map<string, PreparedVocabulary>();
const preparedByArray = new WeakMap<readonly string[], PreparedVocabulary>();

/** The vocabulary's words of two or more Han characters, as code points, longest first; kept per vocabulary. */
function prepareVocabulary(vocabulary: readonly string[]): PreparedVocabulary {
  const same = preparedByArray.get(vocabulary);
  if (same) return same;
  const key = vocabulary.join('\u0000');
  let prepared = preparedVocabularies.get(key);
  if (!prepared) {
    const words = [...new Set(vocabulary)].filter((w) => [...w].length >= 2 && /\p{Script=Han}/u.test(w));
    const split = words.map((w) => Int32Array.from(w, (c) => c.codePointAt(0)!)).sort((a, b) => b.length - a.length);
    const byChar = new Map<number, number[]>();
    split.forEach((w, word) =>
      w.forEach((c, at) => {
        const holding = byChar.get(c);
        if (holding) holding.push(word, at);
        else byChar.set(c, [word, at]);
      }),
    );
    prepared = { words: split, known: new Set(words), byChar, recent: new Map() };
    if (preparedVocabularies.size > 16) preparedVocabularies.clear();
    preparedVocabularies.set(key, prepared);
  }
  preparedByArray.set(vocabulary, prepared);
  return prepared;
}

// a short answer is the whole message, give or take particles, punctuation and a thank-you
const PARTICLES = /[啊呀吧呢哦噢喔啦嘛咯哈的了]+$/u;
function core(text: string): string {
  let s = toSimplified(foldText(text))
    .toLowerCase()
    .replace(/[\s\p{P}~～]+/gu, '')
    .replace(/(?:谢谢|谢了|多谢|感谢|辛苦了?)(?:您|你|老师)?$/u, '');
  s = s.replace(PARTICLES, '');
  return s;
}

const YES = new Set(['是', '对', '好', '可以', '行', '确认', '确定', '嗯', '嗯嗯', '要', '需要', '没问题', '没错', '同意', '对头', '是滴', '好滴', 'ok', 'okay', 'yes', 'y', '好嘞', '可', '中', '👍', '👌', '✅']);
const NO = new Set(['不', '不是', '否', '不对', '不要', '不用', '不需要', '不行', '不可以', '没', '没有', '别', 'no', 'n', '不同意', '不确认', '错', '错了', '❌']);

/** Whether a short reply says yes or no; null when it says something else. */
export function answerYesNo(text: string): 'yes' | 'no' | null {
  const s = core(text);
  if (YES.has(s) || /^(是|对|好|可以|行|嗯)\1?$/u.test(s)) return 'yes';
  if (NO.has(s)) return 'no';
  return null;
}

// "没有", "无", "0", "零", "暂无", "一个都没有", "0场", "本月没有"
const NONE_RE = /^(?:本月|这个月|这月|当月|今月)?(?:都|也|还)?(?:没有|没得|没|无|暂无|暂时没有|冇|零|0|一个都没有|一场都没有|一次都没有|一个也没有|一场也没有|空|啥都没有|什么都没有)(?:有)?(?:人次|人|名|次|场次|场|期|个|台|小时|天)?(?:开展|举办|搞|办)?$/u;

/** Whether a reply says "none" (a count of 0) rather than a figure. */
export function isNoneAnswer(text: string): boolean {
  return NONE_RE.test(core(text));
}

// an acknowledgement: a message made only of these pieces, with at least one of the first list
const ACK_WORDS = ['收到', '已收到', '已阅', '已读', '已看', '知道', '知悉', '明白', '了解', '好的', 'ok', 'okay', '👌', '👍', '🙏', '🫡', '✅', '已确认', '确认收到', '确认', 'roger', 'got it', 'gotit'];
const ACK_FILLERS = ['了', '谢谢', '谢', '感谢', '多谢', '辛苦', '老师', '您', '你', '啦', '哈', '嗯', '的', '好', '呀', '啊', '哦', '噢', '滴', '收', '已', '啊', '领导'];

// longest first, so 收到了 is one piece rather than 收到 and 了
const ACK_PIECES = [...ACK_WORDS.map((w) => ({ w, ack: true })), ...ACK_FILLERS.map((w) => ({ w, ack: false }))].sort((a, b) => b.w.length - a.w.length);

/** Whether the message only acknowledges (收到, 收到了谢谢, 好的收到, 已阅, 知道了, 👌, OK). */
export function isAcknowledgement(text: string): boolean {
  let s = toSimplified(foldText(text))
    .toLowerCase()
    .replace(/[\s\p{P}~～]+/gu, '')
    .replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F]/gu, '');
  if (s.length === 0 || s.length > 30) return false;
  let sawAck = false;
  while (s.length > 0) {
    const piece = ACK_PIECES.find((p) => s.startsWith(p.w));
    if (!piece) return false;
    if (piece.ack) sawAck = true;
    s = s.slice(piece.w.length);
  }
  return sawAck;
}

/** The non-empty lines of a multi-line message, trimmed (a WeChat message with one figure per line). */
export function splitLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
