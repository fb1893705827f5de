// npm run bench: every benchmark in its own child process (a fresh heap, its own event loop), one
// after the other so they do not share the two cores. Prints a table, then one JSON line per figure:
// {"figure","value","unit","target","met"}. Takes ~10 minutes on a 2-core machine; the scale steps
// are most of it. GXGC_BENCH_ONLY=startup,inbound,broadcast,wecom,scale,assessment runs a subset.
import { spawn } from 'node:child_process';
import { figure, FIGURE_MARK, startNodeOptions, type Figure } from './common.ts';

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
/** a benchmark's figures, not yet printed; none when it failed (and then the bench fails) */
async function runStep(file: string, arg: string, env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<Figure[]> {
  try {
    return await runChild(file, arg, env, nodeOptions);
  } catch (error) {
    failed = true;
    process.stderr.write(`bench: ${String(error)}\n`);
    return [];
  }
}

async function step(file: string, arg: string, env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<Figure[]> {
  const found = await runStep(file, arg, env, nodeOptions);
  figures.push(...found);
  return found;
}

/** each figure's median over the runs, its target checked again on the median; each run's value goes to stderr */
function medianFigures(runs: Figure[][]): Figure[] {
  const [first] = runs;
  if (!first) return [];
  return first.map((f) => {
    const values = runs.map((run) => run.find((g) => g.figure === f.figure)?.value).filter((v): v is number => v !== undefined);
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    // a correctness figure (== 1) must hold in every run, not in most
    const value = f.target.startsWith('==') ? (values.every((v) => v === values[0]) ? values[0]! : Number.NaN) : median;
    const [op, bound] = f.target.split(' ') as ['>=' | '<' | '<=' | '==' | undefined, string | undefined];
    process.stderr.write(`bench: ${f.figure}: ${values.join(' / ')} ${f.unit}, median ${value}\n`);
    return op && bound !== undefined ? figure(f.figure, value, f.unit, { op, bound: Number(bound) }) : figure(f.figure, value, f.unit);
  });
}

if (only.has('startup')) await step('startup.ts', '');
// The inbound ratios are to a baseline that swings by a third between runs minutes apart on this
// kind of machine (2,476-3,984 updates/s in one idle hour of 2026-12-06), so each database runs in
// INBOUND_PAIRS pairs, each right after a baseline run of its own, and the median of each figure
// over its pairs is printed (the ratio: the median of the pairs' ratios), with every pair's value.
const INBOUND_PAIRS = Number(process.env.GXGC_BENCH_INBOUND_PAIRS ?? 3);
if (only.has('inbound')) {
  const baselines: Figure[][] = [];
  const pairsOf = async (provider: string, env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<Figure[][]> => {
    const runs: Figure[][] = [];
    for (let pair = 0; pair < INBOUND_PAIRS; pair++) {
      const baseline = await runStep('inbound.ts', 'baseline');
      const rate = baseline.find((f) => f.figure.endsWith('updates per second'))?.value;
      if (!rate) continue;
      baselines.push(baseline);
      runs.push(await runStep('inbound.ts', provider, { GXGC_BENCH_BASELINE_RATE: String(rate), ...env }, nodeOptions));
    }
    return runs;
  };
  const sqlite = await pairsOf('sqlite');
  const postgresql = await pairsOf('postgresql');
  figures.push(...medianFigures(baselines), ...medianFigures(sqlite), ...medianFigures(postgresql));
  // once: under npm start's heap flags, for information, against the last baseline run
  const heapFlags = startNodeOptions().filter((o) => o.startsWith('--max-semi-space-size') || o.startsWith('--heap-growing-percent'));
  const lastRate = baselines.at(-1)?.find((f) => f.figure.endsWith('updates per second'))?.value;
  if (lastRate) await step('inbound.ts', 'sqlite', { GXGC_BENCH_BASELINE_RATE: String(lastRate), GXGC_BENCH_START_FLAGS: '1' }, heapFlags);
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
