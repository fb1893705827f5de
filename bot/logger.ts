// pino JSON logs on standard error (standard output belongs to the console channel and the CLI).
// Secrets never reach the log: known keys are redacted, errors are serialised without the grammY
// context (which holds the token and the user's update), and every finished line is scrubbed of the
// configured secrets (bot token, webhook secret, puppet token, WeCom secret...), of anything shaped
// like a Telegram token (Telegram puts it in URLs), and of invitation codes after a bind command.
import pino, { type Logger } from 'pino';
import { CODE_ALPHABET, CODE_LENGTH } from '../commands/directory/invitations.ts';

export type { Logger };

// also inside words: Telegram URLs read .../bot123456789:AA.../getMe
const TOKEN_PATTERN = /\d{3,}:[A-Za-z0-9_-]{20,}/g;
const CODE_CHAR = `[${CODE_ALPHABET}${CODE_ALPHABET.toLowerCase()}]`;
const HALF = CODE_LENGTH / 2;
// "/bind ABCD2345", "/start abcd-2345", "绑定 ABCD 2345": the code a person typed, wherever text is logged
const CODE_AFTER_BIND = new RegExp(`(\\/(?:bind|start)(?:@\\w+)?|绑定)([\\s:：=]*)${CODE_CHAR}{${HALF}}[\\s-]?${CODE_CHAR}{${HALF}}(?![A-Za-z0-9])`, 'g');
/** shorter values are not scrubbed as text: they would match everywhere and are not secrets worth the name */
const MIN_SECRET_LENGTH = 6;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A scrubber for these secrets (as written, and as JSON escapes them) and the patterns above. */
export function secretScrubber(secrets: readonly (string | undefined | null)[] = []): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  const known = forms.size ? new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g') : null;
  return (text) => {
    let out = known ? text.replace(known, '[redacted]') : text;
    out = out.replace(TOKEN_PATTERN, '[redacted-token]');
    return out.replace(CODE_AFTER_BIND, '$1$2[redacted-code]');
  };
}

export const scrubSecrets = secretScrubber();

/** Properties of library errors that carry secrets or people's messages, never logged. */
const DROPPED_ERROR_KEYS = new Set(['ctx', 'api', 'update', 'payload', 'config', 'request', 'response', 'headers']);

/**
 * An error as a plain object: type, message, stack, code-like fields, and nested errors (grammY's
 * HttpError wraps the fetch error as .error, others use .cause) to a few levels. A thrown string or
 * object becomes { message } instead of being spread into one field per character.
 */
export function serializeError(value: unknown, depth = 0): Record<string, unknown> {
  if (!(value instanceof Error)) {
    return { message: typeof value === 'string' ? value : safeString(value) };
  }
  const out: Record<string, unknown> = { type: value.constructor?.name ?? value.name, message: value.message };
  if (value.stack) out.stack = value.stack;
  for (const [key, field] of Object.entries(value)) {
    if (DROPPED_ERROR_KEYS.has(key) || key === 'message' || key === 'stack') continue;
    if (field instanceof Error) {
      if (depth < 3) out[key] = serializeError(field, depth + 1);
    } else if (field === null || ['string', 'number', 'boolean'].includes(typeof field)) {
      out[key] = field;
    } else if (key === 'parameters' && typeof field === 'object') {
      out[key] = field;
    }
  }
  const cause = (value as { cause?: unknown }).cause;
  if (cause !== undefined && depth < 3 && !('cause' in out)) out.cause = cause instanceof Error ? serializeError(cause, depth + 1) : { message: safeString(cause) };
  return out;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}

/** Wraps a destination so every line is scrubbed before it is written. */
function scrubbingDestination(destination: pino.DestinationStream, scrub: (text: string) => string): pino.DestinationStream {
  return {
    write(line: string) {
      destination.write(scrub(line));
    },
  };
}

export interface LoggerOptions {
  level?: string;
  destination?: pino.DestinationStream;
  /** values never to appear in a line: tokens and secrets from the configuration */
  secrets?: readonly (string | undefined | null)[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = secretScrubber(options.secrets);
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'gxgc-bot' },
      redact: {
        paths: [
          'token',
          '*.token',
          'telegram.token',
          'config.telegram.token',
          'puppetToken',
          '*.puppetToken',
          'secret',
          '*.secret',
          'headers.authorization',
          '*.headers.authorization',
          'headers["x-telegram-bot-api-secret-token"]',
          'encodingAesKey',
          '*.encodingAesKey',
          'smtpUrl',
          '*.smtpUrl',
        ],
        censor: '[redacted]',
      },
      serializers: { err: (error: unknown) => serializeError(error) },
    },
    scrubbingDestination(options.destination ?? pino.destination(2), scrub),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
