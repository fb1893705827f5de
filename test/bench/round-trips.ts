// The database round trips of each update of the inbound mix (report-script.ts), counted on the
// driver (test/support/round-trips.ts: DirectSql's and Prisma's queries, pipelined ones riding on
// the round trip of the one before).
// `tsx test/bench/round-trips.ts [postgresql|sqlite]` prints, per step, the count and the statements.
import { createCore } from '../../bot/core/pipeline.ts';
import { bindChat } from '../../bot/core/identity.ts';
import { ManualClock } from '../../bot/time.ts';
import { createCapabilities } from '../../commands/index.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { createTestDatabase } from '../support/database.ts';
import { countRoundTrips } from '../support/round-trips.ts';
import { scriptFor } from './report-script.ts';
import { benchLogger, generateDirectory } from './common.ts';

const trips = countRoundTrips();

const provider = (process.argv[2] ?? 'postgresql') as 'postgresql' | 'sqlite';
const test = await createTestDatabase(provider);
try {
  const { db } = test;
  const clock = new ManualClock('2026-11-03T02:00:00Z');
  await applyDirectoryImport(db, generateDirectory(8, 1), 'bench');
  const contacts = await db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true } });
  const core = createCore({ db, clock, log: benchLogger(), capabilities: createCapabilities() });
  for (let k = 0; k < 4; k++) {
    const chatId = String(500_000 + k);
    await bindChat(db, 'telegram', chatId, contacts[k]!.id, clock.now());
    let lastChoices: string[] = [];
    for (const [i, step] of scriptFor(k).entries()) {
      trips.reset();
      const message = step.kind === 'text' ? { text: step.text } : { choice: lastChoices[0] ?? step.fallback };
      const replies = await core.handleMessage({ channel: 'telegram', chatId, displayName: 'bench', ...message });
      lastChoices = replies.flatMap((r) => r.choices?.map((c) => c.value) ?? []);
      // the second contact onwards: warm (first-use statements, prepares, Prisma's compile) aside
      if (k > 0) console.log(`contact ${k} step ${i + 1} ${step.kind === 'text' ? JSON.stringify(step.text.slice(0, 12)) : 'button'}: ${trips.count} round trips\n  ${trips.statements.map((s) => s.slice(0, 110)).join('\n  ')}`);
    }
  }
} finally {
  await test.drop();
}
process.exit(0);
