// npm run bench: every benchmark in its own child process (a fresh heap, its own event loop), one
// after the other so they do not share the two cores. Prints a table, then one JSON line per figure:
// {"figure","value","unit","target","met"}. Takes ~10 minutes on a 2-core machine; the scale steps
// are most of it. GXGC_BENCH_ONLY=startup,inbound,broadcast,wecom,scale,assessment runs a subset.
import { spawn } from 'node:child_process';
import { FIGURE_MARK, startNodeOptions, type Figure } from './common.ts';

const only = new Set((process.env.GXGC_BENCH_ONLY ?? 'startup,inbound,broadcast,wecom,scale,assessment').split(','));
const figures: Figure[] = [];

function runChild(file: string, arg: string, env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    process.stderr.write(`bench: ${file} ${arg}\n`);
    const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', `test/bench/${file}`, arg], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const found: Figure[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith(FIGURE_MARK)) found.push(JSON.parse(line.slice(FIGURE_MARK.length)) as Figure);
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve(found) : reject(new Error(`${file} ${arg} exited with ${code}`))));
  });
}

let failed = false;
async function step(file: string, arg: string, env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<Figure[]> {
  try {
    const found = await runChild(file, arg, env, nodeOptions);
    figures.push(...found);
    return found;
  } catch (error) {
    failed = true;
    process.stderr.write(`bench: ${String(error)}\n`);
    return [];
  }
}

if (only.has('startup')) await step('startup.ts', '');
if (only.has('inbound')) {
  const baseline = await step('inbound.ts', 'baseline');
  const rate = baseline.find((f) => f.figure.endsWith('updates per second'))?.value;
  if (rate) {
    for (const provider of ['sqlite', 'postgresql']) await step('inbound.ts', provider, { GXGC_BENCH_BASELINE_RATE: String(rate) });
    const heapFlags = startNodeOptions().filter((o) => o.startsWith('--max-semi-space-size') || o.startsWith('--heap-growing-percent'));
    await step('inbound.ts', 'sqlite', { GXGC_BENCH_BASELINE_RATE: String(rate), GXGC_BENCH_START_FLAGS: '1' }, heapFlags);
  }
}
if (only.has('broadcast')) for (const provider of ['sqlite', 'postgresql']) await step('broadcast.ts', provider);
if (only.has('wecom')) for (const provider of ['sqlite', 'postgresql']) await step('wecom-broadcast.ts', provider);
if (only.has('scale')) for (const provider of ['sqlite', 'postgresql']) await step('scale.ts', provider);
// issue 14: the year's assessment and the supervision list at 100,000 points (test/bench/assessment.ts)
if (only.has('assessment')) for (const provider of ['sqlite', 'postgresql']) await step('assessment.ts', provider);

const width = Math.max(...figures.map((f) => f.figure.length), 10);
const out = process.stdout;
out.write(`\n${'figure'.padEnd(width)}  ${'value'.padStart(12)}  ${'unit'.padEnd(10)}  ${'target'.padEnd(10)}  met\n`);
for (const f of figures) {
  const met = f.met === null ? '' : f.met ? 'yes' : 'NO';
  out.write(`${f.figure.padEnd(width)}  ${String(f.value).padStart(12)}  ${f.unit.padEnd(10)}  ${f.target.padEnd(10)}  ${met}\n`);
}
out.write('\n');
for (const f of figures) out.write(`${JSON.stringify(f)}\n`);
process.exit(failed ? 1 : 0);
