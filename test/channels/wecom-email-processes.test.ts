// `npm start` as a real process (bot/main.ts under tsx, as the npm script runs it): with the WeCom
// variables against the WeCom stand-in, and with only SMTP_URL and MAIL_FROM set, delivering a
// notice sent with `gxgc notice send` by e-mail to a contact who has an address and no chat.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIRECTORY } from '../../bot/db/cli.ts';
import { freePort } from './support/telegram-emulator.ts';
import { waitFor } from './support/fixtures.ts';
import { callbackPoster, startWecomStandin, STANDIN_APP, type WecomStandin } from './support/wecom-standin.ts';
import { startSmtp, type TestSmtp } from './support/smtp.ts';

// only what these processes should see: no channel of the developer's own environment
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TELEGRAM_|WECHATY_|WECOM_|SMTP_URL|MAIL_FROM|PUBLIC_URL|PORT$|DATABASE_URL)/.test(k)));

function run(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...BASE_ENV, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm start as a process on WeCom and on e-mail', () => {
  let dir: string;
  let standin: WecomStandin;
  let smtp: TestSmtp;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gxgc-wecom-email-'));
    standin = await startWecomStandin({ members: ['zhangsan'] });
    smtp = await startSmtp();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await standin?.stop();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with the WeCom variables, verifies the callback URL and answers /help through the API, and stops on SIGTERM', async () => {
    const port = await freePort();
    const bot = run(['bot/main.ts'], {
      DATABASE_URL: `file:${join(dir, 'wecom.db')}`,
      PORT: String(port),
      WECOM_CORP_ID: STANDIN_APP.corpId,
      WECOM_AGENT_ID: String(STANDIN_APP.agentId),
      WECOM_SECRET: STANDIN_APP.secret,
      WECOM_TOKEN: STANDIN_APP.token,
      WECOM_ENCODING_AES_KEY: STANDIN_APP.encodingAesKey,
      WECOM_API_ROOT: standin.apiRoot,
    });
    children.push(bot.child);
    await waitFor(() => bot.output().includes('gxgc-bot running'), 'the bot to start', 60_000);
    const wecom = callbackPoster(`http://127.0.0.1:${port}/wecom/callback`);
    const verified = await wecom.verifyUrl();
    expect(verified.body).toBe(verified.echo);
    expect((await wecom.text('zhangsan', '/help')).status).toBe(200);
    const reply = await waitFor(() => standin.to('zhangsan')[0], 'the reply to /help', 30_000);
    expect(standin.textOf(reply)).toContain('您的身份：未绑定用户');
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('gxgc-bot stopped');
  });

  it('with only SMTP_URL and MAIL_FROM, runs the scheduler and outbox and mails a notice sent with gxgc notice send', async () => {
    const env = { DATABASE_URL: `file:${join(dir, 'email.db')}` };
    // the demo directory, with an address for one village contact (no chat bound: the directory is fresh)
    const directory = join(dir, 'directory.csv');
    writeFileSync(directory, readFileSync(DEMO_DIRECTORY, 'utf8').replace('13800001101,,', '13800001101,zhao@example.cn,'));
    const seeded = run(['bot/cli.ts', 'directory', 'import', directory], env);
    expect(await seeded.exited, seeded.output()).toBe(0);

    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const bot = run(['bot/main.ts'], { ...env, PORT: String(port), SMTP_URL: smtp.url, MAIL_FROM: '东莞图书馆 <gxgc@dglib.cn>', PUBLIC_URL: publicUrl });
    children.push(bot.child);
    await waitFor(() => bot.output().includes('gxgc-bot running'), 'the bot to start', 60_000);
    expect(bot.output()).toContain('scheduler started');

    const send = run(['bot/cli.ts', 'notice', 'send', '--title', '电子邮件渠道测试通知', '--body', '请领取本月资源。', '--deadline', '2026-12-31', '--towns', '莞城街道', '--yes'], env);
    expect(await send.exited, send.output()).toBe(0);
    // the running bot's worker polls the outbox (every 15 s) and sends the one contact with an address
    const mail = await waitFor(() => smtp.received.find((m) => m.parsed.subject?.includes('电子邮件渠道测试通知')), 'the notice by e-mail', 60_000);
    expect(mail.to).toEqual(['zhao@example.cn']);
    const link = /http:\/\/127\.0\.0\.1:\d+\/ack\/[A-Za-z0-9_-]{43}/.exec(mail.parsed.text ?? '')?.[0];
    expect(link?.startsWith(`${publicUrl}/ack/`)).toBe(true);
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('请确认您已收到《电子邮件渠道测试通知》');

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(smtp.received.filter((m) => m.parsed.subject?.includes('电子邮件渠道测试通知'))).toHaveLength(1);
  });
});
