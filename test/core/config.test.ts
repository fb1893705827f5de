import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';

describe('configuration from the environment', () => {
  it('defaults to the embedded SQLite database and the console', () => {
    expect(loadConfig({})).toEqual({ databaseUrl: 'file:./data/gxgc.db', telegram: null, wechat: null, logLevel: undefined, instanceId: undefined, dataDir: 'data', backupKeepDays: 14, secrets: [] });
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

  it('lists every secret it holds, for the logs to scrub', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg',
      TELEGRAM_WEBHOOK_SECRET: 'hook-secret-1',
      TELEGRAM_WEBHOOK_HOST: '127.0.0.1',
      WECHATY_PUPPET: 'wechaty-puppet-service',
      WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_service_token_9',
      GXGC_INVITATION_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgresql://gxgc:pa%24%24word@db.example.org:5432/gxgc',
    });
    expect(config.secrets.sort()).toEqual(['123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'hook-secret-1', 'pa$$word', 'puppet_service_token_9', 'x'.repeat(40)].sort());
    expect(config.telegram?.webhookHost).toBe('127.0.0.1');
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

  const capture = (secrets: string[] = []) => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    return { lines, log: createLogger({ level: 'info', destination: sink, secrets }) };
  };

  it('scrub configured secrets from every field, nested errors included, and drop grammY’s context', () => {
    const { lines, log } = capture(['wecom-secret-abcdef', 'hook-secret-1']);
    const inner = new Error('request to https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpsecret=wecom-secret-abcdef failed');
    const outer = Object.assign(new Error('Network request failed'), { error: inner, ctx: { api: { token: 'x' }, update: { message: { text: '/bind ABCD2345' } } } });
    log.error({ err: outer, header: 'hook-secret-1' }, 'sending failed');
    const line = lines.join('');
    expect(line).not.toContain('wecom-secret-abcdef');
    expect(line).not.toContain('hook-secret-1');
    expect(line).not.toContain('ABCD2345');
    expect(JSON.parse(line).err.error.message).toContain('corpsecret=[redacted]');
  });

  it('log an error given as a string as its message, not one field per character', () => {
    const { lines, log } = capture();
    log.warn({ err: 'telegram sendMessage: 403 Forbidden' }, 'outbox message failed');
    expect(JSON.parse(lines[0]!).err).toEqual({ message: 'telegram sendMessage: 403 Forbidden' });
  });

  it.each([
    ['/bind ABCD2345', '/bind [redacted-code]'],
    ['绑定 abcd-2345', '绑定 [redacted-code]'],
    ['/start@gxgc_bot ABCD 2345', '/start@gxgc_bot [redacted-code]'],
    ['ABCD2345 alone is kept', 'ABCD2345 alone is kept'],
  ])('scrub an invitation code after a bind command: %s', (text, expected) => {
    const { lines, log } = capture();
    log.info({ text }, 'text');
    expect(JSON.parse(lines[0]!).text).toBe(expected);
  });
});
