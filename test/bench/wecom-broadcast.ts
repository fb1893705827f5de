// Benchmark: one notice to 600 village points over WeCom, through the production path: releaseNotice
// writes the outbox rows, the outbox worker (as startScheduler runs it) delivers them through the
// real WeCom sender, which sends a reply shared by many recipients in one message/send call per
// 1,000 members (touser), to the WeCom stand-in over HTTP. Beside it, the paced personal-WeChat
// queue (2–4 s a message) would need 600 × 3 s ≈ 30 minutes: computed from its pacing, not run.
// `tsx test/bench/wecom-broadcast.ts sqlite|postgresql` prints figures.
import { createWecomChannel } from '../../bot/channels/wecom.ts';
import { createHttpServer } from '../../bot/http-server.ts';
import { systemClock } from '../../bot/time.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { createNotice, releaseNotice } from '../../bot/db/notice-store.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createTestDatabase } from '../support/database.ts';
import { startWecomStandin, STANDIN_APP } from '../channels/support/wecom-standin.ts';
import { benchLogger, emit, figure, generateDirectory } from './common.ts';

const POINTS = 600;

async function bench(provider: 'sqlite' | 'postgresql'): Promise<void> {
  const label = provider === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const test = await createTestDatabase(provider);
  const standin = await startWecomStandin();
  const log = benchLogger();
  const http = createHttpServer({ port: 0, log });
  try {
    const { db } = test;
    const clock = systemClock;
    await applyDirectoryImport(db, generateDirectory(POINTS, 1), 'bench');
    const contacts = await db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true }, take: POINTS });
    if (contacts.length !== POINTS) throw new Error(`expected ${POINTS} village contacts, got ${contacts.length}`);
    // members known from the directory's 企业微信账号 column: they need not have written to the app
    for (const c of contacts) {
      await db.contact.update({ where: { id: c.id }, data: { wecomUserId: `member${c.id}` } });
      standin.members.add(`member${c.id}`);
    }
    const channel = createWecomChannel({ config: { ...STANDIN_APP, apiRoot: standin.apiRoot }, core: { handleMessage: async () => [], commandsFor: () => [] }, db, clock, log, http });
    const notice = await createNotice(
      db,
      { title: '第三批资源发放', body: '请各服务点于本月内到市支中心拷贝第三批共享工程资源。', fetchMethod: 'hardDisk', fetchAddress: '东莞图书馆', deadline: null, audience: { kind: 'level', values: ['village'] }, scheduledFor: null },
      null,
      clock.now(),
    );
    const released = await releaseNotice(db, notice.id, clock.now());
    if (released.enqueued !== POINTS) throw new Error(`expected ${POINTS} outbox rows, got ${released.enqueued}`);

    const worker = createOutboxWorker({ db, clock, log, senders: [channel.sender], instanceId: 'bench-wecom' });
    const started = performance.now();
    const summary = await worker.runOnce();
    const seconds = (performance.now() - started) / 1000;
    const perMember = new Map<string, number>();
    for (const m of standin.delivered) if (m.msgtype === 'template_card') perMember.set(m.userId, (perMember.get(m.userId) ?? 0) + 1);
    let lost = 0;
    let duplicated = 0;
    for (const c of contacts) {
      const n = perMember.get(`member${c.id}`) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicated += n - 1;
    }
    emit(figure(`wecom notice to ${POINTS} points ${label}: seconds until all delivered`, Number(seconds.toFixed(2)), 's', { op: '<', bound: 60 }));
    emit(figure(`wecom notice to ${POINTS} points ${label}: message/send calls`, standin.sendCalls.length, 'count'));
    emit(figure(`wecom notice to ${POINTS} points ${label}: lost messages`, lost, 'count', { op: '==', bound: 0 }));
    emit(figure(`wecom notice to ${POINTS} points ${label}: duplicated messages`, duplicated, 'count', { op: '==', bound: 0 }));
    process.stderr.write(
      `wecom ${label}: ${JSON.stringify(summary)} in ${seconds.toFixed(2)} s with ${standin.sendCalls.length} message/send calls ` +
        `(one per message of the reply, for up to 1,000 members each); the paced WeChat queue would take about ${((POINTS * 3) / 60).toFixed(0)} minutes (600 × 3 s, computed)\n`,
    );
  } finally {
    await http.stop();
    await standin.stop();
    await test.drop();
  }
}

const which = process.argv[2];
if (which === 'sqlite' || which === 'postgresql') await bench(which);
else {
  process.stderr.write('usage: tsx test/bench/wecom-broadcast.ts sqlite|postgresql\n');
  process.exit(2);
}
process.exit(0);
