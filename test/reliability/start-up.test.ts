// Issue 18, item 8: channels start on their own. A channel that cannot connect is retried with a
// line per attempt naming the reason, while the other channels and the scheduler run; an error
// retrying cannot fix stops that channel with one line. Then `npm start` as a real process with
// Telegram unreachable: WeChat and the scheduler start anyway, and the token appears nowhere.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChannelFatalError, startWithRetry } from '../../bot/channels/channel-start.ts';
import { captureLogs } from '../support/log-capture.ts';
import { TEST_TOKEN, freePort } from '../channels/support/telegram-emulator.ts';
import { waitFor } from '../channels/support/fixtures.ts';

describe('starting one channel', () => {
  it('retries with backoff, logging each failure with its reason, until it starts', async () => {
    const capture = captureLogs();
    const sleeps: number[] = [];
    let attempts = 0;
    const outcome = await startWithRetry(
      {
        name: 'telegram',
        async start() {
          attempts += 1;
          if (attempts < 3) throw new Error('connect ECONNREFUSED 149.154.167.220:443');
        },
      },
      capture.log,
      () => false,
      { firstDelayMs: 5000, maxDelayMs: 8000, attemptTimeoutMs: 60_000, sleep: async (ms) => void sleeps.push(ms) },
    );
    capture.stop();
    expect(outcome).toBe('started');
    expect(sleeps).toEqual([5000, 8000]);
    const retries = capture.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'channel could not start; retrying');
    expect(retries.map((l) => [l.channel, l.attempt, l.retryInMs, l.reason])).toEqual([
      ['telegram', 1, 5000, 'connect ECONNREFUSED 149.154.167.220:443'],
      ['telegram', 2, 8000, 'connect ECONNREFUSED 149.154.167.220:443'],
    ]);
  });

  it('gives up at once, with one line, on an error retrying cannot fix', async () => {
    const capture = captureLogs();
    const outcome = await startWithRetry(
      {
        name: 'telegram',
        async start() {
          throw new ChannelFatalError('telegram', 'Telegram refuses the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN with @BotFather');
        },
      },
      capture.log,
      () => false,
      { firstDelayMs: 1, maxDelayMs: 1, attemptTimeoutMs: 60_000 },
    );
    capture.stop();
    expect(outcome).toBe('fatal');
    expect(capture.lines.filter((l) => l.includes('401 Unauthorized'))).toHaveLength(1);
  });

  it('stops retrying when the bot shuts down', async () => {
    const capture = captureLogs();
    let stopping = false;
    const outcome = await startWithRetry(
      {
        name: 'wechat',
        async start() {
          stopping = true;
          throw new Error('puppet service unreachable');
        },
      },
      capture.log,
      () => stopping,
      { firstDelayMs: 1, maxDelayMs: 1, attemptTimeoutMs: 60_000 },
    );
    capture.stop();
    expect(outcome).toBe('cancelled');
  });
});

describe('npm start with Telegram unreachable', () => {
  let child: ChildProcess | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'gxgc-start-'));
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts WeChat and the scheduler anyway, says why Telegram is not up, and retries it', async () => {
    const closed = await freePort();
    let output = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        DATABASE_URL: `file:${join(dir, 'bot.db')}`,
        GXGC_DATA_DIR: dir,
        TELEGRAM_BOT_TOKEN: TEST_TOKEN,
        TELEGRAM_API_ROOT: `http://127.0.0.1:${closed}`,
        WECHATY_PUPPET: 'wechaty-puppet-mock',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('scheduler started') && output.includes('"channel":"wechat"') && /"channel":"wechat"[^\n]*"msg":"channel started"/.test(output), 'the scheduler and WeChat', 60_000);
    await waitFor(() => /"channel":"telegram"[^\n]*ECONNREFUSED[^\n]*channel could not start; retrying/.test(output), 'the logged Telegram retry', 30_000);
    expect(child.exitCode).toBeNull();
    const exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain(TEST_TOKEN.split(':')[1]);
  });
});
