// The channel-agnostic vocabulary of the bot: what comes in from any chat, and what goes back.
// Adapters (bot/channels/*) translate platform updates into IncomingMessage and render Reply;
// capabilities (commands/*) only ever see these types.

export const CHANNELS = ['console', 'telegram', 'wechat', 'wecom', 'email'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** What kind of message arrived; only text is understood, the rest are answered with what arrived. */
export const MESSAGE_KINDS = ['text', 'voice', 'image', 'sticker', 'video', 'file', 'other'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface IncomingMessage {
  channel: ChannelName;
  /** absent means text */
  kind?: MessageKind;
  /** the chat on that channel: telegram chat id, wechat contact id, wecom user id, console session id */
  chatId: string;
  /** what the platform says the sender calls themselves (not trusted for identity) */
  displayName?: string;
  text?: string;
  /** value of a choice the person picked (a button on Telegram; numbered replies are mapped by the core) */
  choice?: string;
  /** something the platform vouches for, routed by the core to the capability that handles it */
  fact?: PlatformFact;
  /** a file the person sent (a Telegram document, a WeChat file) */
  document?: IncomingDocument;
}

/** Files larger than this are not downloaded from the platform (a directory of 600 points is some 100 KB). */
export const MAX_INCOMING_FILE_BYTES = 2 * 1024 * 1024;

export interface IncomingDocument {
  filename: string;
  mimeType?: string;
  /** bytes, as the platform says (or as downloaded) */
  size: number;
  /** absent when the file was not downloaded: why in `missing` */
  content?: Uint8Array;
  missing?: 'tooLarge' | 'downloadFailed';
}

/**
 * Typed platform facts about one chat. sharedPhone: the sender's own number (Telegram's
 * contact-request button, checked by the adapter to be the sender's). friendRequest: the person
 * asked to become a contact (WeChat) and was accepted; code: the invitation code in the greeting.
 */
export type PlatformFact = { kind: 'sharedPhone'; phone: string } | { kind: 'friendRequest'; code: string | null };

/**
 * Facts about a whole channel, in no chat. loggedOut: the bot's account on the channel was logged
 * out and sends nothing until it logs in again; recovery says how (scanQr: someone scans the login
 * QR code the adapter prints).
 */
export type ChannelFact = { kind: 'loggedOut'; channel: ChannelName; account: string; recovery: 'scanQr' };

/** One option offered to the person. value is "<capability>:<action>[:<arg>]", routed by the core. */
export interface Choice {
  label: string;
  value: string;
}

export interface OutgoingDocument {
  filename: string;
  content: Uint8Array;
  caption?: string;
}

/** A picture (PNG) shown in the chat: a photo on Telegram, an image on WeChat. */
export interface OutgoingImage {
  filename: string;
  content: Uint8Array;
  caption?: string;
}

export interface Reply {
  text: string;
  choices?: Choice[];
  document?: OutgoingDocument;
  image?: OutgoingImage;
  /** ask for the person's phone number (Telegram: a contact-request keyboard button) */
  requestPhone?: boolean;
}

/** unknown: not bound; pointContact: contact of a village/school/enterprise point; townContact: of a town point; operator: of the 市支中心 point */
export const ROLES = ['unknown', 'pointContact', 'townContact', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  unknown: '未绑定用户',
  pointContact: '村（居）/学校/企业服务点联系人',
  townContact: '镇（街）服务点联系人',
  operator: '市支中心管理员',
};

export interface ActorContact {
  id: number;
  name: string;
  role: string;
  mobile: string | null;
  servicePoint: {
    id: number;
    town: string;
    name: string;
    level: string;
    isPartyEducationPoint: boolean;
  };
}

/** Who is writing: the chat, and the directory contact it is bound to (if any). */
export interface Actor {
  role: Role;
  channel: ChannelName;
  chatId: string;
  identityId: number;
  contact: ActorContact | null;
}

/** What the outbox knows about a proactive message besides its reply (e-mail needs it for the acknowledgement link). */
export interface DeliveryContext {
  outboxId: number;
  contactId: number;
  purpose: string;
  noticeId: number | null;
}

/** A channel that can deliver proactive messages (the outbox worker uses it). */
export interface ChannelSender {
  readonly channel: ChannelName;
  send(chatId: string, reply: Reply, context?: DeliveryContext): Promise<void>;
  /**
   * One reply to many chats in one platform call (WeCom's touser list), at most maxBatch of them:
   * each chat's outcome, null for delivered. A thrown error is the whole call's outcome.
   */
  sendBatch?(chatIds: readonly string[], reply: Reply): Promise<Map<string, DeliveryError | null>>;
  readonly maxBatch?: number;
  /**
   * false while the channel cannot send at all (WeChat logged out): the outbox then uses another
   * of the contact's channels, or waits without counting an attempt. Absent means always ready.
   */
  ready?(): boolean;
}

/**
 * Delivery failures a sender reports. transient: try again later (retryAfterMs if the platform said);
 * unreachable: the person blocked the bot or the chat is gone, so stop trying.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly kind: 'transient' | 'unreachable' | 'permanent',
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
