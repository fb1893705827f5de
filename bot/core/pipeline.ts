// The one entry point every channel calls: an incoming message in, replies out. Polling, webhooks,
// WeChat and the console all go through handleMessage, as grammY's handleUpdate does for its bot.
// Order: size and flood limits → who is writing → picked choice → command → dialogue → free text.
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Clock } from '../time.ts';
import type { Capability, CommandContext, CommandSpec, CoreServices } from '../../commands/capability.ts';
import { resolveChat } from './identity.ts';
import { conversationFromRow, saveConversation, type LoadedConversation } from './conversation.ts';
import { FloodGate } from './rate-limit.ts';
import { ROLE_LABELS, type Actor, type IncomingMessage, type Reply } from './types.ts';

export const MAX_MESSAGE_CHARS = 2000;
export const FLOOD_LIMIT = { messages: 20, windowMs: 60_000 };
/** how sure another capability must be to answer in the middle of a dialogue that allows it */
export const CONFIDENT = 0.6;

export interface CoreDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  capabilities: Capability[];
  services?: Partial<CoreServices>;
}

export interface Core {
  handleMessage(message: IncomingMessage, observe?: MessageObserver): Promise<Reply[]>;
  /** commands a role may use, for help texts and Telegram's command menu */
  commandsFor(role: Actor['role']): CommandSpec[];
}

/** What a channel may learn about a message besides its replies. */
export interface MessageObserver {
  /** who wrote, as read at the start of handling (Telegram sets the chat's command menu from the role) */
  onActor?(actor: Actor): void;
}

interface Route {
  capability: Capability;
  command?: CommandSpec;
  args: string;
}

/** Full-width letters, digits and punctuation folded to ASCII (ＡＢＣ１２３，→ ABC123,), spaces collapsed. */
export function normaliseText(raw: string): string {
  return raw.normalize('NFKC').replace(/[\u200B-\u200D\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
}

export function createCore(deps: CoreDeps): Core {
  const { db, clock, capabilities } = deps;
  const services: CoreServices = { wakeOutbox: () => undefined, ...deps.services };
  const floodGate = new FloodGate(FLOOD_LIMIT.messages, FLOOD_LIMIT.windowMs);
  const commands = capabilities.flatMap((capability) => (capability.commands ?? []).map((command) => ({ capability, command })));

  function findCommand(text: string): Route | null {
    const slash = /^\/([A-Za-z_]+)(?:@\w+)?(?:\s+|$)([\s\S]*)$/.exec(text);
    if (slash) {
      const name = slash[1]!.toLowerCase();
      const found = commands.find((c) => c.command.name === name);
      return found ? { ...found, args: slash[2]!.trim() } : null;
    }
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

  function refusal(actor: Actor, command: CommandSpec): Reply[] {
    if (actor.role === 'unknown') {
      return [{ text: `“${command.description}”需要先绑定通信名录中的身份。\n请向市支中心索取邀请码后发送：/bind 邀请码（或“绑定 邀请码”）。发送 /help 查看现在可以做什么。` }];
    }
    const who = command.roles.map((r) => ROLE_LABELS[r]).join('、');
    return [{ text: `“${command.description}”仅限${who}使用。发送 /help 查看您可以使用的功能。` }];
  }

  async function route(ctx: CommandContext, conversation: LoadedConversation): Promise<Reply[]> {
    if (ctx.message.choice) {
      const [prefix, ...rest] = ctx.message.choice.split(':');
      const capability = capabilities.find((c) => c.name === prefix && c.onChoice);
      if (capability) return capability.onChoice!({ ...ctx, choice: rest.join(':') });
      return [{ text: '这个选项已经失效了，请重新发起操作。发送 /help 查看可以做什么。' }];
    }
    const found = ctx.text ? findCommand(ctx.text) : null;
    if (found?.command) {
      if (!found.command.roles.includes(ctx.actor.role)) return refusal(ctx.actor, found.command);
      ctx.log = ctx.log.child({ command: found.command.name });
      return found.command.run({ ...ctx, args: found.args });
    }
    if (ctx.text.startsWith('/')) {
      return [{ text: `没有“${ctx.text.split(/\s/)[0]}”这个命令。发送 /help 查看可用的命令。` }];
    }
    if (conversation.flow) {
      const owner = capabilities.find((c) => c.name === conversation.flow && c.continueFlow);
      if (owner) {
        if (owner.flowYieldsToConfidentOthers) {
          const other = await bestRecognizer(ctx, owner);
          const ownScore = owner.recognize ? await owner.recognize(ctx) : 0;
          if (other && other.score >= CONFIDENT && other.score > ownScore) {
            ctx.log = ctx.log.child({ command: other.capability.name, during: owner.name });
            const answer = await other.capability.handleText!(ctx);
            return [...answer, { text: '（刚才的填写还没有完成，请接着回复；发送“取消”可以放弃。）' }];
          }
        }
        return owner.continueFlow!(ctx);
      }
      conversation.clear();
    }
    const best = await bestRecognizer(ctx);
    if (best) {
      ctx.log = ctx.log.child({ command: best.capability.name });
      return best.capability.handleText!(ctx);
    }
    return [{ text: '没有听懂您的意思。发送 /help 查看可以做什么。' }];
  }

  async function handleMessage(message: IncomingMessage, observe?: MessageObserver): Promise<Reply[]> {
    const now = clock.now();
    const log = deps.log.child({ channel: message.channel, chat_id: message.chatId });
    try {
      const raw = message.text ?? '';
      if (raw.length > MAX_MESSAGE_CHARS) {
        log.info({ length: raw.length }, 'message too long');
        return [{ text: `消息太长了（${raw.length} 字）。请分几条发送，每条不超过 ${MAX_MESSAGE_CHARS} 字。` }];
      }
      const flood = floodGate.check(`${message.channel}:${message.chatId}`, now);
      if (!flood.allowed) {
        log.warn({ count: flood.count }, 'chat is flooding; rate limited');
        return flood.firstRefusal ? [{ text: '您发送得太快了，请稍等一分钟再发。这段时间的消息不会被处理。' }] : [];
      }
      const text = normaliseText(raw);
      if (!text && !message.choice && !message.sharedPhone && !message.document) {
        return [{ text: '收到一条空消息。请直接输入文字，或发送 /help 查看可以做什么。' }];
      }
      const chat = await resolveChat(db, message.channel, message.chatId, now, message.displayName);
      const actor = chat.actor;
      observe?.onActor?.(actor);
      const conversation = conversationFromRow(chat.conversation, now);
      let choice = message.choice ?? null;
      if (!choice && conversation.choices.length) {
        const picked = /^\d{1,2}$/.test(text) ? conversation.choices[Number(text) - 1] : conversation.choices.find((c) => c.label === text);
        if (picked) choice = picked.value;
      }
      const ctx: CommandContext = {
        message: { ...message, ...(choice ? { choice } : {}), ...(message.sharedPhone ? { text: message.text } : {}) },
        text,
        args: text,
        choice: null,
        actor,
        db,
        clock,
        log,
        conversation,
        services,
      };
      if (message.sharedPhone) {
        const bind = capabilities.find((c) => c.name === 'bind' && c.onChoice);
        if (bind) ctx.message = { ...ctx.message, choice: `bind:phone` };
      }
      const flowBefore = conversation.flow;
      const replies = await route(ctx, conversation);
      // choices stay answerable while the dialogue that offered them goes on; anything else retires them
      const offered = [...replies].reverse().find((r) => r.choices?.length)?.choices;
      if (offered) conversation.offerChoices(offered);
      else if (!(flowBefore && conversation.flow === flowBefore)) conversation.offerChoices([]);
      await saveConversation(db, message.channel, message.chatId, conversation, now);
      return replies;
    } catch (error) {
      log.error({ err: error }, 'message handling failed');
      return [{ text: '抱歉，处理您的消息时出了问题，没有保存任何内容。请稍后再试；如果一直出错，请联系市支中心。' }];
    }
  }

  return {
    handleMessage,
    commandsFor: (role) => commands.filter((c) => c.command.roles.includes(role) && c.command.listed !== false).map((c) => c.command),
  };
}
