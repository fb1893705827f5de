import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';

describe('configuration from the environment', () => {
  it('defaults to the embedded SQLite database and the console', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: 'file:./data/gxgc.db',
      telegram: null,
      wechat: null,
      wecom: null,
      email: null,
      publicUrl: 'http://localhost:8080',
      port: 8080,
      logLevel: undefined,
      instanceId: undefined,
    });
  });

  const WECOM = { WECOM_CORP_ID: 'ww1234567890abcdef', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'S3cr3t-abcdefghij', WECOM_TOKEN: 'QDG6eK', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

  it('reads the WeCom app and the e-mail settings', () => {
    const config = loadConfig({ ...WECOM, WECOM_API_ROOT: 'http://127.0.0.1:9100', SMTP_URL: 'smtp://bot:pw@127.0.0.1:2525', MAIL_FROM: '东莞图书馆 <gxgc@example.cn>', PUBLIC_URL: 'https://bot.example.cn/' });
    expect(config.wecom).toEqual({ corpId: 'ww1234567890abcdef', agentId: 1000002, secret: 'S3cr3t-abcdefghij', token: 'QDG6eK', encodingAesKey: WECOM.WECOM_ENCODING_AES_KEY, apiRoot: 'http://127.0.0.1:9100' });
    expect(config.email).toEqual({ smtpUrl: 'smtp://bot:pw@127.0.0.1:2525', from: '东莞图书馆 <gxgc@example.cn>' });
    expect(config.publicUrl).toBe('https://bot.example.cn');
  });

  it.each([
    [{ ...WECOM, WECOM_SECRET: '' }, ['WECOM_SECRET']],
    [{ ...WECOM, WECOM_ENCODING_AES_KEY: 'too-short' }, ['WECOM_ENCODING_AES_KEY']],
    [{ ...WECOM, WECOM_AGENT_ID: 'app' }, ['WECOM_AGENT_ID']],
    [{ WECOM_API_ROOT: 'http://127.0.0.1:9100' }, ['WECOM_API_ROOT']],
    [{ SMTP_URL: 'smtp://127.0.0.1:2525' }, ['MAIL_FROM']],
    [{ SMTP_URL: 'mail.example.cn', MAIL_FROM: 'gxgc@example.cn' }, ['SMTP_URL']],
    [{ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'nobody' }, ['MAIL_FROM']],
  ])('names the WeCom or e-mail variable at fault: %j', (env, variables) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(variables);
    }
  });

  it('reads Telegram and WeChat settings', () => {
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', TELEGRAM_API_ROOT: 'http://127.0.0.1:9000', WECHATY_PUPPET: 'wechaty-puppet-mock', PORT: '9443' });
    expect(config.telegram).toEqual({ token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', apiRoot: 'http://127.0.0.1:9000', webhookUrl: undefined, webhookSecret: undefined, port: 9443 });
    expect(config.wechat).toEqual({ puppet: 'wechaty-puppet-mock', puppetToken: undefined });
  });

  it('reports every problem on its own line, naming the variable', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', TELEGRAM_BOT_TOKEN: 'nope', PORT: 'eighty', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'TELEGRAM_BOT_TOKEN']);
      expect(problems.join('\n')).toContain('must be file:PATH (SQLite) or postgresql://');
    }
  });

  it('requires a secret with a webhook', () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});

describe('logs', () => {
  it('redact tokens by key and inside messages', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = createLogger({ level: 'info', destination: sink });
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    log.info({ telegram: { token } }, 'starting');
    log.error({ err: new Error(`request to https://api.telegram.org/bot${token}/getMe failed`) }, `failed with bot${token}`);
    const all = lines.join('');
    expect(all).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
    expect(all).toContain('[redacted]');
    expect(all).toContain('[redacted-token]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'starting', app: 'gxgc-bot' });
  });
});
