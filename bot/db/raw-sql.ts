// Prisma's tagged SQL for $queryRaw (Prisma.sql, join, raw, empty), from the small package the
// Prisma runtime itself takes them from: the same Sql class, without loading the Prisma client,
// so a module that builds raw queries can be imported at start-up for free.
export { sql, join, raw, empty, Sql } from '@prisma/client-runtime-utils';
