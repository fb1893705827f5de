// Importing a directory file from the command line, and the words of every import's answer. The
// store (bot/db/directory-store.ts) reads the file as a stream into staging tables, so a directory
// of 200,000 contacts is never in memory, plans per town what would be added, updated and
// deactivated, and applies it in one transaction when plan.ts lets it: an import that would
// deactivate more than a tenth of the active contacts, or a whole town, needs a confirmation. No
// Prisma client is involved: the import runs on a driver connection of its own.
import { runDirectoryImport, type FileReading, type ImportOutcome, type ImportPlan } from '../../bot/db/directory-store.ts';
import type { DatabaseTarget } from '../../bot/db/target.ts';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { readingText } from '../../bot/spreadsheet.ts';
import type { Clock } from '../../bot/time.ts';
import { formatProblems } from './rows.ts';

export interface DirectoryImportDeps {
  target: DatabaseTarget;
  clock: Clock;
  out: (line: string) => void;
}

const changes = (c: { created: number; updated: number; deactivated: number }) => `新增 ${c.created}，更新 ${c.updated}，停用 ${c.deactivated}`;
const levelLabel = (level: string) => POINT_LEVEL_LABELS[level as PointLevel] ?? level;

export const formatReading = (r: FileReading): string => readingText(r, '名录');

/** The plan as the operator reads it: totals, each town's changes, the contacts that will lose their chats. */
export function formatPlan(plan: ImportPlan, done = false): string[] {
  const s = plan.summary;
  const lines = [
    `${s.points.total} 个服务点（${changes(s.points)}），${s.contacts.total} 位联系人（${changes(s.contacts)}）。`,
  ];
  const changed = plan.towns.filter((t) => Object.values(t.points).some(Boolean) || Object.values(t.contacts).some(Boolean));
  if (changed.length) {
    lines.push('按镇街：');
    for (const t of changed) lines.push(`· ${t.town}：服务点 ${changes(t.points)}；联系人 ${changes(t.contacts)}`);
  }
  if (plan.rebindings.length) {
    lines.push(`以下 ${plan.rebindings.length} 个号码换了人或换了身份，原来绑定的聊天账号${done ? '已' : '将'}解除绑定（未用的邀请码作废），需要重新绑定：`);
    for (const r of plan.rebindings) {
      const who = r.mobile ?? '（无手机）';
      lines.push(
        `· ${who}：${r.before.town} ${r.before.point} ${r.before.name}（${levelLabel(r.before.level)}）→ ${r.after.town} ${r.after.point} ${r.after.name}（${levelLabel(r.after.level)}）` +
          (r.chats ? `，${done ? '已' : '将'}解除 ${r.chats} 个聊天账号` : '，没有绑定的聊天账号'),
      );
    }
  }
  return lines;
}

/** The outcome as lines for the command line (the chat words its own around formatPlan). */
export function formatOutcome(outcome: ImportOutcome, how: { confirmHint: string }): string[] {
  if (outcome.kind === 'unreadable') return [outcome.message];
  if (outcome.kind === 'bad rows') {
    return [
      `导入失败，名录没有任何改动${formatReading(outcome.reading)}。请修改以下 ${outcome.problems.length} 处后重新导入：`,
      formatProblems(outcome.problems),
    ];
  }
  const { plan, applied, toConfirm, reading } = outcome;
  if (applied) {
    const s = applied;
    return [
      `导入成功${formatReading(reading)}：${s.points.total} 个服务点（${changes(s.points)}），${s.contacts.total} 位联系人（${changes(s.contacts)}）。` +
        (s.unbound ? `${s.unbound} 位联系人换了人或换了身份，已解除其聊天绑定，需要重新绑定；其余已绑定的聊天账号保持不变。` : '已绑定的聊天账号保持不变。'),
      ...formatPlan(plan, true).slice(1),
    ];
  }
  if (outcome.changedSincePlan) return ['名录在预览之后有了变化，没有导入。请重新发送文件，看过新的预览后再确认。'];
  const head = toConfirm.length
    ? [`尚未导入，名录没有任何改动${formatReading(reading)}。这次导入需要确认：`, ...toConfirm.map((r) => `· ${r}`), how.confirmHint, '导入后将是：']
    : [`预览，名录没有任何改动${formatReading(reading)}。导入后将是：`];
  return [...head, ...formatPlan(plan)];
}

/** The command line's `directory import FILE [--dry-run] [--confirm]`. */
export async function importDirectoryFile(file: string, deps: DirectoryImportDeps, flags: { dryRun?: boolean; confirm?: boolean } = {}): Promise<number> {
  const outcome = await runDirectoryImport(
    file,
    { target: deps.target, now: deps.clock.now(), actor: 'cli', actorContactId: null },
    flags.dryRun ? { apply: false } : { apply: true, confirmed: Boolean(flags.confirm) },
  );
  for (const line of formatOutcome(outcome, { confirmHint: `确认无误后加上 --confirm 重新运行：directory import ${file} --confirm` })) deps.out(line);
  if (outcome.kind !== 'planned') return 1;
  return outcome.applied || flags.dryRun ? 0 : 1;
}

const IMPORT_USAGE = '用法：directory import 文件.csv|.xlsx [--dry-run 只预览] [--confirm 确认停用大量联系人或整个镇街]';

/** Parses `directory import` arguments: the file and its flags. */
export function parseImportArgs(argv: string[]): { file: string; dryRun: boolean; confirm: boolean } | null {
  const flags = argv.filter((a) => a.startsWith('--'));
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length !== 1 || flags.some((f) => f !== '--dry-run' && f !== '--confirm')) return null;
  return { file: files[0]!, dryRun: flags.includes('--dry-run'), confirm: flags.includes('--confirm') };
}

/** The command line's `directory import ...` without a Prisma client (bot/cli.ts). */
export async function runDirectoryImportCli(argv: string[], deps: DirectoryImportDeps): Promise<number> {
  const args = parseImportArgs(argv);
  if (!args) {
    deps.out(IMPORT_USAGE);
    return 2;
  }
  return importDirectoryFile(args.file, deps, args);
}
