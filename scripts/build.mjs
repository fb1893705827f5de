// The production build: every .ts under tsconfig.build.json's folders, compiled by tsc into dist/
// (same layout, source maps), which `npm start` and `npm run gxgc` run with plain node.
//   node scripts/build.mjs             build (postinstall, `npm run build`)
//   node scripts/build.mjs --if-stale  build only when a source changed since the last build
//                                      (prestart, pregxgc: a stale dist/ is never run silently)
// Freshness is a stat of every source file against the stamp the last build wrote: a file newer
// than that build's start, or a file added or removed, means stale. It costs a few milliseconds.
// The build goes to a folder of its own and replaces dist/ with one rename, so two processes that
// build at once (two tests starting the bot) never run or leave a half-written dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampPath = join(dist, '.build-stamp.json');
const buildConfig = join(root, 'tsconfig.build.json');

/** every file whose change changes the build: the .ts sources and both tsconfig files */
function sourceFiles() {
  const { include } = JSON.parse(readFileSync(buildConfig, 'utf8'));
  const files = [join(root, 'tsconfig.json'), buildConfig];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  for (const folder of include) if (existsSync(join(root, folder))) walk(join(root, folder));
  return files.map((f) => relative(root, f)).sort();
}

export function staleReason() {
  if (!existsSync(stampPath)) return 'dist/ has not been built';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return 'dist/ has no readable build stamp';
  }
  const files = sourceFiles();
  if (files.join('\n') !== stamp.files.join('\n')) return 'source files were added or removed';
  const changed = files.find((f) => statSync(join(root, f)).mtimeMs > stamp.startedMs);
  return changed ? `${changed} changed` : null;
}

export function build() {
  const startedMs = Date.now();
  const files = sourceFiles();
  const out = join(root, `dist.building-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', buildConfig, '--outDir', out], { cwd: root, stdio: 'inherit' });
  } catch {
    rmSync(out, { recursive: true, force: true });
    throw new Error('gxgc-bot: the build failed (type errors above); dist/ is unchanged');
  }
  writeFileSync(join(out, '.build-stamp.json'), JSON.stringify({ startedMs, files }) + '\n');
  const old = join(root, `dist.old-${process.pid}`);
  // another build may swap its dist/ in between: move whatever is there aside, then try again
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(dist, old);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    try {
      renameSync(out, dist);
      break;
    } catch (error) {
      if (attempt > 5 || (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST')) throw error;
    }
    rmSync(old, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--if-stale')) {
      const reason = staleReason();
      if (reason) {
        process.stderr.write(`gxgc-bot: ${reason}; building dist/ (tsc) ...\n`);
        build();
      }
    } else {
      build();
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
