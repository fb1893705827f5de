// pino JSON logs on standard error (standard output belongs to the console channel and the CLI).
// Tokens are redacted by key and scrubbed from free text, since Telegram puts the token in URLs.
import pino, { type Logger } from 'pino';

export type { Logger };

const TOKEN_PATTERN = /\b\d{6,}:[A-Za-z0-9_-]{20,}\b/g;

export function scrubSecrets(text: string): string {
  return text.replace(TOKEN_PATTERN, '[redacted-token]');
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'gxgc-bot' },
      redact: {
        paths: ['token', '*.token', 'telegram.token', 'config.telegram.token', 'puppetToken', '*.puppetToken', 'headers.authorization', '*.headers.authorization', 'headers["x-telegram-bot-api-secret-token"]'],
        censor: '[redacted]',
      },
      formatters: {
        log(object) {
          for (const key of ['msg', 'err']) {
            const value = object[key];
            if (typeof value === 'string') object[key] = scrubSecrets(value);
          }
          const err = object.err as { message?: string; stack?: string } | undefined;
          if (err && typeof err === 'object') {
            if (err.message) err.message = scrubSecrets(err.message);
            if (err.stack) err.stack = scrubSecrets(err.stack);
          }
          return object;
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
