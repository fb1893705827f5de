// pino JSON logs on standard error (standard output belongs to the console channel and the CLI).
// Tokens are redacted by key and scrubbed from free text, since Telegram puts the token in URLs.
import pino, { type Logger } from 'pino';

export type { Logger };

// also inside words: Telegram URLs read .../bot123456789:AA.../getMe
const TOKEN_PATTERN = /\d{6,}:[A-Za-z0-9_-]{20,}/g;

export function scrubSecrets(text: string): string {
  return text.replace(TOKEN_PATTERN, '[redacted-token]');
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'gxgc-bot' },
      redact: {
        paths: ['token', '*.token', 'telegram.token', 'config.telegram.token', 'puppetToken', '*.puppetToken', 'headers.authorization', '*.headers.authorization', 'headers["x-telegram-bot-api-secret-token"]', 'secret', '*.secret', 'encodingAesKey', '*.encodingAesKey', 'smtpUrl', '*.smtpUrl'],
        censor: '[redacted]',
      },
      serializers: {
        err(error: Error) {
          const serialised = pino.stdSerializers.err(error);
          return { ...serialised, message: scrubSecrets(serialised.message ?? ''), stack: scrubSecrets(serialised.stack ?? '') };
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
