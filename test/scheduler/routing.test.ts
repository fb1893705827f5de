// Which way a proactive message goes (scheduler/routing.ts), by a table: preferred reachable channel,
// then the most recently used chat, then e-mail; WeCom members known from the directory only.
import { describe, expect, it } from 'vitest';
import { NOT_BOUND, routeFor, type RoutableContact, type RoutableIdentity, type SenderStates } from '../../scheduler/routing.ts';

const at = (s: string) => new Date(`2026-11-0${s}T00:00:00Z`);
const tg: RoutableIdentity = { id: 1, channel: 'telegram', externalId: '7001', blockedAt: null };
const wx: RoutableIdentity = { id: 2, channel: 'wechat', externalId: 'wxid_1', blockedAt: null };
const wc: RoutableIdentity = { id: 3, channel: 'wecom', externalId: 'zhangsan', blockedAt: null };
const blocked = (i: RoutableIdentity): RoutableIdentity => ({ ...i, blockedAt: at('1') });
const contact = (over: Partial<RoutableContact>): RoutableContact => ({ active: true, preferredChannel: null, email: null, wecomUserId: null, identities: [], ...over });
const senders = (spec: Record<string, boolean>): SenderStates => new Map(Object.entries(spec).map(([c, ready]) => [c, { ready }]));
const ALL = senders({ telegram: true, wechat: true, wecom: true, email: true });

describe('routing a proactive message to a contact', () => {
  it.each<[string, RoutableContact, SenderStates, unknown]>([
    ['the most recently used chat', contact({ identities: [wx, tg] }), ALL, { kind: 'send', channel: 'wechat', externalId: 'wxid_1', identityId: 2 }],
    ['the preferred channel over a more recent one', contact({ preferredChannel: 'telegram', identities: [wx, tg] }), ALL, { kind: 'send', channel: 'telegram', identityId: 1 }],
    ['the most recent when the preferred is blocked', contact({ preferredChannel: 'telegram', identities: [wx, blocked(tg)] }), ALL, { kind: 'send', channel: 'wechat' }],
    ['the most recent ready one when the preferred is logged out', contact({ preferredChannel: 'wechat', identities: [wx, tg] }), senders({ telegram: true, wechat: false }), { kind: 'send', channel: 'telegram' }],
    ['waits when its only chat’s channel is logged out', contact({ email: 'a@b.cn', identities: [wx] }), senders({ wechat: false, email: true }), { kind: 'wait' }],
    ['e-mail when no chat is bound', contact({ email: 'a@b.cn' }), ALL, { kind: 'send', channel: 'email', externalId: 'a@b.cn', identityId: null }],
    ['e-mail when every chat blocked the bot', contact({ email: 'a@b.cn', identities: [blocked(tg)] }), ALL, { kind: 'send', channel: 'email' }],
    ['e-mail when no sender runs for its chats', contact({ email: 'a@b.cn', identities: [tg] }), senders({ email: true }), { kind: 'send', channel: 'email' }],
    ['e-mail first when preferred', contact({ preferredChannel: 'email', email: 'a@b.cn', identities: [tg] }), ALL, { kind: 'send', channel: 'email' }],
    ['the chat when e-mail is preferred but not configured', contact({ preferredChannel: 'email', email: 'a@b.cn', identities: [tg] }), senders({ telegram: true }), { kind: 'send', channel: 'telegram' }],
    ['a WeCom member from the directory who never wrote', contact({ wecomUserId: 'LiSi', email: 'a@b.cn' }), ALL, { kind: 'send', channel: 'wecom', externalId: 'LiSi', identityId: null }],
    ['the WeCom chat itself over the directory column', contact({ wecomUserId: 'lisi', identities: [wc] }), ALL, { kind: 'send', channel: 'wecom', externalId: 'zhangsan', identityId: 3 }],
    ['a recent Telegram chat before the never-used WeCom account', contact({ wecomUserId: 'lisi', identities: [tg] }), ALL, { kind: 'send', channel: 'telegram' }],
    ['e-mail when WeCom is blocked for the member', contact({ email: 'a@b.cn', wecomUserId: 'zhangsan', identities: [blocked(wc)] }), ALL, { kind: 'send', channel: 'email' }],
    ['not bound without chat or address', contact({}), ALL, { kind: 'unreachable', reason: NOT_BOUND }],
    ['not bound with an address but no e-mail sender', contact({ email: 'a@b.cn' }), senders({ telegram: true }), { kind: 'unreachable', reason: NOT_BOUND }],
    ['blocked everywhere, no address', contact({ identities: [blocked(tg), blocked(wx)] }), ALL, { kind: 'unreachable' }],
    ['failed when its channel is not configured and no address', contact({ identities: [wx] }), senders({ telegram: true }), { kind: 'failed' }],
    ['failed for a deactivated contact', contact({ active: false, email: 'a@b.cn' }), ALL, { kind: 'failed' }],
    ['the console only where a console sender runs', contact({ identities: [{ id: 9, channel: 'console', externalId: 'c', blockedAt: null }] }), senders({ telegram: true }), { kind: 'unreachable', reason: NOT_BOUND }],
  ])('%s', (_name, who, states, expected) => {
    expect(routeFor(who, states)).toMatchObject(expected as object);
  });
});
