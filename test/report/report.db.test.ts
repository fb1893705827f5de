// The monthly report through the real core on both databases: a village contact reports in one
// sentence, confirms, and the export shows exactly those figures; /status; revisions; rights; a
// restart in the middle of the dialogue; the assessment columns written with every revision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { CliDeps } from '../../bot/cli.ts';
import { silentLogger } from '../../bot/logger.ts';
import { runReportCli } from '../../commands/report/cli.ts';
import { parseCsv } from '../../bot/spreadsheet.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

const SENTENCE = '服务人次120，开放天数22，开放时长176小时，活动3场';

describe.each(TEST_PROVIDERS)('monthly report on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let output: string[];
  let deps: CliDeps;
  const cli = async (...argv: string[]) => {
    output = [];
    const code = await runReportCli(argv, deps);
    return { code, text: output.join('\n') };
  };
  const pointId = async (name: string) => (await bot.db.servicePoint.findFirstOrThrow({ where: { name } })).id;

  beforeAll(async () => {
    // 2026-11-02 10:00 in Dongguan: October's report is due and not yet late
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-report-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => bot.close());

  it('a village contact sends one sentence, confirms with 1, and the export shows exactly those figures', async () => {
    const village = await bot.chat(DEMO.shilongVillage1);
    const summary = await village.send(SENTENCE);
    expect(summary).toHaveLength(1);
    expect(summary[0]!.text).toContain('石龙镇 示例一村 2026年10月的月报');
    expect(summary[0]!.text).toContain('开放天数：22 天');
    expect(summary[0]!.text).toContain('服务人次：120 人次');
    expect(summary[0]!.choices?.map((c) => c.label)).toEqual(['确认提交', '修改', '取消']);
    expect(await bot.db.monthlyReport.count()).toBe(0);

    const done = await village.say('1');
    expect(done).toContain('已收到 石龙镇 示例一村 2026年10月的月报');
    expect(done).not.toContain('逾期');
    // annex 1 village minimums, from the seeded Rule rows
    expect(done).toContain('本月平均每周开放 39.7 小时，达到平均每周开放时间不少于 30 小时的标准。');
    expect(done).toContain('年服务人次要求不少于 500 人次');

    const report = await bot.db.monthlyReport.findFirstOrThrow({ include: { revisions: true } });
    expect(report).toMatchObject({ month: '2026-10', status: 'reported', revision: 1, isLate: false });
    expect(JSON.parse(report.figures)).toEqual({ visitors: 120, openDays: 22, openHours: 176, activities: 3 });
    // the columns the year's assessment adds up, written with the JSON (no 可用电脑 in this report)
    expect(report).toMatchObject({ visitors: 120, openHours: 176, activities: 3, computers: null });
    expect(report.revisions.map((r) => [r.revision, r.channel])).toEqual([[1, 'console']]);
    expect(await bot.db.auditLog.count({ where: { action: 'report.submit', entity: 'MonthlyReport' } })).toBe(1);

    const file = join(dir, 'oct.csv');
    const { code, text } = await cli('export', '--month', '2026-10', file);
    expect(code).toBe(0);
    expect(text).toContain('10 个服务点');
    const raw = readFileSync(file);
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(raw);
    expect(rows[0]).toEqual(['镇街', '服务点', '级别', '月份', '状态', '开放天数', '开放时长', '服务人次', '活动场次', '活动参与人次', '培训场次', '培训人次', '可用电脑', '备注', '提交人', '提交时间', '是否逾期']);
    expect(rows).toHaveLength(11);
    const mine = rows.find((r) => r[1] === '示例一村')!;
    expect(mine).toEqual(['石龙镇', '示例一村', '村级', '2026-10', '已报', '22', '176', '120', '3', '', '', '', '', '', '周村联', '2026-11-02 10:00', '否']);
    expect(rows.filter((r) => r[4] === '未报')).toHaveLength(9);
  });

  it('/status lists the point as reported and the others as missing', async () => {
    const operator = await bot.chat(DEMO.operator);
    const text = await operator.say('/status 2026-10');
    expect(text).toContain('全市共 10 个服务点：已报 1，无新增 0，未报 9。');
    expect(text).toContain('本月上报率 10.0%，按时上报率 10.0%');
    expect(text).toMatch(/石龙镇：已报 1，无新增 0，未报 3（未报：[^）]*示例二村/);
    expect(text).not.toMatch(/未报：[^）]*示例一村/);
    const same = await cli('status', '--month', '2026-10');
    expect(same.code).toBe(0);
    expect(same.text).toContain('全市共 10 个服务点：已报 1，无新增 0，未报 9。');

    // a town contact sees its own town only
    const town = await bot.chat(DEMO.shilongTown);
    const townText = await town.say('进度');
    expect(townText).toContain('石龙镇共 4 个服务点：已报 1，无新增 0，未报 3。');
    expect(townText).not.toContain('虎门镇');
  });

  it('a correction leaves two revisions, and the export shows the corrected figure', async () => {
    const village = await bot.chat(DEMO.shilongVillage1);
    const summary = await village.say('服务人次改成130');
    expect(summary).toContain('第 1 版');
    expect(summary).toContain('服务人次：130 人次');
    expect(summary).toContain('开放天数：22 天');
    const done = await village.say('1');
    expect(done).toContain('第 2 版');
    const report = await bot.db.monthlyReport.findFirstOrThrow({ where: { servicePointId: await pointId('示例一村') }, include: { revisions: { orderBy: { revision: 'asc' } } } });
    expect(report.revision).toBe(2);
    expect(report.revisions.map((r) => JSON.parse(r.figures).visitors)).toEqual([120, 130]);
    expect(report).toMatchObject({ visitors: 130, openHours: 176, activities: 3, computers: null });
    expect(await bot.db.auditLog.count({ where: { action: 'report.revise' } })).toBe(1);
    const file = join(dir, 'oct.xlsx');
    expect((await cli('export', '--month', '2026-10', file)).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0]!;
    const values = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(values[7]).toBe('服务人次');
    let found: unknown[] | undefined;
    sheet.eachRow((row) => {
      const v = (row.values as unknown[]).slice(1);
      if (v[1] === '示例一村') found = v;
    });
    expect(found?.slice(0, 9)).toEqual(['石龙镇', '示例一村', '村级', '2026-10', '已报', 22, 176, 130, 3]);
    expect(sheet.rowCount).toBe(11);
  });

  it('a guided /report walks the fields, survives a restart, and reads 本月无新增', async () => {
    const village = await bot.chat(DEMO.shilongVillage2);
    expect(await village.say('/report')).toContain('请发送 2026年10月的开放天数（0—31天）');
    expect(await village.say('二十')).toContain('开放时长');
    // a new core on a second client of the same database: the dialogue goes on
    const restarted = bot.restart();
    const again = await restarted.chat(DEMO.shilongVillage2);
    expect(again.chatId).toBe(village.chatId);
    expect(await again.say('160小时')).toContain('服务人次');
    expect(await again.say('开放天数40')).toContain('开放天数应在 0 到 31天 之间');
    expect(await again.say('-3')).toContain('服务人次不能是负数');
    const asked = await again.say('90');
    expect(asked).toContain('活动场次');
    expect(await again.say('2')).toContain('活动参与人次');
    const summary = await again.say('汇总');
    expect(summary).toContain('开放天数：20 天');
    expect(summary).toContain('服务人次：90 人次');
    expect(await again.say('取消')).toContain('没有保存');
    expect(await bot.db.monthlyReport.count({ where: { servicePointId: await pointId('示例二村') } })).toBe(0);

    const none = await again.send('本月无新增');
    expect(none[0]!.text).toContain('本月无新增数据');
    expect(await again.say('确认')).toContain('2026年10月的月报（本月无新增）');
    const stored = await bot.db.monthlyReport.findFirstOrThrow({ where: { servicePointId: await pointId('示例二村') } });
    expect(stored.status).toBe('noNewData');
    expect(stored).toMatchObject({ figures: '{}', visitors: null, openHours: null, activities: null, computers: null });
  });

  it('reads back unlikely figures before storing, and stores them when confirmed as they are', async () => {
    const village = await bot.chat(DEMO.guanchengVillage1);
    await village.say('9月的数据 服务人次100，开放天数20，开放时长150，活动2场');
    expect(await village.say('1')).toContain('2026年9月');
    await village.say('服务人次1000，开放天数22，开放时长160，活动2场');
    const check = await village.say('1');
    expect(check).toContain('请再核对一下');
    expect(check).toContain('服务人次 1000人次 是上个月（100人次）的 3 倍以上');
    expect(await bot.db.monthlyReport.count({ where: { servicePointId: await pointId('示例一社区'), month: '2026-10' } })).toBe(0);
    expect(await village.say('1')).toContain('已收到');
    expect(await bot.db.monthlyReport.count({ where: { servicePointId: await pointId('示例一社区'), month: '2026-10' } })).toBe(1);
  });

  it('refuses bad input clearly and stores nothing', async () => {
    const village = await bot.chat(DEMO.humenVillage);
    expect(await village.say('开放天数40，开放时长800，服务人次-5，活动很多')).toMatch(/开放天数应在 0 到 31天 之间[\s\S]*开放时长应在 0 到 744小时 之间[\s\S]*服务人次不能是负数[\s\S]*活动场次：“很多”不是确切的数字/);
    await village.say('取消');
    expect(await village.say('x'.repeat(10_000))).toContain('消息太长了');
    expect(await bot.db.monthlyReport.count({ where: { servicePointId: await pointId('示例三村') } })).toBe(0);
  });

  it('rights: own point only; a town contact may report for its village; unknown chats are told to bind', async () => {
    const stranger = await bot.chat();
    expect(await stranger.say(SENTENCE)).toContain('/bind 邀请码');
    expect(await stranger.say('/report')).toContain('/bind');

    const village = await bot.chat(DEMO.humenVillage);
    expect(await village.say(`替示例二村报 ${SENTENCE}`)).toContain('您只能报本服务点');

    const town = await bot.chat(DEMO.humenTown);
    expect(await town.say(`替示例二村报 ${SENTENCE}`)).toContain('虎门镇中没有名为“示例二村”的服务点');
    const summary = await town.say(`替示例三村报 ${SENTENCE}`);
    expect(summary).toContain('请核对 虎门镇 示例三村 2026年10月的月报');
    expect(await town.say('1')).toContain('已收到 虎门镇 示例三村');
    const report = await bot.db.monthlyReport.findFirstOrThrow({ where: { servicePointId: await pointId('示例三村') } });
    const townContact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenTown } });
    expect(report.submittedByContactId).toBe(townContact.id);

    const operator = await bot.chat(DEMO.operator);
    expect(await operator.say(SENTENCE)).toContain('市支中心账号没有自己的月报');
  });

  it('a report after the 5th is accepted and flagged late; operators get the export as a document', async () => {
    bot.clock.set('2026-11-06T02:00:00Z');
    const school = await bot.chat(DEMO.shilongSchool);
    await school.say(SENTENCE);
    expect(await school.say('1')).toContain('已记为逾期');
    const report = await bot.db.monthlyReport.findFirstOrThrow({ where: { servicePointId: await pointId('示例中学') } });
    expect(report.isLate).toBe(true);

    const operator = await bot.chat(DEMO.operator);
    const replies = await operator.send('/export 2026-10 csv');
    const doc = replies[0]!.document!;
    expect(doc.filename).toBe('月报-2026-10.csv');
    const rows = parseCsv(Buffer.from(doc.content));
    expect(rows.find((r) => r[1] === '示例中学')?.at(-1)).toBe('是');
    expect(rows.find((r) => r[1] === '示例一村')?.at(-1)).toBe('否');
    const village = await bot.chat(DEMO.shilongVillage1);
    expect(await village.say('/export')).toContain('仅限市支中心管理员使用');
  });
});
