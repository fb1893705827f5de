// A 镇文广中心 imported from the directory file: its own point with its contacts, no parent, no
// monthly report asked of it, and the one its town's applications go to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { silentLogger } from '../../bot/logger.ts';
import { DEMO_DIRECTORY } from '../../bot/db/cli.ts';
import { loadReportState } from '../../scheduler/tick.ts';
import { isReportingPoint } from '../../scheduler/plan-types.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, type TestBot } from '../support/harness.ts';

describe.each(TEST_PROVIDERS)('importing a 镇文广中心 on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
  });
  afterAll(async () => bot.close());

  it('stores it as a point of its town that reports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gxgc-tcc-'));
    const file = join(dir, 'dir.csv');
    writeFileSync(file, readFileSync(DEMO_DIRECTORY, 'utf8').trimEnd() + '\n石龙镇,石龙镇文广中心,镇文广中心,文广张,负责人,13800009001,,否\n');
    const out: string[] = [];
    expect(await runDirectoryCli(['import', file], { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => void out.push(l) })).toBe(0);
    const tcc = await bot.db.servicePoint.findUniqueOrThrow({ where: { town_name: { town: '石龙镇', name: '石龙镇文广中心' } }, include: { contacts: true } });
    expect(tcc).toMatchObject({ level: 'townCultureCenter', parentId: null });
    expect(tcc.contacts.map((c) => c.mobile)).toEqual(['13800009001']);
    const state = await loadReportState(bot.db, '2026-10');
    expect(state.points.filter(isReportingPoint).some((p) => p.id === tcc.id)).toBe(false);
  });
});
