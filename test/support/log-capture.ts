// Every log line and every console or stderr write of a test file, kept in memory, so the test can
// prove no secret reached them: the bot token, the webhook secret, the WeCom secret (once that
// channel lands its secret goes into TEST_SECRETS) and every invitation code the file issued.
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { createLogger, type Logger } from '../../bot/logger.ts';

/** Invitation codes issued during this test file (test/channels/support/fixtures.ts adds them). */
export const issuedCodes = new Set<string>();

export interface LogCapture {
  log: Logger;
  lines: string[];
  /** stop capturing console and stderr */
  stop(): void;
  /** no line contains any of these, nor any issued invitation code; and something was captured at all */
  expectNoSecrets(secrets: readonly string[]): void;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';

export function captureLogs(options: { secrets?: readonly string[]; level?: string } = {}): LogCapture {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level: options.level ?? 'trace', destination: sink, secrets: options.secrets ?? [] });
  // libraries print to the console (grammY runner, Wechaty) or to stderr directly
  const originalWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(`[stderr] ${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')}`);
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stderr.write;
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    originals.set(method, console[method]);
    console[method] = (...args: unknown[]) => {
      lines.push(`[console.${method}] ${args.map((a) => (a instanceof Error ? `${a.stack ?? a.message} ${JSON.stringify(a)} ${String((a as { error?: unknown }).error ?? '')}` : typeof a === 'string' ? a : safeJson(a))).join(' ')}`);
    };
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.stderr.write = originalWrite;
    for (const [method, original] of originals) console[method] = original;
  };
  return {
    log,
    lines,
    stop,
    expectNoSecrets(secrets) {
      const all = lines.join('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of [...secrets, ...issuedCodes]) {
        // also the spaced and lower-case ways a person may type a code
        const forms = [secret, secret.toLowerCase(), secret.length === 8 ? `${secret.slice(0, 4)} ${secret.slice(4)}` : secret];
        for (const form of forms) expect(all.includes(form), `a log line contains the secret ${form.slice(0, 3)}…`).toBe(false);
      }
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
