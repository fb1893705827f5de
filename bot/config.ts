// The environment, validated once at start-up. Every problem is reported on its own line, naming
// the variable and what it should look like, so an operator can fix all of them in one go.
import { z } from 'zod';
import { isEncodingAesKey } from './channels/wecom/crypto.ts';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z.object({
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'must be file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB')
      .default('file:./data/gxgc.db'),
  ),
  TELEGRAM_BOT_TOKEN: optionalText.pipe(z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must look like 123456789:AA... (from @BotFather)').optional()),
  TELEGRAM_API_ROOT: optionalText.pipe(z.url({ message: 'must be a URL such as http://127.0.0.1:9000' }).optional()),
  TELEGRAM_WEBHOOK_URL: optionalText.pipe(z.url({ message: 'must be the public https URL Telegram should call' }).optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'may use only A-Z a-z 0-9 _ - (Telegram’s rule)').optional()),
  PORT: optionalText.pipe(z.string().regex(/^\d+$/, 'must be a port number').optional()).transform((v) => (v === undefined ? 8080 : Number(v))).pipe(z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535')),
  WECHATY_PUPPET: optionalText.pipe(z.string().optional()),
  WECHATY_PUPPET_SERVICE_TOKEN: optionalText.pipe(z.string().optional()),
  WECOM_CORP_ID: optionalText.pipe(z.string().regex(/^[A-Za-z0-9]{6,64}$/, 'must be the CorpID from 我的企业 → 企业信息 (letters and digits, e.g. ww1234567890abcdef)').optional()),
  WECOM_AGENT_ID: optionalText.pipe(z.string().regex(/^\d{1,10}$/, 'must be the AgentId of the self-built app (digits, e.g. 1000002)').optional()),
  WECOM_SECRET: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{10,128}$/, 'must be the app’s Secret from its details page').optional()),
  WECOM_TOKEN: optionalText.pipe(z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be the Token set under 接收消息 → 设置API接收 (letters and digits, up to 32)').optional()),
  WECOM_ENCODING_AES_KEY: optionalText.pipe(z.string().refine(isEncodingAesKey, 'must be the 43-character EncodingAESKey set under 接收消息 → 设置API接收').optional()),
  WECOM_API_ROOT: optionalText.pipe(z.url({ message: 'must be a URL such as http://127.0.0.1:9100' }).optional()),
  SMTP_URL: optionalText.pipe(z.string().regex(/^smtps?:\/\/.+/, 'must be smtp://USER:PASSWORD@HOST:PORT or smtps://... (port 465)').optional()),
  MAIL_FROM: optionalText.pipe(z.string().regex(/^(.+<[^@\s]+@[^@\s]+>|[^@\s]+@[^@\s]+)$/, 'must be an address, e.g. 东莞图书馆 <gxgc@example.cn>').optional()),
  PUBLIC_URL: optionalText.pipe(z.url({ message: 'must be the bot’s public address, e.g. https://bot.example.cn' }).optional()),
  LOG_LEVEL: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  GXGC_INSTANCE_ID: optionalText.pipe(z.string().optional()),
});

export interface AppConfig {
  databaseUrl: string;
  telegram: { token: string; apiRoot?: string; webhookUrl?: string; webhookSecret?: string; port: number } | null;
  wechat: { puppet: string; puppetToken?: string } | null;
  wecom: { corpId: string; agentId: number; secret: string; token: string; encodingAesKey: string; apiRoot?: string } | null;
  email: { smtpUrl: string; from: string } | null;
  /** where people reach the bot's HTTP server (e-mail acknowledgement links); default http://localhost:PORT */
  publicUrl: string;
  /** PORT: the one HTTP server (Telegram webhook, WeCom callback, e-mail acknowledgement, /healthz) */
  port: number;
  logLevel?: string;
  instanceId?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_BOT_TOKEN) problems.push('TELEGRAM_WEBHOOK_URL: set TELEGRAM_BOT_TOKEN too, or remove the webhook URL');
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) problems.push('TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, so the bot can tell Telegram’s calls from anyone else’s');
  if (e.WECHATY_PUPPET_SERVICE_TOKEN && !e.WECHATY_PUPPET) problems.push('WECHATY_PUPPET: set it too (e.g. wechaty-puppet-service) when a puppet token is given');
  const wecomVars = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;
  const wecomSet = wecomVars.filter((name) => e[name] !== undefined);
  if (wecomSet.length > 0 && wecomSet.length < wecomVars.length) {
    for (const name of wecomVars.filter((n) => e[n] === undefined)) problems.push(`${name}: required for the WeCom channel (set together with ${wecomSet.join(', ')})`);
  }
  if (e.WECOM_API_ROOT && wecomSet.length === 0) problems.push('WECOM_API_ROOT: set the WECOM_* variables too, or remove it');
  if (Boolean(e.SMTP_URL) !== Boolean(e.MAIL_FROM)) problems.push(e.SMTP_URL ? 'MAIL_FROM: required with SMTP_URL (the sender address of notices)' : 'SMTP_URL: required with MAIL_FROM (the SMTP server to send through)');
  if (problems.length) throw new ConfigError(problems);
  return {
    databaseUrl: e.DATABASE_URL,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT, webhookUrl: e.TELEGRAM_WEBHOOK_URL, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET, port: e.PORT }
      : null,
    wechat: e.WECHATY_PUPPET ? { puppet: e.WECHATY_PUPPET, puppetToken: e.WECHATY_PUPPET_SERVICE_TOKEN } : null,
    wecom:
      wecomSet.length === wecomVars.length
        ? { corpId: e.WECOM_CORP_ID!, agentId: Number(e.WECOM_AGENT_ID), secret: e.WECOM_SECRET!, token: e.WECOM_TOKEN!, encodingAesKey: e.WECOM_ENCODING_AES_KEY!, apiRoot: e.WECOM_API_ROOT }
        : null,
    email: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : null,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    instanceId: e.GXGC_INSTANCE_ID,
  };
}
