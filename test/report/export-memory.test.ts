// The .xlsx export waits for the compressor between batches (export.ts zipCaughtUp): exceljs's
// streaming writer would otherwise keep the whole sheet's XML in memory until the end whenever the
// rows arrive without the event loop turning, as reads from SQLite do. Seen from the output: the
// file grows while rows are still being produced, not only after the last one.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { writeXlsx, type Cell } from '../../commands/report/export.ts';

describe('the .xlsx export streams', () => {
  it('writes compressed output while the rows are still coming, when every batch is at hand at once', async () => {
    const sink = new PassThrough();
    let received = 0;
    sink.on('data', (chunk: Buffer) => (received += chunk.length));
    const seenBeforeBatch: number[] = [];
    // an async generator that never waits for I/O, as reads from SQLite
    async function* batches(): AsyncGenerator<Cell[][]> {
      for (let b = 0; b < 20; b++) {
        seenBeforeBatch.push(received);
        yield Array.from({ length: 2000 }, (_, i) => ['大朗镇', `大朗镇第${b * 2000 + i}村`, '村级', '2026-10', '已报', 22, 176.5, 320 + i, 3, null, null, null, null, `备注 ${i}`, '某人', '2026-11-02 10:00', '否']);
      }
    }
    const ended = once(sink, 'end');
    const rows = await writeXlsx(sink, ['镇街', '服务点'], batches(), '2026-10月报');
    await ended;
    expect(rows).toBe(40_000);
    // 20 batches of ~1.4 MB of XML each: without waiting, only the zip's first header (49 bytes)
    // would have left before the last batch; with it, the compressed rows of the batches before
    expect(seenBeforeBatch.at(-1)).toBeGreaterThan(100_000);
    expect(seenBeforeBatch.filter((n) => n > 1000).length).toBeGreaterThan(10);
  });
});
