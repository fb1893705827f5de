// Invitation codes: how a person proves, once, that a chat belongs to a directory contact.
// 8 characters from a 32-letter alphabet without look-alikes (0/O, 1/I) give 40 bits: with five
// wrong tries an hour per chat, guessing one of even 600 live codes would take millennia.
// Only a keyed hash is stored (HMAC-SHA-256 under a server secret kept outside the database, see
// invitation-key.ts): 40 bits alone would fall to a brute force of a leaked database in a few
// hundred core-hours; without the secret, a copy of the database gives no way to test a guess.
import { createHash, createHmac, randomInt } from 'node:crypto';
import type { IdentityQueries } from '../../bot/core/queries.ts';
import { invitationKey, type InvitationKey } from './invitation-key.ts';

export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;
export const INVITATION_VALID_DAYS = 14;

export function generateCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** What people type: lower case, spaces, a dash in the middle, full-width letters. */
export function normaliseCode(input: string): string {
  return input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
}

export type CodeInText = { kind: 'code'; code: string } | { kind: 'malformed'; written: string } | { kind: 'mobile'; mobile: string };

const CODE_TOKEN = /(?<![A-Za-z0-9])([A-Za-z0-9]{4})[\s-]?([A-Za-z0-9]{4})(?![A-Za-z0-9])/;
const MOBILE = /(?<!\d)(1[3-9]\d{9})(?!\d)/;

/**
 * What a message offers for binding: a code inside a sentence ("我的邀请码是ZZZZ9999", "绑定邀请码 abcd-2345"),
 * eight characters that cannot be a code (with 0, 1, O or I), or a mobile number instead of a code.
 */
export function findCodeInText(text: string): CodeInText | null {
  const t = text.normalize('NFKC');
  const mobile = MOBILE.exec(t.replace(/[\s-]/g, ''));
  const token = CODE_TOKEN.exec(t);
  if (token) {
    const code = `${token[1]}${token[2]}`.toUpperCase();
    if ([...code].every((c) => CODE_ALPHABET.includes(c))) return { kind: 'code', code };
    // a phone number's digits are not a malformed code
    if (!mobile) return { kind: 'malformed', written: token[0] };
  }
  return mobile ? { kind: 'mobile', mobile: mobile[1]! } : null;
}


/** What the database held before the key (an unkeyed digest); the keyed hash is taken over it, so old rows can be upgraded without their codes. */
export function unkeyedDigest(code: string): string {
  return createHash('sha256').update(`gxgc-invitation:${code}`).digest('hex');
}

export function keyedHash(digest: string, key: InvitationKey): string {
  return createHmac('sha256', key.secret).update(digest).digest('hex');
}

export function hashCode(code: string, key: InvitationKey = invitationKey()): string {
  return keyedHash(unkeyedDigest(code), key);
}

export type InvitationCheck =
  | { ok: true; invitationId: number; contactId: number }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'inactive' };

/** Whether a code may bind a chat now. Claiming it is the bindChat effect's conditional update, so two chats racing for one code cannot both win. */
export async function checkInvitation(identity: IdentityQueries, code: string, now: Date): Promise<InvitationCheck> {
  const invitation = await identity.invitation(hashCode(normaliseCode(code)));
  if (!invitation) return { ok: false, reason: 'unknown' };
  if (invitation.usedAt) return { ok: false, reason: 'used' };
  if (invitation.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  if (!invitation.contactActive) return { ok: false, reason: 'inactive' };
  return { ok: true, invitationId: invitation.id, contactId: invitation.contactId };
}
