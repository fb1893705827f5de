// A message's effects and its conversation save are one transaction, conditional on the
// conversation's version: an acceptance step taken by two instances at once is written once (the
// second's step is rolled back with its failed save), and a chat import saves the conversation once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeStep, type StepActor } from '../../bot/db/acceptance.ts';
import { chinaCalendar } from '../../bot/workdays.ts';
import { createCore } from '../../bot/core/pipeline.ts';
import type { Capability } from '../../bot/core/capability.ts';
import { silentLogger } from '../../bot/logger.ts';
import { createCapabilities } from '../../commands/index.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

const CLI: StepActor = { contactId: null, point: null, isCli: true, label: 'cli' };

describe.each(TEST_PROVIDERS)('one batch per message on %s', (provider) => {
  let bot: TestBot;
  let wakes = 0;
  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z', services: { wakeOutbox: () => void wakes++ } });
  });
  afterAll(async () => bot.close());

  // 0: no conversation row yet
  const versionOf = async (chatId: string) => (await bot.db.conversation.findUnique({ where: { channel_chatId: { channel: 'console', chatId } } }))?.version ?? 0;

  it('two instances scheduling the same inspection from one conversation write one step', async () => {
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongSchool }, include: { servicePoint: true } });
    const p = contact.servicePoint;
    const calendar = chinaCalendar();
    const applied = await takeStep(bot.db, {
      action: 'apply', actor: { contactId: contact.id, point: { id: p.id, town: p.town, level: p.level }, label: 'test' },
      pointId: p.id, form: { unitName: '示例中学', computers: 3 }, at: bot.clock.now(), calendar,
    });
    if (!applied.ok) throw new Error(applied.reason);
    // the town lists no 镇文广中心 contact: the sub-center receives the stamped paper form
    expect((await takeStep(bot.db, { action: 'receive', actor: CLI, applicationId: applied.applicationId, at: bot.clock.now(), calendar })).ok).toBe(true);
    const operator = await bot.chat(DEMO.operator);
    expect(await operator.say('/whoami')).toContain('市支中心');
    const before = await versionOf(operator.chatId);
    const outboxBefore = await bot.db.outboxMessage.count({ where: { purpose: 'acceptance' } });
    // the second instance has read the chat's conversation and waits to run the command until the
    // first has answered: 安排验收 may be repeated (a new date), so only the version keeps it out
    let release!: () => void;
    let entered!: () => void;
    const firstAnswered = new Promise<void>((resolve) => (release = resolve));
    const secondHasRead = new Promise<void>((resolve) => (entered = resolve));
    const held = createCapabilities().map((c): Capability =>
      c.name !== 'acceptance'
        ? c
        : { ...c, commands: c.commands!.map((command) => ({ ...command, run: async (ctx) => (entered(), await firstAnswered, command.run(ctx)) })) },
    );
    const second = createCore({ db: bot.restart().db, clock: bot.clock, log: silentLogger, capabilities: held, services: { wakeOutbox: () => void wakes++ } });
    const text = `安排验收 ${applied.applicationId} 11月10日`;
    const late = second.handleMessage({ channel: 'console', chatId: operator.chatId, text });
    await secondHasRead;
    const first = await bot.core.handleMessage({ channel: 'console', chatId: operator.chatId, text });
    release();
    const texts = [first, await late].map((r) => r.map((x) => x.text).join('\n'));
    expect(texts[0]).toContain('安排现场验收');
    expect(texts[1]).toContain('已经处理了');
    expect(texts.filter((t) => t.includes('安排现场验收'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('已经处理了'))).toHaveLength(1);
    expect(await bot.db.acceptanceEvent.count({ where: { applicationId: applied.applicationId, action: 'schedule' } })).toBe(1);
    expect(await bot.db.auditLog.count({ where: { action: 'acceptance.schedule', entityId: String(applied.applicationId) } })).toBe(1);
    const stepRows = (await bot.db.outboxMessage.count({ where: { purpose: 'acceptance' } })) - outboxBefore;
    expect(stepRows).toBeGreaterThan(0);
    expect(await versionOf(operator.chatId)).toBe(before + 1);
    // the outbox woken once, by the step that was written
    expect(wakes).toBe(1);
    // and a second, later scheduling is a step of its own
    expect(await operator.say(`安排验收 ${applied.applicationId} 11月12日`)).toContain('安排现场验收');
    expect(await bot.db.acceptanceEvent.count({ where: { applicationId: applied.applicationId, action: 'schedule' } })).toBe(2);
    expect((await bot.db.outboxMessage.count({ where: { purpose: 'acceptance' } })) - outboxBefore).toBe(2 * stepRows);
    expect(wakes).toBe(2);
  });

  it('a refused acceptance step writes nothing, and its reply says why', async () => {
    const operator = await bot.chat(DEMO.operator);
    const events = await bot.db.acceptanceEvent.count();
    const audits = await bot.db.auditLog.count();
    expect(await operator.say('收件 999')).toContain('没有编号为 999');
    expect(await bot.db.acceptanceEvent.count()).toBe(events);
    expect(await bot.db.auditLog.count()).toBe(audits);
  });

  it('a directory sent in the chat and confirmed saves the conversation once', async () => {
    const operator = await bot.chat(DEMO.operator2);
    const content = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'directory', 'fixtures', 'office', 'flat-utf8.csv')));
    const preview = await bot.core.handleMessage({ channel: 'console', chatId: operator.chatId, text: '', document: { filename: '名录.csv', size: content.length, content } });
    expect(preview.map((r) => r.text).join('\n')).toContain('回复 1 确认导入');
    const before = await versionOf(operator.chatId);
    expect(await operator.say('1')).toContain('导入成功');
    expect(await versionOf(operator.chatId)).toBe(before + 1);
    const row = await bot.db.conversation.findUniqueOrThrow({ where: { channel_chatId: { channel: 'console', chatId: operator.chatId } } });
    // the dialogue ended with the import: no flow, and the preview's numbered options no longer answer
    expect([row.flow, JSON.parse(row.choices)]).toEqual([null, []]);
    expect(await operator.say('1')).not.toContain('导入成功');
  });
});
