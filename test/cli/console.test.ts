// The commands a new user runs, as processes: npm start and the gxgc command line, piped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
let dir: string;
let env: NodeJS.ProcessEnv;

function run(args: string[], input = '') {
  const result = spawnSync('npm', ['run', '--silent', ...args], { cwd: root, env, input, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gxgc-cli-'));
  env = { ...process.env, DATABASE_URL: `file:${join(dir, 'gxgc.db')}`, GXGC_DATA_DIR: dir, LOG_LEVEL: 'warn' };
  delete env.TELEGRAM_BOT_TOKEN;
  delete env.WECHATY_PUPPET;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the console, as a new user runs it', () => {
  it('echo "/help" | gxgc console prints the help on a new database', () => {
    const { code, stdout } = run(['gxgc', '--', 'console'], '/help\n');
    expect(code).toBe(0);
    expect(stdout).toContain('您的身份：未绑定用户');
    expect(stdout).toContain('/bind 或 绑定');
  });

  it('npm start opens the console channel when no channel is configured', () => {
    const { code, stdout } = run(['start'], '我是谁\n');
    expect(code).toBe(0);
    expect(stdout).toContain('进入控制台模式');
    expect(stdout).toContain('您还没有绑定通信名录中的身份');
  });

  it('acts as a directory contact with --as, after loading the demo directory', () => {
    expect(run(['gxgc', '--', 'db', 'seed', '--demo']).stdout).toContain('导入成功（CSV 文件，按 UTF-8 编码读取）：11 个服务点');
    const { code, stdout } = run(['gxgc', '--', 'console', '--as', '13800000001'], '/whoami\n名录\n');
    expect(code).toBe(0);
    expect(stdout).toContain('您是：陈管理，东莞图书馆（市支中心）的管理员');
    expect(stdout).toContain('通信名录：11 个服务点，12 位联系人');
  });

  it('refuses --as with a number that is not in the directory', () => {
    const { code, stdout } = run(['gxgc', '--', 'console', '--as', '13999999999'], '/help\n');
    expect(code).toBe(2);
    expect(stdout).toContain('通信名录中没有手机号为 13999999999 的在册联系人');
  });

  it('stops with one line per configuration problem', () => {
    const saved = env;
    env = { ...env, DATABASE_URL: 'mysql://nope', PORT: 'x' };
    try {
      const { code, stderr } = run(['gxgc', '--', 'console'], '');
      expect(code).toBe(2);
      expect(stderr).toMatch(/DATABASE_URL: must be file:PATH/);
      expect(stderr).toMatch(/PORT: must be a port number/);
    } finally {
      env = saved;
    }
  });
});
