// The optional directory column 企业微信账号 (Contact.wecomUserId), through the operator's import on
// both databases: stored when the file has it, left alone by a file without it, checked row by row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { silentLogger } from '../../bot/logger.ts';
import { DEMO_DIRECTORY } from '../../bot/db/cli.ts';
import type { CliDeps } from '../../bot/cli.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

describe.each(TEST_PROVIDERS)('the 企业微信账号 column on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let output: string[];
  let deps: CliDeps;
  const demo = readFileSync(DEMO_DIRECTORY, 'utf8').trim().split('\n');
  const withColumn = (ids: Record<string, string>) =>
    demo.map((line, i) => (i === 0 ? `${line},企业微信账号` : `${line},${Object.entries(ids).find(([mobile]) => line.includes(mobile))?.[1] ?? ''}`)).join('\n');
  async function importText(name: string, text: string) {
    const file = join(dir, name);
    writeFileSync(file, text);
    output = [];
    return runDirectoryCli(['import', file], deps);
  }
  const wecomOf = async (mobile: string) => (await bot.db.contact.findUniqueOrThrow({ where: { mobile } })).wecomUserId;

  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-wecom-col-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => bot.close());

  it('stores the accounts a file names, and none for empty cells', async () => {
    expect(await importText('with.csv', withColumn({ [DEMO.shilongVillage1]: 'ZhouCunLian', [DEMO.operator]: 'chen.admin@dglib' }))).toBe(0);
    expect(await wecomOf(DEMO.shilongVillage1)).toBe('ZhouCunLian');
    expect(await wecomOf(DEMO.operator)).toBe('chen.admin@dglib');
    expect(await wecomOf(DEMO.humenVillage)).toBeNull();
  });

  it('leaves the stored accounts alone when a file has no such column', async () => {
    expect(await importText('without.csv', demo.join('\n'))).toBe(0);
    expect(await wecomOf(DEMO.shilongVillage1)).toBe('ZhouCunLian');
  });

  it('changes and clears them when the column says so', async () => {
    expect(await importText('changed.csv', withColumn({ [DEMO.shilongVillage1]: 'zhou2' }))).toBe(0);
    expect(await wecomOf(DEMO.shilongVillage1)).toBe('zhou2');
    expect(await wecomOf(DEMO.operator)).toBeNull();
  });

  it('refuses an account that cannot be a WeCom UserID, naming the row, and changes nothing', async () => {
    expect(await importText('bad.csv', withColumn({ [DEMO.humenVillage]: '陈 村联' }))).toBe(1);
    expect(output.join('\n')).toMatch(/第 \d+ 行：企业微信账号应为/);
    expect(await wecomOf(DEMO.shilongVillage1)).toBe('zhou2');
  });
});
