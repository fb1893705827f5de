// The dialogue engine: a dialogue is data (a zod state schema and a list of steps), and this one
// engine runs every dialogue: it asks the first unanswered step, reads the answer by the step's
// kind, re-asks with what was wrong, reads back a summary, and owns confirm / change a field /
// cancel. Choices are bound to the dialogue and the step that offered them: a button or number
// from an earlier step or another draft is refused, never applied. The state lives in the
// Conversation row (the core saves it with the message's effects), so a restart or a second
// instance continues where the first stopped. Telegraf's wizard is the idea; this one is
// channel-neutral and stored.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { mapReplies, withEffectsReplying, type CommandContext, type Outcome } from './capability.ts';
import type { Effect } from './effects.ts';
import type { Choice, Reply } from './types.ts';

/** How a message was read as an answer. note: how the bot interpreted it, for the read-back. */
export type Reading<T> = { ok: true; value: T; note?: string } | { ok: false; problem: string };

export interface Option {
  label: string;
  value: string;
  /** other words that pick it ("硬盘" for 硬盘拷贝) */
  words?: readonly string[];
}

/** A kind of answer: how a typed message is read for a step (answers.ts has the usual kinds). */
export interface AnswerKind<T> {
  /** null: the message is no answer of this kind, and the engine tries its other readings */
  read(text: string, ctx: CommandContext): Reading<T> | null | Promise<Reading<T> | null>;
  /** offered as buttons on Telegram and numbered options elsewhere; a picked one is read(option.value) */
  options?: readonly Option[];
  /** the whole message is the answer (a notice's body): command words in it are not commands */
  freeText?: boolean;
}

export interface Step<S, T = unknown> {
  id: string;
  /** the field's name, in the change menu and in "改截止日期" */
  label: string;
  when?(state: S): boolean;
  isAnswered(state: S): boolean;
  ask(state: S, ctx: CommandContext): string | Promise<string>;
  answer: AnswerKind<T> | ((state: S) => AnswerKind<T>);
  /** an optional step: the words meaning "none" ("无", "跳过") give this state */
  none?: { label: string; apply(state: S): S };
  /** note: how the answer was interpreted (a speech numeral), for a read-back that lists it */
  apply(state: S, value: T, ctx: CommandContext, note?: string): S | { problem: string } | Promise<S | { problem: string }>;
  /** the state with this field unanswered again, when the person asks to change it */
  reset(state: S): S;
}

/** Builds a step with its value type inferred from its answer kind. */
export function step<S, T>(definition: Step<S, T>): Step<S, unknown> {
  return definition as unknown as Step<S, unknown>;
}

export type Interpretation<S> = { state: S; lines: string[] };

export type Confirmation<S> =
  /** the dialogue ends; the outcome's effects are applied with it */
  | { kind: 'done'; outcome: Outcome }
  /** a second look: the text is shown with the confirm choices again */
  | { kind: 'recheck'; state: S; text: string }
  /** something is missing or wrong after all: continue asking */
  | { kind: 'back'; state: S; lines: string[] };

export interface Dialogue<S> {
  /** the flow name in the Conversation row and the prefix of its choices */
  name: string;
  schema: z.ZodType<S>;
  /** the steps, in order; a function when they depend on the state (the report's fields are the template's) */
  steps: readonly Step<S, unknown>[] | ((state: S) => readonly Step<S, unknown>[]);
  summary(state: S, ctx: CommandContext): string | Promise<string>;
  /** false: a short dialogue that is confirmed by its last answer, with no read-back */
  readBack?: boolean;
  /** false: the read-back offers confirm and cancel only (nothing to change: a file to import as it is) */
  changeable?: boolean;
  confirmLabel?: string;
  /**
   * A message the dialogue reads whole, at a step or at the summary (several figures in one
   * sentence, "标题改成…"); where is the step id, 'summary' or 'recheck'. null: not understood.
   */
  interpret?(text: string, state: S, where: string, ctx: CommandContext): Promise<Interpretation<S> | null> | Interpretation<S> | null;
  confirm(state: S, ctx: CommandContext): Promise<Confirmation<S>>;
  cancelled(state: S): string;
  /** what giving up also does (a waiting file let go) */
  cancelEffects?(state: S): Effect[];
  /** a message another capability recognises with confidence is answered by it, and the dialogue stays */
  yieldsToOthers?: boolean;
  /** a file sent while it waits replaces it: the file goes where a sent file goes (another file to import) */
  replacedBySentFile?: boolean;
  /** a state saved by an older version of the bot: the state to go on with (at its first open step), or null */
  upgrade?(old: Record<string, unknown>, oldStep: string | null, ctx: CommandContext): S | null | Promise<S | null>;
  /** how to start again, for the apology when an old or broken state cannot be continued */
  restartHint: string;
  /** who may continue this dialogue (a role change by a directory import ends it) */
  allowed?(ctx: CommandContext): boolean;
}

/** What the engine keeps in Conversation.state. */
interface Stored<S> {
  engine: 1;
  /** this draft: a choice of another draft is refused */
  id: string;
  /** how many times the dialogue moved to another place: a choice offered before is refused */
  turn: number;
  /** a step id, 'summary', 'recheck' or 'change' */
  at: string;
  data: S;
  /** the text of the second look, shown again when the person answers something else */
  recheckText?: string;
}

/** The host's help for the engine: another capability's answer to a message, when it is confident. */
export interface DialogueHost {
  answerElsewhere(ctx: CommandContext): Promise<Reply[] | null>;
}

const CANCEL_WORDS = /^(取消|算了|不报了|不发了|退出|放弃|cancel)[。.!！]?$/i;

/** "取消" and its like: in a dialogue, the dialogue's own cancel (what it was and that nothing was kept). */
export function isCancelWord(text: string): boolean {
  return CANCEL_WORDS.test(text.trim());
}
const CONFIRM_WORDS = /^(确认|确定|提交|确认提交|确认发送|发送|对|对的|是|是的|正确|无误|没问题|确认无误|没错|ok|好|好的|可以)[。.!！]?$/i;
const CHANGE_WORDS = /^(修改|改|更改|改一下|要改|我要改|有错|不对)[。.!！]?$/;
const NONE_WORDS = /^(无|没有|没|不需要|不用|无需|跳过|不填|略过|-|—|暂无|没有了)[。.!！]?$/;
/** "无", "跳过" and their like: the answer of an optional step that leaves it empty. */
export function isNoneWord(text: string): boolean {
  return NONE_WORDS.test(text.trim());
}
const CHANGE_REQUEST = /^(?:修改|更改|改一下|重填|重新填|改)\s*(.+?)$/;

const RESUME_HINT = '（刚才的填写还没有完成，请接着回复；发送“取消”可以放弃。）';

function load<S>(dialogue: Dialogue<S>, ctx: CommandContext): Stored<S> | null {
  if (ctx.conversation.flow !== dialogue.name) return null;
  const raw = ctx.conversation.state as Partial<Stored<unknown>>;
  if (raw.engine !== 1 || typeof raw.id !== 'string' || typeof raw.turn !== 'number' || typeof raw.at !== 'string') return null;
  const data = dialogue.schema.safeParse(raw.data);
  if (!data.success) return null;
  return { engine: 1, id: raw.id, turn: raw.turn, at: raw.at, data: data.data, ...(raw.recheckText ? { recheckText: raw.recheckText } : {}) };
}

function save<S>(ctx: CommandContext, dialogue: Dialogue<S>, stored: Stored<S>): void {
  ctx.conversation.set(dialogue.name, stored.at, stored as unknown as Record<string, unknown>);
}

function token<S>(dialogue: Dialogue<S>, stored: Stored<S>, action: string): string {
  return `${dialogue.name}:@${stored.id}.${stored.turn}:${action}`;
}

function answerOf<S>(s: Step<S, unknown>, state: S): AnswerKind<unknown> {
  return typeof s.answer === 'function' ? s.answer(state) : s.answer;
}

function stepsOf<S>(dialogue: Dialogue<S>, state: S): readonly Step<S, unknown>[] {
  return typeof dialogue.steps === 'function' ? dialogue.steps(state) : dialogue.steps;
}

function stepAt<S>(dialogue: Dialogue<S>, state: S, id: string): Step<S, unknown> | null {
  return stepsOf(dialogue, state).find((s) => s.id === id) ?? null;
}

function nextStep<S>(dialogue: Dialogue<S>, state: S): Step<S, unknown> | null {
  return stepsOf(dialogue, state).find((s) => (s.when?.(state) ?? true) && !s.isAnswered(state)) ?? null;
}

function moveTo<S>(stored: Stored<S>, at: string): Stored<S> {
  return at === stored.at ? stored : { ...stored, at, turn: stored.turn + 1, recheckText: undefined };
}

async function askStep<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>, s: Step<S, unknown>, lines: string[]): Promise<Reply[]> {
  save(ctx, dialogue, stored);
  const answer = answerOf(s, stored.data);
  const choices: Choice[] = (answer.options ?? []).map((o) => ({ label: o.label, value: token(dialogue, stored, `opt=${o.value}`) }));
  // a step that takes a typed number offers no numbered buttons: "1" must stay the answer 1
  if (s.none && choices.length) choices.push({ label: s.none.label, value: token(dialogue, stored, 'none') });
  const text = [...lines, await s.ask(stored.data, ctx)].filter(Boolean).join('\n');
  return [{ text, ...(choices.length ? { choices } : {}) }];
}

function summaryChoices<S>(dialogue: Dialogue<S>, stored: Stored<S>, confirmLabel: string): Choice[] {
  return [
    { label: confirmLabel, value: token(dialogue, stored, 'confirm') },
    ...(dialogue.changeable === false ? [] : [{ label: '修改', value: token(dialogue, stored, 'change') }]),
    { label: '取消', value: token(dialogue, stored, 'cancel') },
  ];
}

/** Asks the first open step, or shows the summary when every step is answered. */
async function advance<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>, lines: string[]): Promise<Outcome> {
  const open = nextStep(dialogue, stored.data);
  if (open) return askStep(dialogue, ctx, moveTo(stored, open.id), open, lines);
  if (dialogue.readBack === false) return prefixed(lines, await confirm(dialogue, ctx, stored));
  const atSummary = moveTo(stored, 'summary');
  save(ctx, dialogue, atSummary);
  const text = [...lines, await dialogue.summary(atSummary.data, ctx)].filter(Boolean).join('\n');
  return [{ text, choices: summaryChoices(dialogue, atSummary, dialogue.confirmLabel ?? '确认提交') }];
}

function prefixed(lines: string[], outcome: Outcome): Outcome {
  const prefix = (replies: Reply[]): Reply[] =>
    lines.length === 0 || replies.length === 0 ? replies : [{ ...replies[0]!, text: [...lines, replies[0]!.text].join('\n') }, ...replies.slice(1)];
  return mapReplies(outcome, prefix);
}

/** Starts a dialogue with a state (prefilled fields already answered) and lines to say first. */
export async function startDialogue<S>(dialogue: Dialogue<S>, ctx: CommandContext, data: S, intro: string[] = []): Promise<Outcome> {
  const stored: Stored<S> = { engine: 1, id: randomBytes(4).toString('hex'), turn: 0, at: '', data };
  return advance(dialogue, ctx, stored, intro);
}

/** Whether the dialogue's current step takes the whole message as its answer (so command words are not commands). */
export function expectsFreeText<S>(dialogue: Dialogue<S>, ctx: CommandContext): boolean {
  const stored = load(dialogue, ctx);
  const s = stored && stepAt(dialogue, stored.data, stored.at);
  return Boolean(s && answerOf(s, stored.data).freeText);
}

function notAllowed<S>(dialogue: Dialogue<S>, ctx: CommandContext): Reply[] {
  ctx.conversation.clear();
  if (ctx.actor.role === 'unknown') {
    return [{ text: '您现在还没有绑定通信名录中的身份（可能已被移出名录），这次填写没有保存。如有疑问请联系市支中心；绑定请发送 /bind 邀请码。' }];
  }
  return [{ text: `您在通信名录中的身份已变更，不能再继续这次填写，内容没有保存。${dialogue.restartHint}` }];
}

function endWithApology<S>(dialogue: Dialogue<S>, ctx: CommandContext): Reply[] {
  ctx.conversation.clear();
  return [{ text: `抱歉，系统升级后无法接着完成您上次的填写，内容没有保存。${dialogue.restartHint}` }];
}

/** The stored state, or one upgraded from an older version of the bot; null: ended with an apology (in replies). */
async function resume<S>(dialogue: Dialogue<S>, ctx: CommandContext): Promise<Stored<S> | null> {
  const stored = load(dialogue, ctx);
  if (stored) return stored;
  const upgraded = (await dialogue.upgrade?.(ctx.conversation.state, ctx.conversation.step, ctx)) ?? null;
  if (!upgraded) return null;
  const parsed = dialogue.schema.safeParse(upgraded);
  return parsed.success ? { engine: 1, id: randomBytes(4).toString('hex'), turn: 0, at: '', data: parsed.data } : null;
}

async function cancel<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>): Promise<Outcome> {
  ctx.conversation.clear();
  const replies = [{ text: dialogue.cancelled(stored.data) }];
  const effects = dialogue.cancelEffects?.(stored.data) ?? [];
  return effects.length ? withEffectsReplying(effects, replies) : replies;
}

async function confirm<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>): Promise<Outcome> {
  const open = nextStep(dialogue, stored.data);
  if (open) return askStep(dialogue, ctx, moveTo(stored, open.id), open, ['还有内容没有填完：']);
  const result = await dialogue.confirm(stored.data, ctx);
  if (result.kind === 'done') {
    ctx.conversation.clear();
    return result.outcome;
  }
  if (result.kind === 'back') return advance(dialogue, ctx, { ...stored, data: result.state }, result.lines);
  const recheck = { ...moveTo({ ...stored, data: result.state }, 'recheck'), recheckText: result.text };
  save(ctx, dialogue, recheck);
  return [{ text: result.text, choices: summaryChoices(dialogue, recheck, '没错，提交') }];
}

function changeMenu<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>, lead = '要修改哪一项？请点选或回复序号；也可以直接发送新的内容。'): Reply[] {
  const changing = moveTo(stored, 'change');
  save(ctx, dialogue, changing);
  const steps = stepsOf(dialogue, stored.data).filter((s) => s.when?.(stored.data) ?? true);
  return [{ text: lead, choices: steps.map((s) => ({ label: s.label, value: token(dialogue, changing, `edit=${s.id}`) })) }];
}

async function edit<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>, s: Step<S, unknown>): Promise<Reply[]> {
  const data = s.reset(stored.data);
  return askStep(dialogue, ctx, moveTo({ ...stored, data }, s.id), s, []);
}

/** The step a change request names: "改截止日期", "修改标题". */
function namedStep<S>(dialogue: Dialogue<S>, state: S, text: string): Step<S, unknown> | null {
  const m = CHANGE_REQUEST.exec(text);
  if (!m) return null;
  const wanted = m[1]!.replace(/[。.!！]$/, '');
  const visible = stepsOf(dialogue, state).filter((s) => s.when?.(state) ?? true);
  return visible.find((s) => s.label === wanted) ?? visible.find((s) => wanted.includes(s.label) || s.label.includes(wanted)) ?? null;
}

async function applyAnswer<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>, s: Step<S, unknown>, reading: Reading<unknown>): Promise<Outcome> {
  if (!reading.ok) return askStep(dialogue, ctx, stored, s, [reading.problem]);
  const applied = await s.apply(stored.data, reading.value, ctx, reading.note);
  if (isProblem(applied)) return askStep(dialogue, ctx, stored, s, [applied.problem]);
  return advance(dialogue, ctx, { ...stored, data: applied }, reading.note ? [reading.note] : []);
}

function isProblem(value: unknown): value is { problem: string } {
  return typeof value === 'object' && value !== null && 'problem' in value && typeof (value as { problem: unknown }).problem === 'string' && Object.keys(value).length === 1;
}

/** Shows the current place again (after a message it could not use), with lines first. */
async function reshow<S>(dialogue: Dialogue<S>, ctx: CommandContext, stored: Stored<S>, lines: string[]): Promise<Outcome> {
  const s = stepAt(dialogue, stored.data, stored.at);
  if (s) return askStep(dialogue, ctx, stored, s, lines);
  if (stored.at === 'change') return changeMenu(dialogue, ctx, stored, [...lines, '要修改哪一项？请点选或回复序号。'].join('\n'));
  if (stored.at === 'recheck' && stored.recheckText) {
    save(ctx, dialogue, stored);
    return [{ text: [...lines, stored.recheckText].join('\n'), choices: summaryChoices(dialogue, stored, '没错，提交') }];
  }
  return advance(dialogue, ctx, stored, lines);
}

/** A typed message while the dialogue is open. */
export async function continueDialogue<S>(dialogue: Dialogue<S>, ctx: CommandContext, host: DialogueHost): Promise<Outcome> {
  const stored = await resume(dialogue, ctx);
  if (!stored) return endWithApology(dialogue, ctx);
  if (dialogue.allowed && !dialogue.allowed(ctx)) return notAllowed(dialogue, ctx);
  // a draft saved by an older version of the bot goes on from its first open step, asked again
  if (stored.at === '') return advance(dialogue, ctx, stored, ['（机器人已升级，请从这一步接着填写。）']);
  const text = ctx.text.trim();
  if (CANCEL_WORDS.test(text)) return cancel(dialogue, ctx, stored);
  const current = stepAt(dialogue, stored.data, stored.at);
  if (current) {
    const answer = answerOf(current, stored.data);
    const reading = await answer.read(text, ctx);
    if (reading) return applyAnswer(dialogue, ctx, stored, current, reading);
    if (current.none && NONE_WORDS.test(text)) return advance(dialogue, ctx, { ...stored, data: current.none.apply(stored.data) }, []);
  } else if ((stored.at === 'summary' || stored.at === 'recheck') && CONFIRM_WORDS.test(text)) {
    return confirm(dialogue, ctx, stored);
  } else if (stored.at !== 'change' && CHANGE_WORDS.test(text)) {
    return changeMenu(dialogue, ctx, stored);
  }
  const interpreted = dialogue.interpret ? await dialogue.interpret(text, stored.data, stored.at, ctx) : null;
  if (interpreted) {
    // a correction at the summary keeps its place in the dialogue: the summary is shown again
    return advance(dialogue, ctx, { ...stored, data: interpreted.state }, interpreted.lines);
  }
  const named = namedStep(dialogue, stored.data, text);
  if (named) return edit(dialogue, ctx, stored, named);
  if (dialogue.yieldsToOthers) {
    const elsewhere = await host.answerElsewhere(ctx);
    if (elsewhere) {
      // the dialogue does not move, so its choices stay valid (the core keeps them)
      save(ctx, dialogue, stored);
      return [...elsewhere, { text: RESUME_HINT }];
    }
  }
  return reshow(dialogue, ctx, stored, ['没有看懂这条回复。']);
}

/** A picked choice "<name>:@<draft>.<turn>:<action>". */
export async function dialogueChoice<S>(dialogue: Dialogue<S>, ctx: CommandContext, value: string): Promise<Outcome> {
  const m = /^@([0-9a-f]+)\.(\d+):(.*)$/.exec(value);
  const stored = load(dialogue, ctx);
  if (!m || !stored) return [{ text: `这个选项已经失效了（对应的填写已经结束或已过期）。${dialogue.restartHint}` }];
  if (m[1] !== stored.id || Number(m[2]) !== stored.turn) {
    return reshow(dialogue, ctx, stored, ['这个选项是之前的问题的，已经失效，没有执行。请回答当前的问题：']);
  }
  if (dialogue.allowed && !dialogue.allowed(ctx)) return notAllowed(dialogue, ctx);
  const action = m[3]!;
  if (action === 'cancel') return cancel(dialogue, ctx, stored);
  if (action === 'confirm') return confirm(dialogue, ctx, stored);
  if (action === 'change') return changeMenu(dialogue, ctx, stored);
  const current = stepAt(dialogue, stored.data, stored.at);
  if (action.startsWith('edit=')) {
    const s = stepAt(dialogue, stored.data, action.slice(5));
    return s ? edit(dialogue, ctx, stored, s) : reshow(dialogue, ctx, stored, []);
  }
  if (action === 'none' && current?.none) return advance(dialogue, ctx, { ...stored, data: current.none.apply(stored.data) }, []);
  if (action.startsWith('opt=') && current) {
    const reading = await answerOf(current, stored.data).read(action.slice(4), ctx);
    if (reading) return applyAnswer(dialogue, ctx, stored, current, reading);
  }
  return reshow(dialogue, ctx, stored, []);
}
