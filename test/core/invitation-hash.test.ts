// Issue 18, item 3: invitation codes are stored as an HMAC-SHA-256 under a server secret kept
// outside the database, so a leaked database gives no way to test a guess; codes issued before the
// change (an unkeyed SHA-256) are upgraded in place at start-up and keep working.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueInvitations, upgradeInvitationHashes } from '../../bot/db/identity-store.ts';
import { generateCode, hashCode, unkeyedDigest } from '../../commands/directory/invitations.ts';
import { INVITATION_SECRET_FILE, invitationKey, invitationKeyFrom, loadInvitationKey, useInvitationKey } from '../../commands/directory/invitation-key.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, TEST_INVITATION_SECRET, type TestBot } from '../support/harness.ts';

describe('the invitation secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gxgc-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into the data directory, readable by its owner only, and read again afterwards', () => {
    const first = loadInvitationKey({ dataDir: dir });
    expect(first.source).toBe('generated');
    const file = join(dir, INVITATION_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    const second = loadInvitationKey({ dataDir: dir });
    expect(second.source).toBe('file');
    expect(second.key.id).toBe(first.key.id);
  });

  it('comes from the environment when set, whatever the file says', () => {
    const fromEnv = loadInvitationKey({ secret: 'y'.repeat(40), dataDir: dir });
    expect(fromEnv.source).toBe('environment');
    expect(fromEnv.key.id).toBe(invitationKeyFrom('y'.repeat(40)).id);
  });

  it('keys the hash: the stored value is not the plain digest, and another secret gives another value', () => {
    const code = generateCode();
    const a = invitationKeyFrom('a'.repeat(40));
    const b = invitationKeyFrom('b'.repeat(40));
    expect(hashCode(code, a)).not.toBe(unkeyedDigest(code));
    expect(hashCode(code, a)).not.toBe(hashCode(code, b));
    expect(hashCode(code, a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(TEST_PROVIDERS)('invitation hashes on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => {
    useInvitationKey(invitationKeyFrom(TEST_INVITATION_SECRET));
    await bot.close();
  });

  it('stores no unkeyed digest of a new code', async () => {
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenTown } });
    const [issued] = await issueInvitations(bot.db, [contact.id], bot.clock.now());
    const row = await bot.db.invitation.findFirstOrThrow({ where: { contactId: contact.id } });
    expect(row.codeHash).not.toBe(unkeyedDigest(issued!.code));
    expect(row.hashKeyId).toBe(invitationKey().id);
  });

  it('upgrades a code issued before the key, which then still binds, and leaves no unkeyed digest behind', async () => {
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongVillage2 } });
    const code = generateCode();
    await bot.db.invitation.create({ data: { contactId: contact.id, codeHash: unkeyedDigest(code), expiresAt: new Date(bot.clock.now().getTime() + 7 * 24 * 3600_000) } });
    const result = await upgradeInvitationHashes(bot.db, bot.clock.now());
    expect(result.upgraded).toBe(1);
    expect(await bot.db.invitation.count({ where: { codeHash: unkeyedDigest(code) } })).toBe(0);
    expect(await bot.db.invitation.count({ where: { hashKeyId: null } })).toBe(0);
    // a second start upgrades nothing twice
    expect((await upgradeInvitationHashes(bot.db, bot.clock.now())).upgraded).toBe(0);
    const reply = await bot.core.handleMessage({ channel: 'wechat', chatId: 'wx-legacy', text: `/bind ${code}` });
    expect(reply[0]!.text).toContain('绑定成功');
  });

  it('cannot redeem a code under another secret, and counts such live codes at start-up', async () => {
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.guanchengVillage1 } });
    const [issued] = await issueInvitations(bot.db, [contact.id], bot.clock.now());
    const other = invitationKeyFrom('another-server-secret-0123456789abcdef');
    useInvitationKey(other);
    const reply = await bot.core.handleMessage({ channel: 'wechat', chatId: 'wx-other-key', text: `/bind ${issued!.code}` });
    expect(reply[0]!.text).toContain('邀请码不正确');
    expect((await upgradeInvitationHashes(bot.db, bot.clock.now(), other)).otherKeyLive).toBeGreaterThanOrEqual(1);
    useInvitationKey(invitationKeyFrom(TEST_INVITATION_SECRET));
  });
});
