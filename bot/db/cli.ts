// gxgc db migrate | seed [--demo]. Start-up migrates and seeds anyway; these are for operators who
// want to do it ahead of time, and for loading the demo directory to try the bot.
import type { CliDeps } from '../cli.ts';
import { seedDatabase } from '../../prisma/seed/index.ts';
import { importDirectoryFile } from '../../commands/directory/import.ts';
import { targetOf } from './client.ts';
import { projectPath } from '../project-root.ts';

export const DEMO_DIRECTORY = projectPath('prisma', 'seed', 'demo-directory.csv');

export async function runDbCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, flag] = argv;
  if (verb === 'migrate') {
    // openPreparedDatabase has just applied any pending migration
    deps.out('数据库已是最新结构。');
    return 0;
  }
  if (verb === 'seed') {
    await seedDatabase(deps.db);
    deps.out('基础数据（配置标准、流程说明、月报模板、提醒设置）已就绪；已有的修改不会被覆盖。');
    if (flag === '--demo') {
      const existing = await deps.db.contact.count({ where: { active: true } });
      if (existing > 0) {
        deps.out(`通信名录中已有 ${existing} 位联系人，为免覆盖，没有载入示例名录。`);
        return 1;
      }
      return importDirectoryFile(DEMO_DIRECTORY, { ...deps, target: targetOf(deps.db) });
    }
    return 0;
  }
  deps.out('用法：db migrate | db seed [--demo]');
  return 2;
}
