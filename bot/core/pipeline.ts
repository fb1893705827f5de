// The one entry point every channel calls: an incoming message in, replies out. Polling, webhooks,
// WeChat and the console all go through handleMessage, as grammY's handleUpdate does for its bot.
// Order: size and flood limits → per-chat queue → who is writing → platform fact → picked choice →
// command → dialogue → free text. Facts about a whole channel (a logout) enter by handleChannelFact.
// Capabilities decide; the core acts: a message's effects, the audit rows they imply and the chat's
// conversation are written in one transaction, conditional on the conversation's version, and the
// outbox is woken once.
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { databaseCoreStore } from '../db/core-store.ts';
import { ConflictError } from '../db/direct-sql.ts';
import { databaseQueries } from '../db/queries.ts';
import type { Clock } from '../time.ts';
import { isEffects, offeredBy, type AttemptLimit, type Capability, type Effects, type CommandContext, type CommandSpec, type Outcome } from './capability.ts';
import { conversationFromRow, type LoadedConversation } from './conversation.ts';
import { continueDialogue, dialogueChoice, expectsFreeText, isCancelWord, type Dialogue } from './dialogue.ts';
import type { EffectResults } from './effects.ts';
import type { Queries } from './queries.ts';
import { FloodGate } from './rate-limit.ts';
import type { CoreStore } from './store.ts';
import { ROLE_LABELS, type Actor, type ChannelFact, type Choice, type IncomingMessage, type Reply } from './types.ts';

export const MAX_MESSAGE_CHARS = 2000;
export const FLOOD_LIMIT = { messages: 20, windowMs: 60_000 };
/** how sure another capability must be to answer in the middle of a dialogue that allows it */
export const CONFIDENT = 0.6;

export interface CoreServices {
  /** wake the outbox worker after rows were written (no-op when none runs in this process) */
  wakeOutbox(): void;
}

interface CoreOptions {
  clock: Clock;
  log: Logger;
  capabilities: Capability[];
  services?: Partial<CoreServices>;
}

/** A core on a database, or on any storage and queries (a dialogue fixture's world in memory). */
export type CoreDeps = CoreOptions & ({ db: Db } | { store: CoreStore; queries: Queries; db?: never });

export interface Core {
  handleMessage(message: IncomingMessage, observe?: MessageObserver): Promise<Reply[]>;
  /**
   * A fact about a whole channel (logged out), in no chat: the capability that takes it decides,
   * the core applies its effects in one batch and wakes the outbox. Never throws; failures are logged.
   */
  handleChannelFact(fact: ChannelFact): Promise<void>;
  /** commands a role may use, for help texts and Telegram's command menu */
  commandsFor(role: Actor['role']): CommandSpec[];
}

/** The core as a channel that reports no channel facts needs it. */
export type ChatCore = Pick<Core, 'handleMessage' | 'commandsFor'>;

/** What a channel may learn about a message besides its replies. */
export interface MessageObserver {
  /**
   * who wrote, as read at the start of handling, and the digest of the command menu last set for the
   * chat (Telegram sets the chat's menu from the role, and need not read the digest again)
   */
  onActor?(actor: Actor, chat: { menuDigest: string | null }): void;
}

interface Route {
  capability: Capability;
  command: CommandSpec;
  args: string;
}

/** Full-width letters, digits and punctuation folded to ASCII (ＡＢＣ１２３，→ ABC123,), spaces collapsed. */
export function normaliseText(raw: string): string {
  return raw.normalize('NFKC').replace(/[\u200B-\u200D\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
}

const STALE_STEP = '这条消息和同时收到的另一条消息对应同一步，那一条已经处理了，这条没有再执行（内容没有重复保存）。请看上面的回复后再继续。';
const FAILED = '抱歉，处理您的消息时出了问题，没有保存任何内容。请稍后再试；如果一直出错，请联系市支中心。';

/** Runs each chat's messages one after another, so two messages of one chat never race on its conversation. */
export class ChatQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

export function createCore(deps: CoreDeps): Core {
  const { clock, capabilities } = deps;
  const store = deps.db ? databaseCoreStore(deps.db) : deps.store;
  const queries = deps.db ? databaseQueries(deps.db) : deps.queries;
  const services: CoreServices = { wakeOutbox: () => undefined, ...deps.services };
  const floodGate = new FloodGate(FLOOD_LIMIT.messages, FLOOD_LIMIT.windowMs);
  const queue = new ChatQueue();
  const commands = capabilities.flatMap((capability) => (capability.commands ?? []).map((command) => ({ capability, command })));
  const factHandlers = capabilities.flatMap((capability) => capability.facts ?? []);
  const dialogues = new Map<string, Dialogue<unknown>>();
  for (const capability of capabilities) for (const dialogue of capability.dialogues ?? []) dialogues.set(dialogue.name, dialogue);

  function findCommand(text: string, aliasesToo: boolean): Route | null {
    const slash = /^\/([A-Za-z_]+)(?:@(\w+))?(?:\s+|$)([\s\S]*)$/.exec(text);
    if (slash) {
      const name = slash[1]!.toLowerCase();
      const found = commands.find((c) => c.command.name === name);
      return found ? { ...found, args: slash[3]!.trim() } : null;
    }
    if (!aliasesToo) return null;
    // a Chinese alias works at the start of a message: "月报 10月" or "绑定 ABCD2345"; longest alias wins
    let best: (Route & { length: number }) | null = null;
    for (const c of commands) {
      for (const alias of c.command.aliases) {
        if (text === alias || (text.startsWith(alias) && /^[\s,:：，、]/.test(text.slice(alias.length)))) {
          if (!best || alias.length > best.length) best = { ...c, args: text.slice(alias.length).replace(/^[\s,:：，、]+/, '').trim(), length: alias.length };
        }
      }
    }
    return best;
  }

  async function bestRecognizer(ctx: CommandContext, except?: Capability): Promise<{ capability: Capability; score: number } | null> {
    let best: { capability: Capability; score: number } | null = null;
    for (const capability of capabilities) {
      if (capability === except || !capability.recognize || !capability.handleText) continue;
      const score = await capability.recognize(ctx);
      if (score > 0 && (!best || score > best.score)) best = { capability, score };
    }
    return best;
  }

  /** counts this attempt; false when it is over the limit */
  async function withinAttempts(limit: AttemptLimit, ctx: CommandContext): Promise<boolean> {
    const allowed = await store.countAttempt(limit.key(ctx), limit.limit, limit.windowMs, clock.now());
    if (!allowed) ctx.log.warn('attempts exhausted');
    return allowed;
  }

  function refusal(actor: Actor, command: CommandSpec): Reply[] {
    if (actor.role === 'unknown') {
      return [{ text: `“${command.description}”需要先绑定通信名录中的身份。\n请向市支中心索取邀请码后发送：/bind 邀请码（或“绑定 邀请码”）。发送 /help 查看现在可以做什么。` }];
    }
    const who = command.roles.map((r) => ROLE_LABELS[r]).join('、');
    return [{ text: `“${command.description}”仅限${who}使用。发送 /help 查看您可以使用的功能。` }];
  }

  /** While a dialogue is open: another capability's answer to a message it recognises with confidence. */
  function hostFor(owner: Capability | undefined) {
    return {
      async answerElsewhere(ctx: CommandContext): Promise<Reply[] | null> {
        const other = await bestRecognizer(ctx, owner);
        if (!other || other.score < CONFIDENT) return null;
        ctx.log = ctx.log.child({ command: other.capability.name, during: ctx.conversation.flow });
        const outcome = await other.capability.handleText!(ctx);
        // effects of an answer given in the middle of a dialogue are not applied: it may only read
        return isEffects(outcome) ? null : outcome;
      },
    };
  }

  async function route(ctx: CommandContext, conversation: LoadedConversation): Promise<Outcome> {
    const fact = ctx.message.fact;
    if (fact) {
      const handler = factHandlers.find((h) => h.kind === fact.kind && (h.takes?.(fact as never) ?? true));
      if (!handler) return [{ text: '收到了，但这条消息我处理不了。发送 /help 查看可以做什么。' }];
      // a fact that tries a secret (an invitation code in a friend request) is counted like the command
      if (handler.attempts && !(await withinAttempts(handler.attempts, ctx))) return [{ text: handler.attempts.refusal }];
      return handler.handle(ctx, fact as never);
    }
    if (ctx.message.choice) {
      const [prefix = '', ...rest] = ctx.message.choice.split(':');
      const value = rest.join(':');
      const dialogue = dialogues.get(prefix);
      if (dialogue && value.startsWith('@')) return dialogueChoice(dialogue, ctx, value);
      // a button of a draft saved by an older version of the bot: the draft is shown again, never confirmed blind
      if (dialogue && conversation.flow === prefix) return continueDialogue(dialogue, ctx, hostFor(undefined));
      const capability = capabilities.find((c) => c.name === prefix && c.onChoice);
      if (capability) return capability.onChoice!({ ...ctx, choice: value });
      return [{ text: '这个选项已经失效了，请重新发起操作。发送 /help 查看可以做什么。' }];
    }
    const waiting = conversation.flow ? dialogues.get(conversation.flow) : undefined;
    // another file sent while one waits for its 确认导入 is that file's import, not an answer
    const open = waiting?.replacedBySentFile && ctx.message.document ? undefined : waiting;
    if (open && (isCancelWord(ctx.text) || ctx.text === '/cancel')) return continueDialogue(open, { ...ctx, text: '取消' }, hostFor(undefined));
    // at a step that takes the whole message (a notice's body), only a slash command is a command
    const found = ctx.text ? findCommand(ctx.text, !(open && expectsFreeText(open, ctx))) : null;
    if (found) {
      if (!found.command.roles.includes(ctx.actor.role)) return refusal(ctx.actor, found.command);
      ctx.log = ctx.log.child({ command: found.command.name });
      const limit = found.command.attempts;
      if (limit && !(await withinAttempts(limit, ctx))) return [{ text: limit.refusal }];
      return found.command.run({ ...ctx, args: found.args });
    }
    if (ctx.text.startsWith('/')) {
      return [{ text: `没有“${ctx.text.split(/\s/)[0]}”这个命令。发送 /help 查看可用的命令。` }];
    }
    if (open) {
      const owner = capabilities.find((c) => c.dialogues?.includes(open));
      return continueDialogue(open, ctx, hostFor(owner));
    }
    // a flow this version does not know
    if (conversation.flow && !waiting) conversation.clear();
    const best = await bestRecognizer(ctx);
    if (best) {
      ctx.log = ctx.log.child({ command: best.capability.name });
      return best.capability.handleText!(ctx);
    }
    return [{ text: '没有听懂您的意思。发送 /help 查看可以做什么。' }];
  }

  /**
   * Applies the outcome: its effects, then the conversation (with the choices the replies offer),
   * in one transaction. The replies are made inside it, from what the effects gave.
   */
  async function settle(outcome: Outcome, ctx: CommandContext, conversation: LoadedConversation, before: Snapshot, now: Date): Promise<Reply[]> {
    const effects = isEffects(outcome) ? outcome.effects : [];
    const results: EffectResults = {};
    let replies: Reply[] = isEffects(outcome) ? [] : outcome;
    const offer = (offered: Choice[]) => {
      // the choices offered now are the only ones answerable by number; a dialogue that did not move keeps its own
      conversation.offerChoices(offered.length ? offered : unmoved(conversation, before) ? conversation.choices : []);
    };
    const offers = isEffects(outcome) ? outcome.offers : undefined;
    await store.commit({
      effects,
      actor: ctx.actor,
      now,
      conversation,
      results,
      offersKnown: offers !== undefined,
      claim: () => offer(offers ?? []),
      finish: () => {
        if (isEffects(outcome)) replies = repliesOf(outcome, results, ctx.log);
        offer(offeredBy(replies));
        return conversation.dirty || effects.length > 0;
      },
    });
    if (effects.some((e) => e.kind === 'createNotice') || results.acceptance?.ok || results.reinspection?.ok || results.alerted) services.wakeOutbox();
    return replies;
  }

  async function handle(message: IncomingMessage, log: Logger, observe?: MessageObserver): Promise<Reply[]> {
    const now = clock.now();
    const text = normaliseText(message.text ?? '');
    if (!text && !message.choice && !message.fact && !message.document) {
      return [{ text: '收到一条空消息。请直接输入文字，或发送 /help 查看可以做什么。' }];
    }
    const chat = await store.resolveChat(message.channel, message.chatId, now, message.displayName);
    const actor = chat.actor;
    observe?.onActor?.(actor, chat);
    const conversation = conversationFromRow(chat.conversation, now);
    let choice = message.choice ?? null;
    if (!choice && conversation.choices.length) {
      // a typed number or label picks one of the choices offered last, and only those
      const picked = /^\d{1,2}$/.test(text) ? conversation.choices[Number(text) - 1] : conversation.choices.find((c) => c.label === text);
      if (picked) choice = picked.value;
    }
    const ctx: CommandContext = {
      message: { ...message, ...(choice ? { choice } : {}) },
      text,
      args: text,
      choice: null,
      actor,
      queries,
      clock,
      log,
      conversation,
    };
    const before = snapshot(conversation);
    const outcome = await route(ctx, conversation);
    const expired = conversation.expiredFlow && !before.flow ? [{ text: '（您上次没有完成的填写已超过 3 天，已作废，没有保存。）' }] : [];
    await chat.touched;
    try {
      return [...expired, ...(await settle(outcome, ctx, conversation, before, now))];
    } catch (error) {
      if (error instanceof ConflictError) {
        log.info({ statement: error.statement.slice(0, 60) }, 'conflict: the step was taken by another message');
        return [{ text: error.statement.includes('"Invitation"') ? '这个邀请码刚刚已被使用。如需重新绑定，请向市支中心索取新的邀请码。' : STALE_STEP }];
      }
      throw error;
    }
  }

  async function handleMessage(message: IncomingMessage, observe?: MessageObserver): Promise<Reply[]> {
    const log = deps.log.child({ channel: message.channel, chat_id: message.chatId });
    try {
      const raw = message.text ?? '';
      if (raw.length > MAX_MESSAGE_CHARS) {
        log.info({ length: raw.length }, 'message too long');
        return [{ text: `消息太长了（${raw.length} 字）。请分几条发送，每条不超过 ${MAX_MESSAGE_CHARS} 字。` }];
      }
      const flood = floodGate.check(`${message.channel}:${message.chatId}`, clock.now());
      if (!flood.allowed) {
        log.warn({ count: flood.count }, 'chat is flooding; rate limited');
        return flood.firstRefusal ? [{ text: '您发送得太快了，请稍等一分钟再发。这段时间的消息不会被处理。' }] : [];
      }
      return await queue.run(`${message.channel}:${message.chatId}`, () => handle(message, log, observe));
    } catch (error) {
      log.error({ err: error }, 'message handling failed');
      return [{ text: FAILED }];
    }
  }

  async function handleChannelFact(fact: ChannelFact): Promise<void> {
    const log = deps.log.child({ channel: fact.channel, fact: fact.kind });
    try {
      const ctx = { queries, clock, log };
      let effects = null;
      for (const capability of capabilities) if (!effects) effects = (await capability.onChannelFact?.(ctx, fact)) ?? null;
      if (!effects) {
        log.warn('no capability takes this channel fact');
        return;
      }
      const results: EffectResults = {};
      await store.commitChannelEffects(effects, { at: clock.now(), actorContactId: null, actor: 'system' }, results);
      log.info({ alerted: results.alerted ?? 0 }, 'channel fact applied');
      if (results.alerted) services.wakeOutbox();
    } catch (error) {
      log.error({ err: error }, 'channel fact handling failed');
    }
  }

  return {
    handleMessage,
    handleChannelFact,
    commandsFor: (role) => commands.filter((c) => c.command.roles.includes(role) && c.command.listed !== false).map((c) => c.command),
  };
}

const APPLIED_UNSAID = '已经办理并保存，但显示结果时出了问题。如需核对，请稍后查看或联系市支中心。';

/**
 * The replies of applied effects. They may be made after the commit (a claimed step), so a failure
 * here must not tell the person that nothing was saved.
 */
function repliesOf(outcome: Effects, results: EffectResults, log: Logger): Reply[] {
  try {
    return outcome.replies(results);
  } catch (error) {
    log.error({ err: error }, 'replies of applied effects failed');
    return [{ text: APPLIED_UNSAID }];
  }
}

interface Snapshot {
  flow: string | null;
  step: string | null;
  turn: unknown;
}

function snapshot(conversation: LoadedConversation): Snapshot {
  return { flow: conversation.flow, step: conversation.step, turn: (conversation.state as { turn?: unknown }).turn };
}

/** The dialogue is where it was before the message (a question answered by another capability). */
function unmoved(conversation: LoadedConversation, before: Snapshot): boolean {
  const now = snapshot(conversation);
  return now.flow !== null && now.flow === before.flow && now.step === before.step && now.turn === before.turn;
}
