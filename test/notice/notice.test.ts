// Notices end to end through the real core: an operator composes one in chat, it is delivered once to
// each bound contact, acknowledgements show in the status, non-acknowledgers are reminded the day
// before the deadline and their town contact is told on the day. Also the command line.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot, type TestChat } from '../support/harness.ts';
import { createOutboxWorker, type OutboxWorker } from '../../scheduler/outbox.ts';
import { createScheduler } from '../../scheduler/tick.ts';
import { createMemorySender, type MemorySender } from '../../scheduler/memory-sender.ts';
import { runNoticeCli } from '../../commands/notice/cli.ts';
import { runRemindersCli } from '../../scheduler/cli.ts';
import { fromLocal } from '../../bot/time.ts';
import { silentLogger } from '../../bot/logger.ts';

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

describe.each(TEST_PROVIDERS)('notices on %s', (provider) => {
  let bot: TestBot;
  let sender: MemorySender;
  let worker: OutboxWorker;

  beforeEach(async () => {
    // 2026-11-09 10:00 in Dongguan: no monthly reminder stage is due
    bot = await createTestBot({ provider, now: '2026-11-09T02:00:00Z' });
    sender = createMemorySender('console');
    worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [sender], instanceId: 'test' });
  });
  afterEach(async () => {
    await bot.close();
  });

  async function composeToPreview(operator: TestChat, audience: string): Promise<string> {
    expect(text(await operator.send('发通知'))).toContain('请发送通知标题');
    expect(text(await operator.send('2026年第4季度视频讲座资源'))).toContain('请发送通知正文');
    expect(text(await operator.send('本季度新增视频讲座30讲，请各服务点及时领取。'))).toContain('资源怎样领取');
    // typed label of an offered choice, as on WeChat
    expect(text(await operator.send('FTP'))).toContain('FTP 地址');
    expect(text(await operator.send('ftp://ftp.example.invalid/2026q4'))).toContain('领取截止日期');
    expect(text(await operator.send('2026年11月20日'))).toContain('发给谁');
    expect(text(await operator.choose('指定服务点'))).toContain('发给哪些服务点');
    expect(text(await operator.send('示例一村、没有这个村'))).toContain('通信名录中没有：没有这个村');
    expect(text(await operator.send(audience))).toContain('什么时候发送');
    return text(await operator.choose('立即发送'));
  }

  it('composes, previews, delivers once per bound contact, records acks, reminds and escalates', async () => {
    const operator = await bot.chat(DEMO.operator);
    const village1 = await bot.chat(DEMO.shilongVillage1);
    const village3 = await bot.chat(DEMO.humenVillage);
    const school = await bot.chat(DEMO.shilongSchool);
    const shilongTown = await bot.chat(DEMO.shilongTown);

    const preview = await composeToPreview(operator, '示例一村、示例二村、虎门镇/示例三村、示例中学');
    expect(preview).toContain('【资源发放通知】2026年第4季度视频讲座资源');
    expect(preview).toContain('领取方式：FTP（地址：ftp://ftp.example.invalid/2026q4）');
    expect(preview).toContain('领取截止：2026年11月20日');
    expect(preview).toContain('收件人：4 人（4 个服务点），其中已绑定机器人 3 人');
    expect(await bot.db.notice.count()).toBe(0);

    const confirmed = text(await operator.choose('确认发送'));
    expect(confirmed).toMatch(/通知 #\d+《2026年第4季度视频讲座资源》已发出，共 4 人/);
    const notice = await bot.db.notice.findFirstOrThrow();
    expect(notice.status).toBe('sent');

    await worker.runOnce();
    await worker.runOnce();
    for (const chat of [village1, village3, school]) {
      const got = sender.sentTo(chat.chatId);
      expect(got).toHaveLength(1);
      expect(got[0]!.reply.choices).toEqual([{ label: '收到', value: `notice:ack:${notice.id}` }]);
    }
    expect(sender.sentTo(operator.chatId)).toEqual([]);
    expect(sender.sent).toHaveLength(3);

    // acknowledgements: the word, and a WeChat-style number for the offered button
    expect(text(await village1.send('收到'))).toContain('已确认收到《2026年第4季度视频讲座资源》');
    expect(text(await village1.send('收到'))).not.toContain('已确认收到《');
    expect(text(await village3.send('1'))).toContain('已确认收到');
    expect(text(await village3.pick(`notice:ack:${notice.id}`))).toContain('您已确认过');
    expect(text(await shilongTown.pick(`notice:ack:${notice.id}`))).toContain('不是发给您的');

    const status = text(await operator.send(`/notice status ${notice.id}`));
    expect(status).toContain('收件人 4 人（4 个服务点）：已送达 3，已确认 2，发送失败 0，未绑定 1，待发送 0');
    expect(status).toContain('【石龙镇】');
    expect(status).toContain('已确认 1：示例一村（周村联）');
    expect(status).toContain('已送达未确认 1：示例中学（郑校联）');
    expect(status).toContain('未绑定 1：示例二村（吴村联）');
    expect(status).toContain('【虎门镇】');
    expect(text(await operator.send('通知状态'))).toBe(status);

    // the day before the deadline: only the school, which got it and has not confirmed
    const scheduler = createScheduler({ db: bot.db, clock: bot.clock, log: silentLogger });
    bot.clock.set(fromLocal(2026, 11, 19, 9));
    for (let i = 0; i < 3; i++) await scheduler.tick();
    await worker.runOnce();
    expect(sender.sent.slice(3).map((m) => [m.chatId, m.reply.text.split('\n')[0]])).toEqual([[school.chatId, '【通知提醒】《2026年第4季度视频讲座资源》']]);
    expect(sender.sent[3]!.reply.text).toContain('领取截止日期是明天（2026年11月20日）');

    // the deadline: 石龙镇's contact learns which of its villages have not confirmed; 虎门镇's all did
    bot.clock.set(fromLocal(2026, 11, 20, 9, 30));
    await scheduler.tick();
    await scheduler.tick();
    await worker.runOnce();
    const escalations = sender.sent.slice(4);
    expect(escalations.map((m) => m.chatId)).toEqual([shilongTown.chatId]);
    expect(escalations[0]!.reply.text).toContain('以下 2 个服务点尚未确认收到');
    expect(escalations[0]!.reply.text).toContain('· 示例二村（尚未绑定机器人，通知未能送达）');
    expect(escalations[0]!.reply.text).toContain('· 示例中学');
  });

  it('is for operators only, and a scheduled notice waits for its time', async () => {
    const village = await bot.chat(DEMO.shilongVillage1);
    expect(text(await village.send('/notice'))).toContain('仅限市支中心管理员使用');
    expect(text(await village.pick('notice:confirm'))).toContain('选项已经失效');

    const operator = await bot.chat(DEMO.operator);
    await operator.send('/notice 7月技术培训班报名');
    await operator.send('7-8月举办共享工程技术培训班，请各服务点报名。');
    await operator.choose('无需领取');
    expect(text(await operator.send('无'))).toContain('发给谁');
    expect(text(await operator.choose('按级别'))).toContain('发给哪些级别');
    expect(text(await operator.send('镇级、市级'))).toContain('不认识的级别：市级');
    await operator.send('镇级');
    expect(text(await operator.choose('定时发送'))).toContain('请发送发送时间');
    expect(text(await operator.send('2026-11-01 09:00'))).toContain('已经过去了');
    const preview = text(await operator.send('2027-07-01 09:00'));
    expect(preview).toContain('发送时间：2027-07-01 09:00（定时）');
    expect(preview).toContain('收件人：3 人（3 个服务点）');
    expect(text(await operator.choose('确认发送'))).toContain('在 2027-07-01 09:00 发送');
    const notice = await bot.db.notice.findFirstOrThrow();
    expect(notice.status).toBe('scheduled');

    const scheduler = createScheduler({ db: bot.db, clock: bot.clock, log: silentLogger });
    bot.clock.set(fromLocal(2027, 7, 1, 8, 59));
    expect((await scheduler.tick()).releasedNotices).toEqual([]);
    bot.clock.set(fromLocal(2027, 7, 1, 9, 0));
    expect((await scheduler.tick()).releasedNotices).toEqual([notice.id]);
    expect((await scheduler.tick()).releasedNotices).toEqual([]);
    expect(await bot.db.noticeRecipient.count({ where: { noticeId: notice.id } })).toBe(3);
    expect(await bot.db.outboxMessage.count({ where: { noticeId: notice.id, purpose: 'notice' } })).toBe(3);
    expect((await bot.db.notice.findUniqueOrThrow({ where: { id: notice.id } })).status).toBe('sent');
  });

  it('gxgc notice send previews without --yes, sends with it; status and reminders preview print', async () => {
    const lines: string[] = [];
    const deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l: string) => void lines.push(l) };
    const args = ['send', '--title', '数字资源更新', '--body', '新增期刊论文资源。', '--fetch', 'vpn', '--deadline', '2026-11-30', '--towns', '莞城街道'];

    expect(await runNoticeCli(['send', '--title', 'x', '--body', 'y', '--towns', '不存在镇'], deps)).toBe(2);
    expect(lines.join('\n')).toContain('通信名录中没有这些镇街：不存在镇');
    lines.length = 0;

    expect(await runNoticeCli(args, deps)).toBe(0);
    expect(lines.join('\n')).toContain('收件人：3 人（3 个服务点）');
    expect(lines.join('\n')).toContain('加上 --yes');
    expect(await bot.db.notice.count()).toBe(0);

    lines.length = 0;
    expect(await runNoticeCli([...args, '--yes'], deps)).toBe(0);
    const notice = await bot.db.notice.findFirstOrThrow();
    expect(await bot.db.outboxMessage.count({ where: { noticeId: notice.id } })).toBe(3);
    await worker.runOnce();

    lines.length = 0;
    expect(await runNoticeCli(['status', String(notice.id)], deps)).toBe(0);
    expect(lines.join('\n')).toContain('未绑定 3');
    expect(lines.join('\n')).toContain('【莞城街道】');

    lines.length = 0;
    const before = await bot.db.outboxMessage.count();
    expect(await runRemindersCli(['preview', '--date', '2026-12-01'], deps)).toBe(0);
    const out = lines.join('\n');
    expect(out).toContain('【月报第一次提醒（全部服务点）】10 人');
    expect(out).toContain('请于2026年12月5日前上报2026年11月的服务数据');
    expect(out).toContain('石龙镇/示例一村 周村联');
    expect(await bot.db.outboxMessage.count()).toBe(before);

    // nobody in 莞城街道 is bound, so nobody got the notice to be reminded of it; on the deadline the
    // town contact is still told which villages have not confirmed
    lines.length = 0;
    expect(await runRemindersCli(['preview', '--date', '2026-11-29'], deps)).toBe(0);
    expect(lines.join('\n')).toContain('这一天没有要发送的提醒或定时通知');
    lines.length = 0;
    expect(await runRemindersCli(['preview', '--date', '2026-11-30'], deps)).toBe(0);
    expect(lines.join('\n')).toContain(`【通知截止日告知镇（街）未确认名单（通知 #${notice.id}）】1 人`);
    expect(lines.join('\n')).toContain('莞城街道/莞城街道图书馆 王镇联（未绑定，将记为无法送达）');
    expect(await runRemindersCli(['preview', '--date', '2026-13-01'], deps)).toBe(2);
  });
});
