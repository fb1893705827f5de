// Importing a directory three times (first .csv, then .xlsx with every kind of change, then the
// first file again) and a file with many bad rows in between, on both databases. After each import
// the points and contacts as a reader sees them, and the command's answer, are compared with
// test/directory/fixtures/reimport.json, written by the import before it streamed its file: the
// import may change how it works, not what it does. GXGC_WRITE_GOLDEN=1 writes the fixture anew.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { CliDeps } from '../../bot/cli.ts';
import type { Db } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { DIRECTORY_HEADER } from '../../commands/directory/rows.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, type TestBot } from '../support/harness.ts';

const GOLDEN = join(import.meta.dirname, 'fixtures', 'reimport.json');
const WRITE = process.env.GXGC_WRITE_GOLDEN === '1';

const FIRST = [
  ['', '东莞图书馆', '市支中心', '陈管理', '管理员', '13800000001', 'gxgc@dglib.cn', '否'],
  ['石龙镇', '石龙镇图书馆', '镇级', '孙镇联', '联络人', '13800002001', '', ''],
  ['石龙镇', '石龙镇文化站', '镇级', '孙站长', '负责人', '13800002002', '', ''],
  ['石龙镇', '示例一村', '村级', '周村联', '联络人', '13800002101', '', '是'],
  ['石龙镇', '示例一村', '村级', '周专报', '信息专报员', '13800002111', 'zhou@example.cn', ''],
  ['石龙镇', '示例二村', '村级', '吴村联', '联络人', '13800002102', '', '否'],
  ['石龙镇', '示例中学', '学校', '郑校联', '联络人', '13800002201', '', ''],
  ['虎门镇', '虎门镇图书馆', '镇级', '冯镇联', '联络人', '13800003001', '', ''],
  ['虎门镇', '示例三村', '村级', '陈村联', '信息专报员', '13800003101', '', ''],
  ['虎门镇', '示例企业', '企业', '褚企联', '联络人', '13800003301', '', ''],
  ['长安镇', '长安一村', '村级', '卫村联', '联络人', '13800004101', '', ''],
];

// every kind of change: a level, a party flag, a point gone, a point new, a contact moved, renamed,
// with another role and e-mail, a contact gone, a contact new, a town point gone (its villages lose
// their parent), a town point for a town that had none
const SECOND = [
  ['', '东莞图书馆', '市支中心', '陈管理', '管理员', '13800000001', 'gxgc@dglib.cn', '否'],
  ['石龙镇', '石龙镇图书馆', '镇级', '孙镇联', '联络人', '13800002001', '', ''],
  ['石龙镇', '示例一村', '村级', '周村联', '联络人', '13800002101', '', ''],
  ['石龙镇', '示例二村', '学校', '吴村联', '联络人', '13800002102', '', ''],
  ['石龙镇', '示例中学', '学校', '周专报', '负责人', '13800002111', 'zhou2@example.cn', ''],
  ['石龙镇', '示例四村', '村级', '新村联', '联络人', '13800002104', '', '是'],
  ['虎门镇', '示例三村', '村级', '陈三', '信息专报员', '13800003101', '', ''],
  ['虎门镇', '示例企业', '企业', '褚企联', '联络人', '13800003301', '', ''],
  ['长安镇', '长安镇图书馆', '镇级', '蒋镇联', '联络人', '13800004001', '', ''],
  ['长安镇', '长安一村', '村级', '卫村联', '联络人', '13800004101', '', ''],
];

// every kind of bad row, and good rows between them; none of it may be written
const BAD = [
  ['石龙镇', '示例一村', '村级', '周村联', '联络人', '13800002101', '', ''],
  ['', '示例五村', '村级', '某', '联络人', '13800002105', '', ''],
  ['石龙镇', '示例六村', '县级', '某', '联络人', '13800002106', '', ''],
  ['', '', '', '', '', '', '', ''],
  ['石龙镇', '示例七村', '村级', '某', '村长', '13800002107', '', ''],
  ['石龙镇', '示例八村', '村级', '某', '联络人', '1380000210', '', ''],
  ['石龙镇', '示例九村', '村级', '某', '联络人', '13800002109', 'not-mail', ''],
  ['石龙镇', '示例十村', '村级', '某', '联络人', '13800002110', '', '也许'],
  ['石龙镇', '示例中学', '学校', '', '联络人', '13800002112', '', '是'],
  ['石龙镇', '示例十一村', '村级', '某', '联络人', '13800002101', '', ''],
  ['石龙镇', '示例一村', '镇级', '某', '联络人', '13800002113', '', ''],
  ['新镇', '新镇一村', '村级', '某', '联络人', '13800005101', '', ''],
];

function csv(rows: string[][]): string {
  return [DIRECTORY_HEADER.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

async function writeXlsx(file: string, rows: string[][]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('通信名录');
  sheet.addRow([...DIRECTORY_HEADER]);
  // mobile numbers as numbers, as a spreadsheet would keep them
  for (const r of rows) sheet.addRow(r.map((c, i) => (i === 5 && /^\d+$/.test(c) ? Number(c) : c)));
  await workbook.xlsx.writeFile(file);
}

/** the directory as a reader sees it: no ids, no timestamps */
async function snapshot(db: Db) {
  const points = await db.servicePoint.findMany({ include: { parent: true }, orderBy: [{ town: 'asc' }, { name: 'asc' }] });
  const contacts = await db.contact.findMany({ include: { servicePoint: true }, orderBy: { mobile: 'asc' } });
  return {
    points: points.map((p) => [p.town, p.name, p.level, p.isPartyEducationPoint, p.active, p.parent ? `${p.parent.town} ${p.parent.name}` : null]),
    contacts: contacts.map((c) => [c.mobile, `${c.servicePoint.town} ${c.servicePoint.name}`, c.name, c.role, c.email, c.active]),
  };
}

describe.each(TEST_PROVIDERS)('re-importing the directory on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let deps: CliDeps;
  let output: string[];
  const steps: Record<string, unknown> = {};
  const golden = WRITE ? {} : (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>);

  const importFile = async (file: string, ...flags: string[]) => {
    output = [];
    const code = await runDirectoryCli(['import', file, ...flags], deps);
    return { code, output: [...output], ...(await snapshot(bot.db)) };
  };

  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-reimport-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => {
    if (WRITE && provider === 'sqlite') writeFileSync(GOLDEN, JSON.stringify(steps, null, 1) + '\n');
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const step = (name: string, result: unknown) => {
    steps[name] = result;
    if (!WRITE) expect(result).toEqual(golden[name]);
  };

  it('imports a first file (.csv)', async () => {
    writeFileSync(join(dir, 'first.csv'), csv(FIRST));
    const result = await importFile(join(dir, 'first.csv'));
    expect(result.code).toBe(0);
    step('first', result);
  });

  it('a file with many bad rows names each of them and changes nothing', async () => {
    const before = await snapshot(bot.db);
    writeFileSync(join(dir, 'bad.csv'), csv(BAD));
    const result = await importFile(join(dir, 'bad.csv'));
    expect(result.code).toBe(1);
    expect({ points: result.points, contacts: result.contacts }).toEqual(before);
    step('bad', result);
  });

  it('the same bad rows in an .xlsx are named the same way', async () => {
    await writeXlsx(join(dir, 'bad.xlsx'), BAD);
    const result = await importFile(join(dir, 'bad.xlsx'));
    expect(result.code).toBe(1);
    // the same problems, each named with its sheet
    expect(result.output[1]!.replaceAll('工作表“通信名录”', '')).toEqual((steps.bad as { output: string[] }).output[1]);
    expect(result.output[0]).toContain('Excel 工作簿，读取工作表：“通信名录”');
  });

  it('applies every kind of change from a second file (.xlsx)', async () => {
    await writeXlsx(join(dir, 'second.xlsx'), SECOND);
    // 3 of 11 contacts deactivated: more than a tenth, so not without --confirm
    const before = await snapshot(bot.db);
    const refused = await importFile(join(dir, 'second.xlsx'));
    expect(refused.code).toBe(1);
    expect(refused.output.join('\n')).toContain('将停用 3 位联系人，占现有在册联系人（11 位）的 27%');
    expect({ points: refused.points, contacts: refused.contacts }).toEqual(before);
    const result = await importFile(join(dir, 'second.xlsx'), '--confirm');
    expect(result.code).toBe(0);
    step('second', result);
  });

  it('the first file again brings back what was deactivated', async () => {
    // 2 of 10 contacts deactivated: confirmed
    const result = await importFile(join(dir, 'first.csv'), '--confirm');
    expect(result.code).toBe(0);
    step('again', result);
  });

  it('the same file once more changes nothing', async () => {
    const result = await importFile(join(dir, 'first.csv'));
    expect(result.code).toBe(0);
    expect(result.output.join('')).toContain('新增 0，更新 0，停用 0），11 位联系人（新增 0，更新 0，停用 0）');
    step('unchanged', result);
  });
});
