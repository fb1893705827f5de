// Checkpoints of a SQLite WAL on a thread of their own, for the running bot. SQLite's automatic
// checkpoint runs inside the commit that crosses 1,000 WAL pages: that message's handler copies the
// pages into the database file and waits for two fsyncs on the main thread, and every chat waits
// with it (inbound p99 ~1 s with a busy disk, 12 ms without it). Here the bot's connection has
// wal_autocheckpoint off and a worker thread with its own connection runs PASSIVE checkpoints,
// which never block a writer or a reader. Commits stay as durable as before (WAL, synchronous=NORMAL).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** what one checkpoint did, in WAL frames (PRAGMA wal_checkpoint's row) */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface WalCheckpoints {
  /** runs a checkpoint now and resolves with what it did (tests) */
  checkpointNow(): Promise<CheckpointResult>;
  stop(): Promise<void>;
}

// Plain JavaScript run by the worker (eval: the same in tsx, vitest and the compiled build).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.location);
// a checkpoint copies pages from the WAL to the file: it needs no page cache of its own
db.pragma('cache_size = 16');
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    return { type: 'checkpointed', busy: row.busy, log: row.log, checkpointed: row.checkpointed };
  } catch (error) {
    return { type: 'failed', message: String((error && error.message) || error) };
  }
};
const timer = setInterval(() => {
  const result = checkpoint();
  if (result.type === 'failed') parentPort.postMessage(result);
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'now') parentPort.postMessage(checkpoint());
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Starts the checkpoint thread for the database file at `location`. `restoreAutomatic` is called
 * when the thread fails, so the bot's own connection checkpoints again rather than letting the WAL grow.
 */
export function startWalCheckpoints(location: string, log: Logger, restoreAutomatic: () => Promise<void>, intervalMs = 1000): WalCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // a small heap: the thread only runs a pragma now and then (the running bot's RSS has a target)
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, location, intervalMs }, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
  worker.unref();
  const waiting: ((result: CheckpointResult) => void)[] = [];
  let stopping = false;
  let failed = false;
  let exited = false;
  const fail = (reason: string) => {
    if (failed || stopping) return;
    failed = true;
    log.error({ reason }, 'the WAL checkpoint thread failed; the connection checkpoints by itself again');
    void restoreAutomatic().catch((error: unknown) => log.error({ err: error }, 'could not turn automatic WAL checkpoints back on'));
  };
  worker.on('message', (message: { type: 'checkpointed' | 'failed'; message?: string } & CheckpointResult) => {
    if (message.type === 'failed') log.warn({ reason: message.message }, 'WAL checkpoint failed; the next one tries again');
    if (message.type === 'checkpointed') waiting.shift()?.({ busy: message.busy, log: message.log, checkpointed: message.checkpointed });
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => {
    exited = true;
    if (!stopping) fail(`exited with code ${code}`);
  });
  return {
    checkpointNow() {
      if (failed || exited || stopping) return Promise.reject(new Error('the WAL checkpoint thread is not running'));
      return new Promise((resolve) => {
        waiting.push(resolve);
        worker.postMessage('now');
      });
    },
    async stop() {
      if (stopping || exited) return;
      stopping = true;
      const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // unref'd, the thread would not keep a stopping process alive until it has closed its connection
      worker.ref();
      worker.postMessage('stop');
      await gone;
    },
  };
}
