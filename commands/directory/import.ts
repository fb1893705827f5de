// Importing a directory file, from the command line or a file sent in the chat. The file is read as a
// stream and checked row by row; each good row goes to the staging tables at once (apply.ts), so a
// directory of 200,000 contacts is never in memory. When every row was good, the plan says per town
// what would be added, updated and deactivated; an import that would deactivate more than a tenth of
// the active contacts, or a whole town, is not applied unless confirmed. Only then is the directory
// changed, in one transaction. No Prisma client is involved: the import runs on a driver connection
// of its own.
import { createHash } from 'node:crypto';
import type { DatabaseTarget } from '../../bot/db/target.ts';
import { openDirectSql } from '../../bot/db/direct-sql.ts';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { SpreadsheetError, openTable, type TableSource } from '../../bot/spreadsheet.ts';
import type { Clock } from '../../bot/time.ts';
import { DirectoryStaging, type ImportPlan, type ImportSummary } from './apply.ts';
import { DirectoryValidator, formatProblems, type RowProblem } from './rows.ts';

export interface DirectoryImportDeps {
  target: DatabaseTarget;
  clock: Clock;
  out: (line: string) => void;
}

/** Deactivating more than this share of the active contacts needs a confirmation. */
export const DEACTIVATION_SHARE_TO_CONFIRM = 0.1;

/** How the file was read: its format, encoding and sheets. */
export interface FileReading {
  format: 'csv' | 'xlsx';
  encoding: string | null;
  sheetsRead: string[];
  sheetsSkipped: string[];
}

export type ImportMode =
  /** plan only */
  | { apply: false }
  /** apply unless a confirmation is needed and not given; `expect`: the fingerprint of the plan that was confirmed */
  | { apply: true; confirmed: boolean; expect?: string };

export type ImportOutcome =
  | { kind: 'unreadable'; message: string }
  | { kind: 'bad rows'; reading: FileReading; problems: RowProblem[] }
  | { kind: 'planned'; reading: FileReading; plan: ImportPlan; fingerprint: string; toConfirm: string[]; applied: ImportSummary | null; changedSincePlan: boolean };

export interface ImportRun {
  target: DatabaseTarget;
  now: Date;
  actor: string;
  actorContactId: number | null;
}

/** What needs a confirmation before the plan may be applied, in Chinese; empty when nothing does. */
export function needsConfirmation(plan: ImportPlan): string[] {
  const reasons: string[] = [];
  const gone = plan.summary.contacts.deactivated;
  if (plan.activeContacts > 0 && gone > plan.activeContacts * DEACTIVATION_SHARE_TO_CONFIRM) {
    reasons.push(`将停用 ${gone} 位联系人，占现有在册联系人（${plan.activeContacts} 位）的 ${Math.round((gone / plan.activeContacts) * 100)}%（超过 ${DEACTIVATION_SHARE_TO_CONFIRM * 100}%）`);
  }
  if (plan.townsGone.length) reasons.push(`文件中完全没有这些镇街，它们的服务点和联系人将全部停用：${plan.townsGone.join('、')}`);
  return reasons;
}

/** The same plan gives the same fingerprint: a confirmation is for the plan the operator saw. */
export function planFingerprint(plan: ImportPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}

async function readInto(source: TableSource, validator: DirectoryValidator, staging: DirectoryStaging): Promise<FileReading> {
  const table = await openTable(source);
  for await (const { sheet, number, cells } of table.rows) {
    const row = validator.feed(sheet, cells, number);
    // after the first bad row the file will not be imported: only check the rest
    if (row && !validator.problems.length) await staging.add(row);
  }
  validator.finish();
  return { format: table.format, encoding: table.encoding, sheetsRead: validator.sheets.read, sheetsSkipped: validator.sheets.skipped };
}

/** Reads, checks and plans the import of a file; applies it when the mode says so and it may be. */
export async function runDirectoryImport(source: TableSource, run: ImportRun, mode: ImportMode): Promise<ImportOutcome> {
  const sql = openDirectSql(run.target);
  try {
    const staging = await DirectoryStaging.open(sql);
    try {
      const validator = new DirectoryValidator();
      let reading: FileReading;
      try {
        reading = await readInto(source, validator, staging);
      } catch (e) {
        if (e instanceof SpreadsheetError) return { kind: 'unreadable', message: e.message };
        throw e;
      }
      if (validator.problems.length) return { kind: 'bad rows', reading, problems: validator.problems };
      const plan = await staging.plan(validator.points.values());
      const fingerprint = planFingerprint(plan);
      const toConfirm = needsConfirmation(plan);
      const outcome = { kind: 'planned' as const, reading, plan, fingerprint, toConfirm, applied: null, changedSincePlan: false };
      if (!mode.apply) return outcome;
      if (mode.expect && mode.expect !== fingerprint) return { ...outcome, changedSincePlan: true };
      if (toConfirm.length && !mode.confirmed) return outcome;
      const applied = await staging.apply(validator.points.values(), { actor: run.actor, actorContactId: run.actorContactId, now: run.now });
      return { ...outcome, applied };
    } finally {
      await staging.close();
    }
  } finally {
    await sql.close();
  }
}

/** A file to plan: the dry-run summary and every bad row, nothing written. */
export function planDirectoryImport(source: TableSource, run: ImportRun): Promise<ImportOutcome> {
  return runDirectoryImport(source, run, { apply: false });
}

const changes = (c: { created: number; updated: number; deactivated: number }) => `新增 ${c.created}，更新 ${c.updated}，停用 ${c.deactivated}`;
const levelLabel = (level: string) => POINT_LEVEL_LABELS[level as PointLevel] ?? level;

export function formatReading(r: FileReading): string {
  const parts = [r.format === 'csv' ? `CSV 文件，按 ${r.encoding} 编码读取` : `Excel 工作簿，读取工作表：${r.sheetsRead.map((s) => `“${s}”`).join('、')}`];
  if (r.sheetsSkipped.length) parts.push(`跳过不是名录的工作表：${r.sheetsSkipped.map((s) => `“${s}”`).join('、')}`);
  return `（${parts.join('；')}）`;
}

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
