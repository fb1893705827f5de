// Issue 7, item 7: who may do what. The expected table below is the specification (DESIGN.md: unknown
// chats ask standards questions and bind, nothing else; a contact reports only for its own point, a
// town contact also for and about its villages; only operators broadcast, import and export) written
// out by hand, not read from CommandSpec.roles: every command of every capability is sent by every
// role, by its slash name and every Chinese alias, and must be answered or refused as the table says.
// Then the paths a command gate does not cover: reporting for another point, forged choice values,
// exports, what /status shows, and a chat that loses its directory entry in the middle of a dialogue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities } from '../../commands/index.ts';
import type { Role } from '../../bot/core/types.ts';
import { choiceLabelled, createTestBot, DEMO, type TestBot, type TestChat } from '../support/harness.ts';
import { createNotice, releaseNotice } from '../../bot/db/notice-store.ts';

const hasDocument = (replies: { document?: unknown }[]) => replies.some((r) => r.document);

const U: Role = 'unknown';
const P: Role = 'pointContact';
const T: Role = 'townContact';
const O: Role = 'operator';
const EVERYONE = [U, P, T, O];

/** The specification: which roles may use each command. */
const MAY: Record<string, Role[]> = {
  help: EVERYONE,
  start: EVERYONE,
  cancel: EVERYONE,
  bind: EVERYONE,
  whoami: EVERYONE,
  standards: EVERYONE,
  acceptance: EVERYONE,
  myacceptance: [P, T],
  apply: [P, T, O],
  confirmapplication: [P, T],
  returnapplication: [P, T],
  receive: [O],
  schedule: [O],
  passapplication: [O],
  failapplication: [O],
  reinspect: [O],
  report: [P, T, O],
  status: [P, T, O],
  export: [O],
  directory: [O],
  notice: [O],
  notice_status: [O],
  assessment: [P, T, O],
  supervision: [T, O],
  models: [T, O],
};

const MOBILE: Record<Exclude<Role, 'unknown'>, string> = { pointContact: DEMO.shilongVillage1, townContact: DEMO.shilongTown, operator: DEMO.operator };
const FIGURES = '服务人次120，开放天数22，开放时长176小时，活动3场';

function isRefusal(text: string, description: string): boolean {
  return text.startsWith(`“${description}”`) && /需要先绑定|仅限.+使用/.test(text);
}

describe('rights of every role', () => {
  let bot: TestBot;
  const chats = new Map<Role, TestChat>();

  beforeAll(async () => {
    bot = await createTestBot({ provider: 'sqlite', now: '2026-11-02T02:00:00Z' });
    chats.set(U, await bot.chat());
    for (const role of [P, T, O] as const) chats.set(role, await bot.chat(MOBILE[role]));
  });
  afterAll(async () => bot?.close());

  /** one message; the clock moves on so the flood limit never answers for the rule under test */
  async function send(chat: TestChat, text: string) {
    bot.clock.advance(5_000);
    return chat.send(text);
  }
  async function pick(chat: TestChat, value: string) {
    bot.clock.advance(5_000);
    return chat.pick(value);
  }
  const joined = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

  const specs = createCapabilities().flatMap((c) => (c.commands ?? []).map((command) => ({ capability: c.name, command })));

  it('has an expected row for every command, and no row for a command that does not exist', () => {
    expect(specs.map((s) => s.command.name).sort()).toEqual(Object.keys(MAY).sort());
  });

  it('offers each role exactly the commands it may use in help and menus', () => {
    for (const role of EVERYONE) {
      const listed = bot.core.commandsFor(role).map((c) => c.name).sort();
      const expected = specs.filter((s) => s.command.listed !== false && MAY[s.command.name]!.includes(role)).map((s) => s.command.name).sort();
      expect([role, listed]).toEqual([role, expected]);
    }
  });

  it('answers or refuses every command, by name and by alias, for every role as the table says', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const { command } of specs) {
      for (const word of [`/${command.name}`, ...command.aliases]) {
        for (const role of EVERYONE) {
          const chat = chats.get(role)!;
          await bot.db.conversation.deleteMany({ where: { chatId: chat.chatId } });
          const text = joined(await send(chat, word));
          const refused = isRefusal(text, command.description);
          outcomes.push(`${word} as ${role}: ${refused ? 'refused' : 'answered'}`);
          expected.push(`${word} as ${role}: ${MAY[command.name]!.includes(role) ? 'answered' : 'refused'}`);
          if (refused) {
            // a refusal starts nothing
            const conversation = await bot.db.conversation.findFirst({ where: { chatId: chat.chatId } });
            expect(conversation?.flow ?? null, `${word} as ${role}`).toBeNull();
          }
        }
      }
    }
    expect(outcomes).toEqual(expected);
    expect(outcomes.length).toBeGreaterThan(4 * Object.keys(MAY).length);
  });

  describe('beyond the command gate', () => {
    const pointOf = async (town: string, name: string) => (await bot.db.servicePoint.findFirstOrThrow({ where: { town, name } })).id;
    const reportsOf = async (pointId: number) => bot.db.monthlyReport.count({ where: { servicePointId: pointId } });

    it('a village contact cannot report for another point, in its town or another', async () => {
      const village = chats.get(P)!;
      for (const other of ['示例二村', '示例三村', '石龙镇图书馆']) {
        const text = joined(await send(village, `替${other}报 ${FIGURES}`));
        expect(text, other).toContain('您只能报本服务点');
        expect(joined(await send(village, `/report 替${other}报 ${FIGURES}`)), other).toContain('您只能报本服务点');
      }
      expect(await reportsOf(await pointOf('石龙镇', '示例二村'))).toBe(0);
      expect(await reportsOf(await pointOf('虎门镇', '示例三村'))).toBe(0);
      expect(await reportsOf(await pointOf('石龙镇', '石龙镇图书馆'))).toBe(0);
    });

    it('a town contact reports for the villages of its own town, and for no other', async () => {
      const town = chats.get(T)!;
      for (const [other, where] of [
        ['示例三村', '虎门镇'],
        ['示例一社区', '莞城街道'],
        ['虎门镇图书馆', '虎门镇'],
      ] as const) {
        expect(joined(await send(town, `替${other}报 ${FIGURES}`)), other).toContain(`石龙镇中没有名为“${other}”的服务点`);
        expect(await reportsOf(await pointOf(where, other))).toBe(0);
      }
      const summary = await send(town, `替示例二村报 ${FIGURES}`);
      expect(summary.at(-1)!.choices?.map((c) => c.label)).toContain('确认提交');
      let replies = await pick(town, choiceLabelled(summary, '确认提交'));
      // a first report may be asked to be checked once more
      if (replies.at(-1)?.choices?.some((c) => c.label === '没错，提交')) replies = await pick(town, choiceLabelled(replies, '没错，提交'));
      expect(joined(replies)).toContain('已收到');
      const stored = await bot.db.monthlyReport.findFirstOrThrow({ where: { servicePointId: await pointOf('石龙镇', '示例二村') } });
      const townContact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongTown } });
      expect(stored.submittedByContactId).toBe(townContact.id);
    });

    it('no one but an operator composes, confirms or sends a notice through a forged choice', async () => {
      const forged = ['notice:confirm', 'notice:audience:all', 'notice:when:now', 'notice:fetch:vpn', 'notice:fetch:none', 'notice:discard', 'notice:send', 'notice:confirm:1'];
      for (const role of [U, P, T]) {
        const chat = chats.get(role)!;
        for (const value of forged) {
          const text = joined(await pick(chat, value));
          expect([role, value, text]).toEqual([role, value, expect.stringMatching(/只有市支中心管理员可以发布通知|请先绑定|已经失效/)]);
        }
        const conversation = await bot.db.conversation.findFirst({ where: { chatId: chat.chatId } });
        expect(conversation?.flow ?? null).not.toBe('notice');
      }
      expect(await bot.db.notice.count()).toBe(0);
      expect(await bot.db.outboxMessage.count()).toBe(0);
    });

    it('an operator who leaves the directory mid-compose cannot confirm the notice', async () => {
      const chat = await bot.chat(DEMO.operator2);
      await send(chat, '/notice 测试通知');
      const fetch = await send(chat, '正文');
      await pick(chat, choiceLabelled(fetch, '无需领取'));
      const audience = await send(chat, '无');
      const when = await pick(chat, choiceLabelled(audience, '全部服务点'));
      const preview = await pick(chat, choiceLabelled(when, '立即发送'));
      expect(preview.at(-1)!.choices?.map((c) => c.label)).toContain('确认发送');
      await bot.db.contact.update({ where: { mobile: DEMO.operator2 }, data: { active: false } });
      try {
        expect(joined(await pick(chat, choiceLabelled(preview, '确认发送')))).toContain('还没有绑定');
        expect(await bot.db.notice.count()).toBe(0);
        expect(await bot.db.outboxMessage.count()).toBe(0);
      } finally {
        await bot.db.contact.update({ where: { mobile: DEMO.operator2 }, data: { active: true } });
      }
    });

    it('a contact whose entry is removed mid-report cannot submit it', async () => {
      const chat = await bot.chat(DEMO.humenEnterprise);
      const summary = await send(chat, FIGURES);
      expect(summary.at(-1)!.choices?.map((c) => c.label)).toContain('确认提交');
      await bot.db.contact.update({ where: { mobile: DEMO.humenEnterprise }, data: { active: false } });
      try {
        expect(joined(await pick(chat, choiceLabelled(summary, '确认提交')))).toContain('还没有绑定');
        expect(joined(await send(chat, '确认'))).not.toContain('已收到');
        expect(await reportsOf(await pointOf('虎门镇', '示例企业'))).toBe(0);
      } finally {
        await bot.db.contact.update({ where: { mobile: DEMO.humenEnterprise }, data: { active: true } });
      }
    });

    it('a contact moved to another point mid-report cannot submit for the old one', async () => {
      const chat = await bot.chat(DEMO.shilongVillage2);
      const summary = await send(chat, FIGURES);
      expect(summary.at(-1)!.choices?.map((c) => c.label)).toContain('确认提交');
      const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongVillage2 } });
      const revisionsBefore = await bot.db.monthlyReportRevision.count();
      await bot.db.contact.update({ where: { id: contact.id }, data: { servicePointId: await pointOf('虎门镇', '示例三村') } });
      try {
        expect(joined(await pick(chat, choiceLabelled(summary, '确认提交')))).toContain('身份已变更');
        expect(await bot.db.monthlyReportRevision.count()).toBe(revisionsBefore);
      } finally {
        await bot.db.contact.update({ where: { id: contact.id }, data: { servicePointId: contact.servicePointId } });
      }
    });

    it('acknowledgements: only recipients, and only bound chats', async () => {
      const notice = await createNotice(
        bot.db,
        { title: '虎门镇资源', body: '正文', fetchMethod: null, fetchAddress: null, deadline: null, audience: { kind: 'towns', values: ['虎门镇'] }, scheduledFor: null },
        null,
        bot.clock.now(),
      );
      await releaseNotice(bot.db, notice.id, bot.clock.now());
      expect(joined(await pick(chats.get(U)!, `notice:ack:${notice.id}`))).toContain('请先绑定');
      expect(joined(await pick(chats.get(P)!, `notice:ack:${notice.id}`))).toContain('不是发给您的');
      expect(await bot.db.noticeRecipient.count({ where: { noticeId: notice.id, acknowledgedAt: { not: null } } })).toBe(0);
      await bot.db.outboxMessage.deleteMany({ where: { noticeId: notice.id } });
      await bot.db.noticeRecipient.deleteMany({ where: { noticeId: notice.id } });
      await bot.db.notice.delete({ where: { id: notice.id } });
    });

    it('only an operator gets an export file', async () => {
      const exportsBefore = await bot.db.auditLog.count({ where: { action: 'report.export' } });
      for (const role of [U, P, T]) {
        for (const word of ['/export', '/export 2026-10 csv', '导出 上个月', '导出月报']) {
          const replies = await send(chats.get(role)!, word);
          expect(replies.some((r) => r.document), `${word} as ${role}`).toBe(false);
        }
        expect(hasDocument(await pick(chats.get(role)!, 'report:export'))).toBe(false);
      }
      expect(await bot.db.auditLog.count({ where: { action: 'report.export' } })).toBe(exportsBefore);
      const operator = await send(chats.get(O)!, '/export 2026-10 csv');
      expect(operator.some((r) => r.document?.filename === '月报-2026-10.csv')).toBe(true);
    });

    it('/status shows a town contact its own town only, a village contact its own point only', async () => {
      const town = joined(await send(chats.get(T)!, '/status 2026-10'));
      expect(town).toContain('石龙镇共 4 个服务点');
      expect(town).toContain('示例中学');
      for (const elsewhere of ['虎门镇', '莞城街道', '示例三村', '示例一社区', '全市']) expect(town).not.toContain(elsewhere);
      const village = joined(await send(chats.get(P)!, '/status 2026-10'));
      expect(village).toContain('示例一村');
      for (const elsewhere of ['示例二村', '示例中学', '虎门镇', '全市']) expect(village).not.toContain(elsewhere);
      const operator = joined(await send(chats.get(O)!, '/status 2026-10'));
      expect(operator).toContain('全市');
      for (const town of ['虎门镇', '莞城街道', '石龙镇']) expect(operator).toContain(town);
    });

    it('an unknown chat can ask standards questions and bind, and nothing it says stores anything', async () => {
      const unknown = await bot.chat();
      const before = { reports: await bot.db.monthlyReport.count(), acks: await bot.db.noticeRecipient.count({ where: { acknowledgedAt: { not: null } } }) };
      const answer = joined(await send(unknown, '村级服务点需要几台电脑？'));
      expect(answer).toMatch(/台/);
      expect(answer).not.toContain('绑定');
      for (const text of [FIGURES, '本月无新增', '替示例二村报 本月无新增', '收到', '进度', '1']) {
        const reply = joined(await send(unknown, text));
        expect(reply, text).not.toMatch(/已收到|已确认|请核对|月报进度/);
      }
      for (const value of ['report:confirm', 'report:change', 'bind:phone', 'notice:ack:1']) {
        expect(joined(await pick(unknown, value)), value).toMatch(/已经处理完了|已经失效|请先绑定|还没有绑定/);
      }
      expect(await bot.db.monthlyReport.count()).toBe(before.reports);
      expect(await bot.db.noticeRecipient.count({ where: { acknowledgedAt: { not: null } } })).toBe(before.acks);
      const identity = await bot.db.channelIdentity.findFirstOrThrow({ where: { externalId: unknown.chatId } });
      expect(identity.contactId).toBeNull();
      expect(joined(await send(unknown, '/bind WRNG2345'))).toContain('邀请码不正确');
    });
  });
});
