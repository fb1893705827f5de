// The acceptance path through the Telegram emulator, on both databases: a town point applies in the
// chat, its 镇文广中心 gets the application by the outbox with buttons and confirms it, an operator
// receives it, schedules the visit and fails it with 整改意见, the town resubmits, the centre confirms again, the operator
// passes it, fetches the printable form as a document, and a yearly re-inspection removes the plaque.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bot/channels/telegram.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { captureLogs } from '../support/log-capture.ts';
import { TEST_TOKEN, buttonsOf, startEmulator, textOf, type EmulatedChat, type Emulator } from './support/telegram-emulator.ts';

const capture = captureLogs();
afterAll(() => {
  capture.stop();
  capture.expectNoSecrets([TEST_TOKEN]);
});

const USERS = { town: 7101, center: 7102, operator: 7103 };
const CENTER_MOBILE = '13800009002';

describe.each(TEST_PROVIDERS)('the acceptance path through Telegram on %s', (provider) => {
  let emulator: Emulator;
  let bot: TestBot;
  let channel: TelegramChannel;

  beforeAll(async () => {
    emulator = await startEmulator();
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
    const center = await bot.db.servicePoint.create({ data: { town: '石龙镇', name: '石龙镇文广中心', level: 'townCultureCenter' } });
    await bot.db.contact.create({ data: { servicePointId: center.id, name: '文广张', role: 'liaison', mobile: CENTER_MOBILE } });
    channel = createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: emulator.apiRoot, port: 0 }, core: bot.core, db: bot.db, clock: bot.clock, log: capture.log });
    await channel.start();
  });
  afterAll(async () => {
    await channel?.stop();
    await emulator?.stop();
    await bot?.close();
  });

  /**
   * The messages this chat receives until one contains `expected` (the outbox's notifications to
   * the same person may come in between), joined.
   */
  async function until(chat: EmulatedChat, expected: string): Promise<string> {
    const seen: string[] = [];
    for (let i = 0; i < 6 && !seen.some((t) => t.includes(expected)); i++) seen.push(textOf(await chat.receive()));
    return seen.join('\n');
  }
  /** one message and the bot's answer; the clock moves on so the flood limit never answers */
  async function say(chat: EmulatedChat, text: string, expected: string): Promise<string> {
    bot.clock.advance(5_000);
    await chat.text(text);
    return until(chat, expected);
  }
  async function press(chat: EmulatedChat, label: string, from: { text: string; callback_data: string }[], count = 1): Promise<string> {
    const button = from.find((b) => b.text === label);
    expect(button, `button ${label}`).toBeDefined();
    bot.clock.advance(5_000);
    await chat.press(button!.callback_data);
    return textOf(await chat.receive(count));
  }
  async function bound(userId: number, mobile: string): Promise<EmulatedChat> {
    const chat = emulator.chat(userId);
    await chat.shareContact(mobile);
    expect(textOf(await chat.receive())).toContain('绑定成功');
    return chat;
  }
  /** the application's read-back, answering "跳过" to the optional questions; its buttons */
  async function readBackOf(chat: EmulatedChat, first: string) {
    let text = first;
    let buttons: { text: string; callback_data: string }[] = [];
    for (let i = 0; i < 10 && !text.includes('【验收申请表'); i++) {
      bot.clock.advance(5_000);
      await chat.text('跳过');
      const got = await chat.receive();
      text = textOf(got);
      buttons = buttonsOf(got);
    }
    return { text, buttons };
  }

  it('goes from the application to the plaque and its removal, each party told', async () => {
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: capture.log, senders: [channel.sender], instanceId: 'acceptance-test' });
    const town = await bound(USERS.town, DEMO.shilongTown);
    const center = await bound(USERS.center, CENTER_MOBILE);
    const operator = await bound(USERS.operator, DEMO.operator);

    expect(await say(town, '验收申请', '详细地址是什么')).toContain('详细地址是什么');
    bot.clock.advance(5_000);
    await town.text('详细地址：石龙镇中山路1号；电脑12台，DVD播放机1台，电视机2台，投影机1套，有源音箱2台，上网方式：光纤100M，场所面积：200平方米，专职工作人员2名，总投入资金12万元');
    const first = await readBackOf(town, textOf(await town.receive()));
    expect(first.text).toContain('电脑：12台');
    expect(first.text).toContain('对照附件1 镇级');
    const submitted = await press(town, '确认提交', first.buttons);
    const id = Number(/已提交验收申请 #(\d+)/.exec(submitted)?.[1]);
    expect(id).toBeGreaterThan(0);

    // the centre's notification comes through the outbox, with its buttons
    await worker.runOnce();
    const notified = await center.receive();
    expect(textOf(notified)).toContain(`【验收申请 #${id}】石龙镇图书馆`);
    expect(await press(center, '确认盖章', buttonsOf(notified))).toContain('已确认盖章');

    expect(await say(operator, `收件 ${id}`, '现场验收期限')).toContain('现场验收期限：');
    expect(await say(operator, `安排验收 ${id} 11月10日`, '已安排现场验收')).toContain('现为“已安排现场验收');
    await worker.runOnce();
    expect(await until(town, '派员到现场验收')).toContain('2026年11月10日');
    expect(await say(operator, `验收不通过 ${id} 电子阅览室未布置；开放时间不足`, '已验收不通过')).toContain('现为“验收未通过，待整改后重新提交”');
    await worker.runOnce();
    expect(await until(town, '电子阅览室未布置')).toContain('整改后请回复“重新提交验收申请”');

    const again = await say(town, '重新提交验收申请', '上一版');
    expect(again).toContain('上一版');
    const resubmittedButtons = buttonsOf(await (async () => {
      bot.clock.advance(5_000);
      await town.text('备注：电子阅览室已布置，开放时间延长到每周42小时');
      return town.receive();
    })());
    expect(await press(town, '确认提交', resubmittedButtons)).toContain(`已重新提交验收申请 #${id}（第2版）`);
    await worker.runOnce();
    const second = await center.receive();
    expect(textOf(second)).toContain('第2版');
    expect(await press(center, '确认盖章', buttonsOf(second))).toContain('已确认盖章');

    expect(await say(operator, `收件 ${id}`, '现场验收期限')).toContain('现场验收期限：');
    expect(await say(operator, `验收通过 ${id}`, '已验收通过')).toContain('验收通过，已授牌');
    const point = await bot.db.servicePoint.findFirstOrThrow({ where: { name: '石龙镇图书馆' } });
    expect(point.acceptanceStatus).toBe('accepted');

    bot.clock.advance(5_000);
    await operator.text(`验收申请 ${id}`);
    const form = await operator.receive(2);
    expect(form.some((m) => m.document?.file_name === `验收申请表-${id}.xlsx`)).toBe(true);
    const file = emulator.documents.find((d) => d.chatId === String(USERS.operator) && d.filename === `验收申请表-${id}.xlsx`);
    expect(file?.content.subarray(0, 2).toString('latin1')).toBe('PK');

    expect(await say(operator, '复查 石龙镇/石龙镇图书馆 除牌 长期不开放', '复查结果')).toContain('复查结果“除牌”已记录');
    expect((await bot.db.servicePoint.findUniqueOrThrow({ where: { id: point.id } })).acceptanceStatus).toBe('plaqueRemoved');
    await worker.runOnce();
    expect(await until(town, '除牌')).toContain('除牌');

    const events = await bot.db.acceptanceEvent.findMany({ where: { applicationId: id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['apply', 'confirm', 'receive', 'schedule', 'fail', 'resubmit', 'confirm', 'receive', 'pass']);
    expect(await bot.db.auditLog.count({ where: { action: { startsWith: 'acceptance.' }, entityId: String(id) } })).toBe(9);
  });
});
