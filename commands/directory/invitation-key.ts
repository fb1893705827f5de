// The server secret of the invitation codes' keyed hash. From GXGC_INVITATION_SECRET when set (several
// hosts sharing a PostgreSQL database must share it), otherwise a random one generated on first start
// into data/invitation-secret (readable by the owner only). It is kept outside the database on purpose:
// a leaked database without it gives no way to test a guessed code. Losing it makes the codes already
// handed out unusable (re-issue them); it does not affect bound chats.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface InvitationKey {
  secret: Buffer;
  /** a fingerprint stored beside each hash, so a row made under another secret is recognised */
  id: string;
}

export const INVITATION_SECRET_FILE = 'invitation-secret';

export function invitationKeyFrom(secret: string | Buffer): InvitationKey {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  return { secret: bytes, id: createHmac('sha256', bytes).update('gxgc-invitation-key-id').digest('hex').slice(0, 16) };
}

/** The configured secret, or the one in dataDir (created there when missing). */
export function loadInvitationKey(options: { secret?: string; dataDir: string }): { key: InvitationKey; source: 'environment' | 'file' | 'generated' } {
  if (options.secret) return { key: invitationKeyFrom(options.secret), source: 'environment' };
  const file = join(options.dataDir, INVITATION_SECRET_FILE);
  try {
    return { key: invitationKeyFrom(readFileSync(file, 'utf8').trim()), source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(options.dataDir, { recursive: true });
  try {
    // 'wx': of two processes starting together, one writes and the other reads what it wrote
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    return { key: invitationKeyFrom(readFileSync(file, 'utf8').trim()), source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: invitationKeyFrom(readFileSync(file, 'utf8').trim()), source: 'file' };
  }
}

let current: InvitationKey | null = null;

/** Set once by each entry point (bot, command line, test harness) before codes are issued or redeemed. */
export function useInvitationKey(key: InvitationKey): void {
  current = key;
}

export function invitationKey(): InvitationKey {
  if (!current) throw new Error('the invitation secret has not been loaded (useInvitationKey at start-up)');
  return current;
}
