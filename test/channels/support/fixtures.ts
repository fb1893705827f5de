// Data the channel tests start from, written with the capabilities' own functions (the notice is
// released exactly as an operator's confirmation releases it), and a wait helper for event-driven
// adapters.
import type { Db } from '../../../bot/db/client.ts';
import { createNotice, releaseNotice } from '../../../bot/db/notice-store.ts';
import { issueInvitations } from '../../../bot/db/identity-store.ts';
import { issuedCodes } from '../../support/log-capture.ts';

export async function contactByMobile(db: Db, mobile: string) {
  return db.contact.findUniqueOrThrow({ where: { mobile }, include: { servicePoint: true } });
}

/** A fresh invitation code for the directory contact with this mobile number. */
export async function invitationFor(db: Db, mobile: string, now: Date): Promise<string> {
  const contact = await contactByMobile(db, mobile);
  const [issued] = await issueInvitations(db, [contact.id], now);
  issuedCodes.add(issued!.code);
  return issued!.code;
}

/** A resource-release notice to one service point, released: its outbox rows are written. */
export async function releaseNoticeToPointOf(db: Db, mobile: string, now: Date, title = '2026年第四季度数字资源下发'): Promise<number> {
  const contact = await contactByMobile(db, mobile);
  const notice = await createNotice(
    db,
    {
      title,
      body: '请各服务点按时领取本季度资源。',
      fetchMethod: null,
      fetchAddress: null,
      deadline: null,
      audience: { kind: 'points', values: [contact.servicePointId] },
      scheduledFor: null,
    },
    null,
    now,
  );
  await releaseNotice(db, notice.id, now);
  return notice.id;
}

export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
