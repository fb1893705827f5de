// Issue 18, item 11: one definition of "reachable" for every count an operator sees. The preview,
// /notice status before and after the outbox worker ran, the notice list for a scheduled notice and
// the directory summary must give the same figures for the same people: a console session (an
// operator trying `gxgc console --as`) is nobody's chat, and a chat that blocked the bot cannot be
// reached.
import { sqlOf } from '../../bot/db/client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { previewNotice } from '../../commands/notice/compose.ts';
import { databaseQueries } from '../../bot/db/queries.ts';
import { createNotice, releaseNotice } from '../../bot/db/notice-store.ts';
import { loadNoticeStatus, renderNoticeStatus } from '../../commands/notice/status.ts';
import { listNotices, noticeListLine } from '../../commands/notice/list.ts';
import { directoryOverview, formatOverview } from '../../commands/directory/store.ts';
import { reachabilityOf } from '../../bot/db/reachability.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createMemorySender } from '../../scheduler/memory-sender.ts';
import { silentLogger } from '../../bot/logger.ts';
import type { NoticeDraft } from '../../commands/notice/model.ts';

describe('reachability of a contact', () => {
  const at = new Date('2026-11-01T00:00:00Z');
  it.each([
    ['no chat', [], 'notBound'],
    ['a console session only', [{ channel: 'console', blockedAt: null }], 'notBound'],
    ['a WeChat chat', [{ channel: 'wechat', blockedAt: null }], 'reachable'],
    ['a blocked Telegram chat', [{ channel: 'telegram', blockedAt: at }], 'blocked'],
    ['a blocked chat and an open one', [{ channel: 'telegram', blockedAt: at }, { channel: 'wechat', blockedAt: null }], 'reachable'],
  ] as const)('%s → %s', (_what, identities, expected) => {
    expect(reachabilityOf(identities)).toBe(expected);
  });
});

describe.each(TEST_PROVIDERS)('the same figures everywhere on %s', (provider) => {
  let bot: TestBot;
  const draft = (scheduledFor: string | null): NoticeDraft => ({
    title: '第四季度资源',
    body: '请领取。',
    fetchMethod: null,
    fetchAddress: null,
    deadline: null,
    audience: { kind: 'all', values: [] },
    scheduledFor,
  });

  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-09T02:00:00Z' });
    // an operator tried the bot as a village contact in the console: not that contact's chat
    await bot.chat(DEMO.shilongVillage1);
    await bot.chat(DEMO.humenVillage, 'wechat');
    await bot.chat(DEMO.guanchengTown, 'telegram');
    await bot.db.channelIdentity.updateMany({ where: { channel: 'telegram', externalId: `telegram-${DEMO.guanchengTown}` }, data: { blockedAt: bot.clock.now() } });
  });
  afterAll(async () => bot.close());

  it('preview, status before and after delivery, list and directory summary agree', async () => {
    const preview = await previewNotice(databaseQueries(bot.db).notices, draft(null));
    expect(preview).toMatchObject({ bound: 1, blocked: 1, notBound: preview.recipients - 2 });
    expect(preview.text).toContain(`收件人：${preview.recipients} 人（${preview.points} 个服务点），其中可以送达 1 人；未绑定机器人的 ${preview.recipients - 2} 人将记为“未绑定”；已屏蔽机器人的 1 人将记为“发送失败”。`);

    const summary = formatOverview(await directoryOverview(sqlOf(bot.db)));
    // the summary counts the sub-center's operators too, who are no notice's audience and bound no chat here
    expect(summary).toContain('其中 1 位可以收到机器人消息');

    const notice = await createNotice(bot.db, draft(null), null, bot.clock.now());
    await releaseNotice(bot.db, notice.id, bot.clock.now());
    const expected = `收件人 ${preview.recipients} 人（${preview.points} 个服务点）：已送达 0，已确认 0，发送失败 1，未绑定 ${preview.notBound}，待发送 1`;
    expect(renderNoticeStatus((await loadNoticeStatus(bot.db, notice.id))!)).toContain(expected);

    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [createMemorySender('wechat'), createMemorySender('telegram')], instanceId: 'reach' });
    await worker.runOnce();
    expect(renderNoticeStatus((await loadNoticeStatus(bot.db, notice.id))!)).toContain(
      `收件人 ${preview.recipients} 人（${preview.points} 个服务点）：已送达 1，已确认 0，发送失败 1，未绑定 ${preview.notBound}，待发送 0`,
    );

    const scheduled = await createNotice(bot.db, draft('2026-11-20T01:00:00Z'), null, bot.clock.now());
    const [entry] = await listNotices(bot.db, 1);
    expect(entry).toMatchObject({ id: scheduled.id, recipients: preview.recipients, reachable: 1, expected: true });
    expect(noticeListLine(entry!)).toContain(`收件人 ${preview.recipients}（按现在的名录），可以送达 1`);
  });
});
