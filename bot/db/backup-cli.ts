// gxgc db backup FILE | db restore FILE. Run before the database is opened or migrated: a restore
// must work when the current database is damaged, and neither needs the Prisma client.
import { resolve } from 'node:path';
import type { DatabaseTarget } from './target.ts';
import { BackupError, backupSqlite, restoreSqlite } from './backup.ts';

export interface BackupCliDeps {
  target: DatabaseTarget;
  dataDir: string;
  now: Date;
  out: (line: string) => void;
}

const PG_DUMP_HINT =
  'PostgreSQL 数据库请用 PostgreSQL 自带的工具备份和恢复，例如：\n' +
  '  备份：pg_dump --format=custom --file=gxgc.dump "$DATABASE_URL"\n' +
  '  恢复（先停止所有机器人）：pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" gxgc.dump\n' +
  '详见 README 的“备份与恢复”。';

export async function runBackupCli(verb: 'backup' | 'restore', argv: string[], deps: BackupCliDeps): Promise<number> {
  const file = argv[0];
  if (!file) {
    deps.out(verb === 'backup' ? '用法：db backup 文件名（例如 db backup data/backups/手动-2026-12-02.db）' : '用法：db restore 备份文件名');
    return 2;
  }
  if (deps.target.provider !== 'sqlite') {
    deps.out(PG_DUMP_HINT);
    return 2;
  }
  try {
    if (verb === 'backup') {
      if (resolve(file) === resolve(deps.target.location)) {
        deps.out('备份文件不能是数据库文件本身，请换一个文件名。');
        return 2;
      }
      const { bytes } = await backupSqlite(deps.target.location, file);
      deps.out(`已备份到 ${file}（${(bytes / 1024 / 1024).toFixed(1)} MB）。机器人运行时也可以备份。`);
      return 0;
    }
    const { previousCopy, check } = await restoreSqlite(file, deps.target.location, { backupsDir: `${deps.dataDir}/backups`, now: deps.now });
    deps.out(`已从 ${file} 恢复：${check.points} 个服务点，${check.contacts} 位联系人，${check.reports} 份月报。`);
    if (previousCopy) deps.out(`恢复前的数据库已另存为 ${previousCopy}。`);
    deps.out('现在可以启动机器人（npm start）。');
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      deps.out(error.message);
      return 1;
    }
    throw error;
  }
}
