// `gxgc acceptance ...` on both databases: the operator's steps, the list, the export and the
// printable annex 2 (read back: its title, its table, the three opinion boxes, one A4 page).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import ExcelJS from 'exceljs';
import { runAcceptanceCli } from '../../commands/acceptance/cli.ts';
import { takeStep } from '../../bot/db/acceptance.ts';
import { chinaCalendar } from '../../bot/workdays.ts';
import { fromLocal, ManualClock } from '../../bot/time.ts';
import { selfCheckForm, storedSelfCheck } from '../../commands/acceptance/selfcheck.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';
import { parseCsv } from '../../bot/spreadsheet.ts';
import { createTestDatabase, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';

describe.each(TEST_PROVIDERS)('gxgc acceptance on %s', (provider) => {
  let test: TestDatabase;
  let dir: string;
  let appId = 0;
  const clock = new ManualClock(fromLocal(2026, 9, 24, 10));
  const lines: string[] = [];
  const run = async (...argv: string[]) => {
    lines.length = 0;
    const code = await runAcceptanceCli(argv, { db: test.db, clock, log: pino({ level: 'silent' }), out: (l) => void lines.push(l) });
    return { code, out: lines.join('\n') };
  };

  beforeAll(async () => {
    test = await createTestDatabase(provider);
    dir = mkdtempSync(join(tmpdir(), 'gxgc-acceptance-'));
    const town = await test.db.servicePoint.create({ data: { town: '石龙镇', name: '石龙镇图书馆', level: 'town' } });
    const contact = await test.db.contact.create({ data: { servicePointId: town.id, name: '李明', role: 'liaison', mobile: '13800002001' } });
    const form = { unitName: '石龙镇图书馆', address: '石龙镇中山路8号', contactName: '李明', mobile: '13800002001', computers: 3, dvdPlayers: 1, tvs: 1, projectors: 1, speakers: 1, internet: '光纤 10M', area: 120, staff: 2, totalInvestment: 50000 };
    const check = selfCheckForm(form, null, RULE_SEEDS, 'town');
    const r = await takeStep(test.db, {
      action: 'apply', actor: { contactId: contact.id, point: { id: town.id, town: '石龙镇', level: 'town' }, label: 'console:1' },
      pointId: town.id, form, selfCheck: storedSelfCheck(check), at: clock.now(), calendar: chinaCalendar(),
    });
    appId = r.ok ? r.applicationId : 0;
  });
  afterAll(async () => {
    await test.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives the paper form (the town lists no 镇文广中心) with the deadline across National Day', async () => {
    const r = await run('receive', String(appId));
    expect(r).toEqual({ code: 0, out: expect.stringContaining('现场验收期限：2026年10月15日（星期四）') });
  });

  it('schedules with a Chinese date, warning when past the deadline, and refuses a bad one by name', async () => {
    expect(await run('schedule', String(appId), '2月30日')).toEqual({ code: 2, out: '“2月30日”不是一个有效的日期，请写成“12月15日”或“2027年1月5日”。' });
    const r = await run('schedule', String(appId), '10月16日');
    expect(r.code).toBe(0);
    expect(r.out).toContain('注意：验收日期晚于两个工作周的期限（2026年10月15日（星期四））');
  });

  it('lists by state and exports a .csv', async () => {
    clock.set(fromLocal(2026, 10, 16, 9));
    const list = await run('list');
    expect(list.out).toContain('⚠ 已超过两个工作周仍未验收（1）');
    expect(list.out).toContain(`#${appId} 石龙镇图书馆`);
    const file = join(dir, 'apps.csv');
    expect((await run('export', file)).code).toBe(0);
    const rows = parseCsv(readFileSync(file));
    expect(rows[0]).toContain('验收期限');
    expect(rows[1]).toEqual(expect.arrayContaining([String(appId), '石龙镇', '石龙镇图书馆', '镇级', '已安排现场验收', '2026-10-15', '是']));
    expect((await run('export', join(dir, 'apps.txt'))).out).toContain('不支持的文件类型“.txt”');
  });

  it('writes annex 2 as one A4 page with its three opinion boxes', async () => {
    const file = join(dir, 'form.xlsx');
    expect((await run('form', String(appId), file)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0]!;
    const texts: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => void texts.push(String(c.value))));
    expect(texts[0]).toBe('东莞市文化共享工程基层服务点验收申请表');
    expect(texts).toEqual(expect.arrayContaining(['（ 镇（街）☑   村（居）□ ）', '申请单位名称（公章）', '石龙镇图书馆', '电脑（台）', '3', '总投入资金', '50000元', '验收情况', '镇（街）文广中心意见', '市支中心意见']));
    const dateLineRows: number[] = [];
    ws.eachRow((row, n) => {
      if (row.values && (row.values as unknown[]).some((v) => String(v).includes('年      月      日'))) dateLineRows.push(n);
    });
    expect(dateLineRows).toHaveLength(3);
    expect(texts.some((t) => t.includes('此表一式三份'))).toBe(true);
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 1 });
  });

  it('fails with 整改意见 prefilled from the self-check gaps, then records the re-inspection after a pass', async () => {
    const r = await run('fail', String(appId));
    expect(r.code).toBe(0);
    expect(r.out).toContain('1. 电脑：申请表填3，未达标，低于镇级标准5台（差2台），须达到');
    expect((await run('pass', String(appId))).out).toContain('此时不能验收通过');
    expect((await run('reinspect', '石龙镇图书馆', '合格')).out).toContain('无需复查');
    expect((await run('reinspect', '不存在', '合格')).out).toContain('通信名录中没有服务点“不存在”');
  });
});
