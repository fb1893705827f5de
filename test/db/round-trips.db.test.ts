// On PostgreSQL every statement is a round trip to the server (a write to its socket and a wake-up
// on both sides), the largest cost of a message after the bot's own work. The five updates of the
// inbound benchmark (a report, its confirmation, the progress question, a correction, its
// confirmation) must not come to need more of them; `tsx test/bench/round-trips.ts` lists them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../bot/core/pipeline.ts';
import { bindChat } from '../../bot/core/identity.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { ManualClock } from '../../bot/time.ts';
import { createCapabilities } from '../../commands/index.ts';
import { benchLogger, generateDirectory } from '../bench/common.ts';
import { scriptFor } from '../bench/report-script.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { countRoundTrips, type RoundTripCounter } from '../support/round-trips.ts';

describe('round trips of a report dialogue on postgresql', () => {
  let test: TestDatabase;
  let trips: RoundTripCounter;
  beforeAll(async () => {
    test = await createTestDatabase('postgresql');
    trips = countRoundTrips();
  });
  afterAll(async () => {
    trips.restore();
    await test.drop();
  });

  it('takes at most 3, 3, 2, 3 and 3 for the five updates, a confirmation writing in one', async () => {
    const clock = new ManualClock('2026-11-03T02:00:00Z');
    await applyDirectoryImport(test.db, generateDirectory(3, 1), 'test');
    const contacts = await test.db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true } });
    const core = createCore({ db: test.db, clock, log: benchLogger(), capabilities: createCapabilities() });
    const counts: number[][] = [];
    const writes: number[] = [];
    for (const [k, contact] of contacts.slice(0, 2).entries()) {
      const chatId = String(900_000 + k);
      await bindChat(test.db, 'telegram', chatId, contact.id, clock.now());
      let choices: string[] = [];
      counts.push([]);
      for (const step of scriptFor(k)) {
        trips.reset();
        const message = step.kind === 'text' ? { text: step.text } : { choice: choices[0] ?? step.fallback };
        const replies = await core.handleMessage({ channel: 'telegram', chatId, displayName: 'test', ...message });
        choices = replies.flatMap((r) => r.choices?.map((c) => c.value) ?? []);
        counts.at(-1)!.push(trips.count);
        const begin = trips.statements.findIndex((text) => text.endsWith('BEGIN'));
        if (begin >= 0) writes.push(trips.statements.slice(begin).filter((text) => text.startsWith('»')).length);
      }
    }
    expect(await test.db.monthlyReport.count({ where: { month: '2026-10', revision: 2 } })).toBe(2);
    // the first contact's statements are prepared for the first time; the second shows the steady state
    const steady = counts[1]!;
    [3, 3, 2, 3, 3].forEach((most, i) => expect(steady[i]).toBeLessThanOrEqual(most));
    expect(writes).toHaveLength(4);
    // BEGIN, the report's rows, the conversation and COMMIT together (the upsert and the conversation
    // check their own rows in SQL, and the replies' choices are known before the results)
    for (const n of writes) expect(n).toBe(1);
  });
});
