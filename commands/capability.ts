// What every capability (bind, standards, report, notice, status, directory, help...) looks like to
// the core. A capability never imports grammY or Wechaty: it gets a CommandContext and returns
// replies; proactive messages it wants sent are outbox rows it writes (see scheduler/outbox.ts).
import type { Logger } from 'pino';
import type { Db } from '../bot/db/client.ts';
import type { Clock } from '../bot/time.ts';
import type { Actor, IncomingMessage, Reply, Role } from '../bot/core/types.ts';

/** The dialogue state of one chat, persisted by the core after the handler returns. */
export interface ConversationHandle {
  readonly flow: string | null;
  readonly step: string | null;
  /** JSON-serialisable state owned by the flow */
  readonly state: Record<string, unknown>;
  /** start or move a dialogue: the next plain message of this chat goes to this capability's continueFlow */
  set(flow: string, step: string, state: Record<string, unknown>): void;
  /** end the dialogue */
  clear(): void;
}

export interface CommandContext {
  message: IncomingMessage;
  /** message text, trimmed, full-width ASCII folded to half-width */
  text: string;
  /** for a command: the text after the command word (trimmed); otherwise the same as text */
  args: string;
  /** for a picked choice: the part of its value after "<capability>:" */
  choice: string | null;
  actor: Actor;
  db: Db;
  clock: Clock;
  log: Logger;
  conversation: ConversationHandle;
  /** services the host provides (export files, outbox wake-up...), so commands stay free of I/O setup */
  services: CoreServices;
}

export interface CoreServices {
  /** wake the outbox worker after rows were written (no-op when none runs in this process) */
  wakeOutbox(): void;
}

export interface CommandSpec {
  /** the slash command without slash: "report" for /report */
  name: string;
  /** Chinese words that work like the command when a message starts with them: 月报 */
  aliases: string[];
  /** one line of help in Chinese */
  description: string;
  /** who may use it; others get a polite refusal saying what they can do instead */
  roles: readonly Role[];
  /** shown in /help and the Telegram command menu */
  listed?: boolean;
  run(ctx: CommandContext): Promise<Reply[]>;
}

export interface Capability {
  /** also the prefix of its choice values and its conversation flow name */
  name: string;
  commands?: CommandSpec[];
  /** a message while this capability's flow is active (conversation.flow === name) */
  continueFlow?(ctx: CommandContext): Promise<Reply[]>;
  /**
   * While this capability's dialogue is open, a message another capability recognises with
   * certainty (a standards question in the middle of a report) is answered by that one, and the
   * dialogue stays open. Off for dialogues that take free text (a notice's body).
   */
  flowYieldsToConfidentOthers?: boolean;
  /** a choice "<name>:<rest>" was picked; ctx.choice is <rest> */
  onChoice?(ctx: CommandContext): Promise<Reply[]>;
  /**
   * Free text that is no command and no dialogue: how sure this capability is that the message is
   * for it (0 = not at all, 1 = certain). The highest score above 0 handles it.
   */
  recognize?(ctx: CommandContext): number | Promise<number>;
  handleText?(ctx: CommandContext): Promise<Reply[]>;
}

export const ALL_ROLES: readonly Role[] = ['unknown', 'pointContact', 'townContact', 'operator'];
export const BOUND_ROLES: readonly Role[] = ['pointContact', 'townContact', 'operator'];
export const OPERATOR_ONLY: readonly Role[] = ['operator'];

export function text(t: string, extra: Omit<Reply, 'text'> = {}): Reply[] {
  return [{ text: t, ...extra }];
}
