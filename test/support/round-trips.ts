// Counts round trips to PostgreSQL by patching pg's Client.query: a query sent to a connection with
// no query of its own unanswered starts one; one sent while another is unanswered (pg's pipeline
// mode sends it at once) rides on that round trip. The statements are listed, "»" for a new one.
import pg from 'pg';

export interface RoundTripCounter {
  /** round trips since the last reset */
  readonly count: number;
  /** the statements sent since the last reset, each starting "»" (a new round trip) or "+" */
  readonly statements: readonly string[];
  reset(): void;
  restore(): void;
}

export function countRoundTrips(): RoundTripCounter {
  const original = pg.Client.prototype.query;
  const unanswered = new WeakMap<object, number>();
  let count = 0;
  let statements: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    const waiting = unanswered.get(this) ?? 0;
    if (waiting === 0) count += 1;
    statements.push(`${waiting === 0 ? '»' : '+'} ${(typeof first === 'string' ? first : first.text).replace(/\s+/g, ' ').trim()}`);
    unanswered.set(this, waiting + 1);
    const answered = () => unanswered.set(this, (unanswered.get(this) ?? 1) - 1);
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (...result: unknown[]) => {
        answered();
        return (callback as (...r: unknown[]) => unknown)(...result);
      };
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    }
    const result = (original as (...a: unknown[]) => unknown).apply(this, args) as Promise<unknown> | undefined;
    result?.then(answered, answered);
    return result;
  } as typeof original;
  return {
    get count() {
      return count;
    },
    get statements() {
      return statements;
    },
    reset() {
      count = 0;
      statements = [];
    },
    restore() {
      pg.Client.prototype.query = original;
    },
  };
}
