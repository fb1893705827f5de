// Directory files as an office suite writes them (made by LibreOffice: scripts/make-spreadsheet-fixtures.sh):
// GBK, UTF-8 (with and without a BOM) and UTF-16 text, a workbook of one sheet per town with a notes
// sheet, titles above the header, spaced headers, numeric, full-width and +86 mobiles, a landline-only
// point, a town written once or merged; .xls/.et/.ods refused with how to save as .xlsx. Then, on both
// databases: every file imported into an empty directory, with the rows it holds or the Chinese
// refusal; what an import of them does to a full directory; and the re-import rules of issue 18
// (another person on a number loses the old chats; names with invisible characters are refused; the
// export defuses formulas).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliDeps } from '../../bot/cli.ts';
import { targetOf } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { openTable, readTable, sniffEncoding } from '../../bot/spreadsheet.ts';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { readDirectoryRows } from '../../commands/directory/store.ts';
import { planDirectoryImport } from '../../bot/db/directory-store.ts';
import { issueInvitations } from '../../bot/db/identity-store.ts';
import { DIRECTORY_HEADER, DirectoryValidator, readLandline, readMobile, parseDirectoryTable, type DirectoryRow } from '../../commands/directory/rows.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, type TestBot } from '../support/harness.ts';

const OFFICE = join(import.meta.dirname, 'fixtures', 'office');
const file = (name: string) => join(OFFICE, name);

/** [镇街, 服务点, 级别, 联系人, 角色, 手机, 电话] of every fixture directory, in file order */
const EXPECTED = [
  ['市支中心', '东莞图书馆', 'subCenter', '陈管理', 'admin', '13800000001', '0769-22836666'],
  ['石龙镇', '石龙镇图书馆', 'town', '孙镇联', 'liaison', '13800002001', null],
  ['石龙镇', '示例一村', 'village', '周村联', 'liaison', '13800002101', null],
  ['石龙镇', '示例二村', 'village', '吴村联', 'liaison', '13800002102', null],
  ['石龙镇', '示例三村', 'village', '郑村联', 'liaison', null, '0769-22834125'],
  ['虎门镇', '虎门镇图书馆', 'town', '冯镇联', 'liaison', '13800003001', null],
  ['虎门镇', '示例村', 'village', '陈村联', 'reporter', '13800003101', null],
  ['虎门镇', '示例企业', 'enterprise', '褚企联', 'liaison', '13800003301', null],
  ['长安镇', '长安一村', 'village', '卫村联', 'liaison', '13800004101', null],
];

async function readRows(name: string) {
  const table = await openTable(file(name));
  const validator = new DirectoryValidator();
  const rows: DirectoryRow[] = [];
  for await (const r of table.rows) {
    const row = validator.feed(r.sheet, r.cells, r.number);
    if (row) rows.push(row);
  }
  return { encoding: table.encoding, problems: validator.finish(), sheets: validator.sheets, rows: rows.map((r) => [r.town, r.pointName, r.level, r.contactName, r.role, r.mobile, r.landline ?? null]) };
}

describe('directory files made by an office suite', () => {
  it.each([
    ['flat-gbk.csv', 'GBK/GB18030'],
    ['flat-utf8.csv', 'UTF-8'],
    ['flat-utf8-bom.csv', 'UTF-8（带 BOM）'],
    ['flat-unicode.txt', 'UTF-16（Unicode 文本）'],
    ['flat.xlsx', null],
  ])('%s reads as the directory, encoding %s', async (name, encoding) => {
    const read = await readRows(name);
    expect(read.problems).toEqual([]);
    expect(read.encoding).toBe(encoding);
    expect(read.rows).toEqual(EXPECTED);
  });

  it('a workbook of one sheet per town reads every town sheet and names the notes sheet as skipped', async () => {
    const read = await readRows('towns.xlsx');
    expect(read.problems).toEqual([]);
    expect(read.sheets).toEqual({ read: ['市支中心', '石龙镇', '虎门镇', '长安镇'], skipped: ['填表说明'] });
    expect(read.rows).toEqual(EXPECTED);
  });

  it.each([
    ['flat.xls', 'Excel 97-2003 工作簿（.xls）'],
    ['flat.et', 'WPS 表格文件（.et）'],
    ['renamed-xls.xlsx', 'Excel 97-2003 工作簿（.xls）'],
    ['flat.ods', 'OpenDocument 表格（.ods）'],
  ])('%s is refused with how to save it as .xlsx in Excel and in WPS', async (name, what) => {
    const error = await openTable(file(name)).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.name).toBe('SpreadsheetError');
    expect(error?.message).toContain(what);
    expect(error?.message).toContain('Excel 中点“文件 → 另存为”，“保存类型”选“Excel 工作簿(*.xlsx)”');
    expect(error?.message).toContain('WPS 表格中点左上角“文件 → 另存为”');
    // product names only, no English sentence
    expect(error?.message).not.toMatch(/[A-Za-z]+ [a-z]+ [a-z]+/);
  });

  it('a GBK file damaged by the spreadsheet: each bad row named with what to do, the rest read', async () => {
    const read = await readRows('damaged-gbk.csv');
    expect(read.problems.map((p) => [p.row, p.reason])).toEqual([
      [3, expect.stringMatching(/^手机号“1\.39E\+10”是科学计数法，表格软件已把后几位数字改掉，无法还原。请把“手机”列设为文本格式/)],
      [4, '“联系人”一栏太长（40 字，最多 30 字）：“吴吴吴吴吴吴吴吴吴吴吴吴吴吴吴吴吴吴吴吴…”'],
      [5, '手机和电话至少要填一个（只有座机的服务点把号码填在“电话”列）'],
    ]);
    // "13,800,002,001" (thousands separators) and "22834125转8" are read
    expect(read.rows).toEqual([
      ['石龙镇', '石龙镇图书馆', 'town', '孙镇联', 'liaison', '13800002001', null],
      ['石龙镇', '示例四村', 'village', '王村联', 'liaison', '13800002104', '22834125转8'],
    ]);
  });
});

describe('cells as spreadsheets write them', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['13,800,138,000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['＋８６－１３８００１３８０００', '13800138000'],
    ['', null],
  ])('mobile %j reads as %j', (raw, mobile) => {
    expect(readMobile(raw)).toEqual({ mobile });
  });

  it.each([
    ['1.38E+10', '科学计数法'],
    ['1.3800138E10', '科学计数法'],
    ['1380013800', '格式不对'],
    ['23800138000', '格式不对'],
  ])('mobile %j is refused (%s)', (raw, why) => {
    const read = readMobile(raw);
    expect('problem' in read && read.problem).toContain(why);
  });

  it.each([
    ['0769-22834125', '0769-22834125'],
    ['076922834125', '0769-22834125'],
    ['(0769)22834125', '0769-22834125'],
    ['０７６９－２２８３４１２５', '0769-22834125'],
    ['22834125', '22834125'],
    ['0769-22834125-801', '0769-22834125转801'],
    ['13800138000', '13800138000'],
  ])('landline %j reads as %j', (raw, landline) => {
    expect(readLandline(raw)).toEqual({ landline });
  });

  it('a landline that lost its leading 0 is refused with what to do', () => {
    const read = readLandline('76922834125');
    expect('problem' in read && read.problem).toContain('请把该列设为文本格式');
  });

  const header = [...DIRECTORY_HEADER];
  it('carries the town down to the rows below it, but a first village without a town is refused', () => {
    const parsed = parseDirectoryTable([
      header,
      ['', '一村', '村级', '甲', '联络人', '13800002101', '', ''],
      ['石龙镇', '二村', '村级', '乙', '联络人', '13800002102', '', ''],
      ['', '三村', '村级', '丙', '联络人', '13800002103', '', ''],
      ['', '东莞图书馆', '市支中心', '丁', '管理员', '13800000001', '', ''],
      ['', '四村', '村级', '戊', '联络人', '13800002104', '', ''],
    ]);
    expect(parsed).toEqual({ ok: false, problems: [{ sheet: null, row: 2, reason: '村级服务点必须填写所属镇街' }] });
    const carried = parseDirectoryTable([header, ...[0, 1, 2, 3].map((i) => [i === 0 ? '石龙镇' : '', `${i}村`, '村级', '甲', '联络人', `1380000210${i}`, '', ''])]);
    expect(carried.ok && carried.rows.map((r) => r.town)).toEqual(['石龙镇', '石龙镇', '石龙镇', '石龙镇']);
  });

  it.each([
    ['BEL', '周\u0007村联', '周[U+0007]村联'],
    ['ESC', '周\u001b[31m村联', '周[U+001B][31m村联'],
    ['RLO', '周\u202e村联', '周[U+202E]村联'],
    ['a zero-width space', '周\u200b村联', '周[U+200B]村联'],
    ['a newline', '周\n村联', '周[换行]村联'],
  ])('refuses a name with %s, naming the row and showing the character', (_, name, shown) => {
    const parsed = parseDirectoryTable([header, ['石龙镇', '一村', '村级', name, '联络人', '13800002101', '', '']]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]!.row).toBe(2);
    expect(parsed.problems[0]!.reason).toContain(`“联系人”一栏含有看不见的字符（换行、零宽字符、方向控制符等）：“${shown}”`);
    // the error itself holds none of them (ESC reached the console raw)
    expect(parsed.problems[0]!.reason).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('refuses a 5,000-character point name without repeating it', () => {
    const parsed = parseDirectoryTable([header, ['石龙镇', '村'.repeat(5000), '村级', '甲', '联络人', '13800002101', '', '']]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems[0]!.reason).toContain('“服务点”一栏太长（5000 字，最多 60 字）');
      expect(parsed.problems[0]!.reason.length).toBeLessThan(100);
    }
  });

  it('finds the encoding from the bytes', () => {
    const gbk = Buffer.from([0xd5, 0xf2, 0xbd, 0xd6]); // 镇街 in GBK
    expect(sniffEncoding(gbk, true).encoding).toBe('gb18030');
    expect(sniffEncoding(Buffer.from('镇街', 'utf8'), true)).toEqual({ encoding: 'utf-8', bom: 0, label: 'UTF-8' });
    expect(sniffEncoding(Buffer.from('\ufeff镇街', 'utf8'), true).bom).toBe(3);
    expect(sniffEncoding(Buffer.from('镇街,a', 'utf16le'), true).encoding).toBe('utf-16le');
    // a UTF-8 character cut at the end of the sniffed bytes is still UTF-8
    expect(sniffEncoding(Buffer.from('镇街', 'utf8').subarray(0, 4), false).encoding).toBe('utf-8');
  });
});

describe.each(TEST_PROVIDERS)('every office file imported into an empty directory on %s', (provider) => {
  let bot: TestBot;
  let output: string[];
  let deps: CliDeps;
  const SHEETS = '（Excel 工作簿，读取工作表：“通信名录”）';

  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => bot.close());

  const importFile = async (name: string) => {
    // each file into an empty directory, so that each one's rows are the ones stored
    await bot.db.contact.deleteMany();
    await bot.db.servicePoint.deleteMany();
    output = [];
    return { code: await runDirectoryCli(['import', file(name)], deps), text: output.join('\n') };
  };
  const stored = async () => (await readDirectoryRows(bot.db)).map((r) => [r.town, r.pointName, r.level, r.contactName, r.role, r.mobile, r.landline ?? null]);
  const sorted = (rows: unknown[][]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it.each([
    ['flat-gbk.csv', '（CSV 文件，按 GBK/GB18030 编码读取）'],
    ['flat-utf8.csv', '（CSV 文件，按 UTF-8 编码读取）'],
    ['flat-utf8-bom.csv', '（CSV 文件，按 UTF-8（带 BOM） 编码读取）'],
    ['flat-unicode.txt', '（CSV 文件，按 UTF-16（Unicode 文本） 编码读取）'],
    ['flat.xlsx', SHEETS],
    ['towns.xlsx', '（Excel 工作簿，读取工作表：“市支中心”、“石龙镇”、“虎门镇”、“长安镇”；跳过不是名录的工作表：“填表说明”）'],
  ])('%s: every row stored, the summary says how it was read', async (name, reading) => {
    const { code, text } = await importFile(name);
    expect(code).toBe(0);
    expect(text).toContain(`导入成功${reading}：9 个服务点（新增 9，更新 0，停用 0），9 位联系人（新增 9，更新 0，停用 0）`);
    expect(sorted(await stored())).toEqual(sorted(EXPECTED));
  });

  it.each([
    ['flat.xls', 'Excel 97-2003 工作簿（.xls），机器人读不了这种旧格式。请打开文件另存为 .xlsx 后重新导入'],
    ['flat.et', 'WPS 表格文件（.et），机器人读不了这种格式。请打开文件另存为 .xlsx 后重新导入'],
    ['flat.ods', 'OpenDocument 表格（.ods），机器人读不了这种格式。请打开文件另存为 .xlsx 后重新导入'],
    ['renamed-xls.xlsx', 'Excel 97-2003 工作簿（.xls），机器人读不了这种旧格式。请打开文件另存为 .xlsx 后重新导入'],
    ['damaged-gbk.csv', '导入失败，名录没有任何改动（CSV 文件，按 GBK/GB18030 编码读取）。请修改以下 3 处后重新导入：\n第 3 行：手机号“1.39E+10”是科学计数法'],
  ])('%s: refused in Chinese with what to do, nothing stored', async (name, answer) => {
    const { code, text } = await importFile(name);
    expect(code).toBe(1);
    expect(text).toContain(answer);
    expect(text).not.toMatch(/zip|Error|undefined/i);
    expect(await bot.db.contact.count()).toBe(0);
  });
});

describe.each(TEST_PROVIDERS)('importing office files on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let output: string[];
  let deps: CliDeps;
  const run = async (...argv: string[]) => {
    output = [];
    const code = await runDirectoryCli(argv, deps);
    return { code, text: output.join('\n') };
  };

  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-office-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => {
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run of the GBK file says what would be added per town and writes nothing', async () => {
    const { code, text } = await run('import', file('flat-gbk.csv'), '--dry-run');
    expect(code).toBe(0);
    expect(text).toContain('预览，名录没有任何改动（CSV 文件，按 GBK/GB18030 编码读取）');
    expect(text).toContain('9 个服务点（新增 9，更新 0，停用 0），9 位联系人（新增 9，更新 0，停用 0）');
    expect(text).toContain('· 石龙镇：服务点 新增 4，更新 0，停用 0；联系人 新增 4，更新 0，停用 0');
    expect(await bot.db.contact.count()).toBe(0);
  });

  it('imports the GBK file, the landline-only point with its landline', async () => {
    expect((await run('import', file('flat-gbk.csv'))).code).toBe(0);
    const landlineOnly = await bot.db.contact.findFirstOrThrow({ where: { name: '郑村联' } });
    expect([landlineOnly.mobile, landlineOnly.landline]).toEqual([null, '0769-22834125']);
    expect(await bot.db.contact.count({ where: { active: true } })).toBe(9);
  });

  it('the one-sheet-per-town workbook over the full directory keeps every town, and changes nothing', async () => {
    const { code, text } = await run('import', file('towns.xlsx'));
    expect(code).toBe(0);
    expect(text).toContain('读取工作表：“市支中心”、“石龙镇”、“虎门镇”、“长安镇”；跳过不是名录的工作表：“填表说明”');
    expect(text).toContain('9 个服务点（新增 0，更新 0，停用 0），9 位联系人（新增 0，更新 0，停用 0）');
    const towns = await bot.db.servicePoint.groupBy({ by: ['town'], where: { active: true }, _count: true, orderBy: { town: 'asc' } });
    expect(towns.map((t) => [t.town, t._count])).toEqual([['市支中心', 1], ['石龙镇', 4], ['虎门镇', 3], ['长安镇', 1]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });

  it('only the first sheet of the workbook would deactivate the other towns: it stops and names them', async () => {
    const only = join(dir, 'only-first.csv');
    writeFileSync(only, readFileSync(file('flat-utf8.csv'), 'utf8').split('\n').slice(0, 7).join('\n'));
    const before = await bot.db.contact.findMany({ orderBy: { id: 'asc' } });
    const { code, text } = await run('import', only);
    expect(code).toBe(1);
    expect(text).toContain('尚未导入，名录没有任何改动');
    expect(text).toContain('将停用 4 位联系人，占现有在册联系人（9 位）的 44%（超过 10%）');
    expect(text).toContain('文件中完全没有这些镇街，它们的服务点和联系人将全部停用：虎门镇、长安镇');
    expect(text).toContain(`确认无误后加上 --confirm 重新运行：directory import ${only} --confirm`);
    expect(await bot.db.contact.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });

  it('a number given to another person, or to the 市支中心, loses its chats and unused codes', async () => {
    const village = await bot.chat('13800002101', 'telegram');
    const town = await bot.chat('13800003001', 'wechat');
    const same = await bot.chat('13800004101', 'telegram');
    const villageContact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: '13800002101' } });
    const [code] = await issueInvitations(bot.db, [villageContact.id], bot.clock.now());
    const lines = readFileSync(file('flat-utf8.csv'), 'utf8')
      .replace(',示例一村,村级,周村联,联络人,１３８００００２１０１,,,是', ',示例一村,村级,周村联,联络人,,0769-22830001,,是')
      .replace('卫村联,联络人,13800004101', '卫村联,信息专报员,13800004101')
      .replace('冯镇联,联络人,13800003001', '冯镇联,联络人,13800003009')
      .trimEnd()
      .split('\n');
    // the village contact's number now a 管理员 of the 市支中心, under another name; the town contact's
    // number for a new person at the same town point; the 长安 contact only another role
    lines.push(',东莞图书馆,市支中心,新管理,管理员,13800002101,,,否', '虎门镇,虎门镇图书馆,镇级,新镇联,联络人,13800003001,,,');
    const changed = join(dir, 'changed.csv');
    writeFileSync(changed, lines.join('\n') + '\n');
    const preview = await run('import', changed, '--dry-run');
    expect(preview.text).toContain('以下 2 个号码换了人或换了身份，原来绑定的聊天账号将解除绑定（未用的邀请码作废），需要重新绑定：');
    expect(preview.text).toContain('· 13800002101：石龙镇 示例一村 周村联（村级）→ 市支中心 东莞图书馆 新管理（市支中心），将解除 1 个聊天账号');
    expect(preview.text).toContain('· 13800003001：虎门镇 虎门镇图书馆 冯镇联（镇级）→ 虎门镇 虎门镇图书馆 新镇联（镇级），将解除 1 个聊天账号');
    const { code: exit, text } = await run('import', changed);
    expect(exit).toBe(0);
    expect(text).toContain('2 位联系人换了人或换了身份，已解除其聊天绑定，需要重新绑定；其余已绑定的聊天账号保持不变。');
    expect(await village.say('/whoami')).toContain('还没有绑定');
    expect(await town.say('/whoami')).toContain('还没有绑定');
    expect(await same.say('/whoami')).toContain('卫村联');
    const invitation = await bot.db.invitation.findFirstOrThrow({ where: { contactId: villageContact.id } });
    expect(invitation.expiresAt.getTime()).toBeLessThanOrEqual(bot.clock.now().getTime());
    expect(code!.code).toMatch(/\S/);
    const audit = await bot.db.auditLog.findFirstOrThrow({ where: { action: 'directory.import' }, orderBy: { id: 'desc' } });
    expect(JSON.parse(audit.detail!).unbound).toBe(2);
  });

  it('the export defuses names a spreadsheet would run as formulas, and they read back as they were', async () => {
    const risky = join(dir, 'risky.csv');
    writeFileSync(risky, [DIRECTORY_HEADER.join(','), '石龙镇,"=HYPERLINK(""http://x"")",村级,@甲,联络人,13800002101,,', '石龙镇,+二村,村级,-乙,联络人,13800002102,,'].join('\n'));
    expect((await run('import', risky, '--confirm')).code).toBe(0);
    for (const format of ['csv', 'xlsx']) {
      const out = join(dir, `risky-out.${format}`);
      expect((await run('export', out)).code).toBe(0);
      const table = await readTable(out);
      const cells = table.slice(1).flatMap((r) => r);
      expect(cells).toContain(`'=HYPERLINK("http://x")`);
      expect(cells).toContain(`'@甲`);
      expect(cells.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
      const again = parseDirectoryTable(table);
      expect(again.ok && again.rows.map((r) => [r.pointName, r.contactName]).sort()).toEqual([
        ['+二村', '-乙'],
        ['=HYPERLINK("http://x")', '@甲'],
      ]);
    }
  });

  it('planDirectoryImport takes a file that came in a chat, by its bytes', async () => {
    const content = readFileSync(file('towns.xlsx'));
    const outcome = await planDirectoryImport({ filename: '名录.xlsx', content }, { target: targetOf(bot.db), now: bot.clock.now(), actor: 'test', actorContactId: null });
    expect(outcome.kind).toBe('planned');
    if (outcome.kind === 'planned') {
      expect(outcome.plan.summary.contacts.total).toBe(9);
      expect(outcome.applied).toBeNull();
    }
  });
});
