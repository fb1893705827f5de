// gxgc directory import|export FILE, invite, summary: the operator's side of the 通信名录.
import type { CliDeps } from '../../bot/cli.ts';
import { sqlOf, targetOf } from '../../bot/db/client.ts';
import { defuseFormula, writeTable, SpreadsheetError } from '../../bot/spreadsheet.ts';
import { normaliseMobile } from '../../bot/domain.ts';
import { DIRECTORY_EXPORT_HEADER, directoryRowToCells } from './rows.ts';
import { directoryOverview, formatOverview, readDirectoryRows } from './store.ts';
import { runDirectoryImportCli } from './import.ts';
import { issueInvitations } from '../../bot/db/identity-store.ts';
import { INVITATION_VALID_DAYS } from './invitations.ts';
import { localDateString } from '../../bot/time.ts';

async function invite(argv: string[], deps: CliDeps): Promise<number> {
  const flag = argv[0];
  const value = argv[1];
  const where =
    flag === '--all'
      ? {}
      : flag === '--mobile' && value
        ? { mobile: normaliseMobile(value) ?? value }
        : flag === '--town' && value
          ? { servicePoint: { town: value } }
          : null;
  if (!where) {
    deps.out('用法：directory invite --mobile 手机号 | --town 镇街 | --all');
    return 2;
  }
  const contacts = await deps.db.contact.findMany({
    where: { ...where, active: true, servicePoint: { active: true, ...(flag === '--town' ? { town: value } : {}) } },
    include: { servicePoint: true },
    orderBy: [{ servicePoint: { town: 'asc' } }, { servicePoint: { name: 'asc' } }, { id: 'asc' }],
  });
  if (!contacts.length) {
    deps.out(flag === '--mobile' ? `通信名录中没有手机号为 ${value} 的在册联系人。` : `没有找到符合条件的在册联系人（${flag} ${value ?? ''}）。`);
    return 1;
  }
  const issued = await issueInvitations(deps.db, contacts.map((c) => c.id), deps.clock.now());
  const expires = localDateString(issued[0]!.expiresAt);
  deps.out(`镇街,服务点,联系人,手机,邀请码,有效期至`);
  issued.forEach((inv, i) => {
    const c = contacts[i]!;
    deps.out([c.servicePoint.town, c.servicePoint.name, c.name, c.mobile, inv.code, expires].join(','));
  });
  process.stderr.write(`已生成 ${issued.length} 个邀请码，每个只能用一次，${INVITATION_VALID_DAYS} 天内有效。请联系人向机器人发送“/bind 邀请码”或“绑定 邀请码”。\n`);
  return 0;
}

export async function runDirectoryCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, file] = argv;
  switch (verb) {
    case 'import':
      // the command line runs it without a Prisma client (bot/cli.ts); here one is open already
      return runDirectoryImportCli(argv.slice(1), { ...deps, target: targetOf(deps.db) });
    case 'export': {
      if (!file) break;
      const rows = await readDirectoryRows(deps.db);
      try {
        // a name a spreadsheet would run as a formula (=, +, -, @) is written defused, as the report export does
        await writeTable(file, [[...DIRECTORY_EXPORT_HEADER], ...rows.map((row) => directoryRowToCells(row).map(defuseFormula))], '通信名录');
      } catch (e) {
        if (e instanceof SpreadsheetError) {
          deps.out(e.message);
          return 1;
        }
        throw e;
      }
      deps.out(`已导出 ${rows.length} 位联系人到 ${file}`);
      return 0;
    }
    case 'invite':
      return invite(argv.slice(1), deps);
    case 'summary':
      deps.out(formatOverview(await directoryOverview(sqlOf(deps.db))));
      return 0;
  }
  deps.out('用法：directory import 文件.csv|.xlsx [--dry-run] [--confirm] | directory export 文件.csv|.xlsx | directory invite --mobile 手机号|--town 镇街|--all | directory summary');
  return 2;
}
