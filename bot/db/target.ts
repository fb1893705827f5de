// Which database DATABASE_URL names. Apart from client.ts so that what needs only the target (the
// migrations, a driver connection for bulk work) does not load the Prisma client with it.
import { resolve } from 'node:path';

export type Provider = 'sqlite' | 'postgresql';

export interface DatabaseTarget {
  provider: Provider;
  /** for sqlite: absolute file path; for postgresql: the connection string */
  location: string;
}

export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', location: url };
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('DATABASE_URL file: needs a path, e.g. file:./data/gxgc.db');
    return { provider: 'sqlite', location: resolve(cwd, path) };
  }
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got: ${url.replace(/:[^:@/]*@/, ':***@')}`);
}
