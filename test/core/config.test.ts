import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';

describe('configuration from the environment', () => {
  it('defaults to the embedded SQLite database and the console', () => {
    expect(loadConfig({})).toEqual({ databaseUrl: 'file:./data/gxgc.db', telegram: null, wechat: null, logLevel: undefined, instanceId: undefined });
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
