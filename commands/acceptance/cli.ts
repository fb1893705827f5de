// gxgc acceptance ...: the operators' side of the acceptance path from the command line — list and
// export the applications, print one as annex 2, and take the sub-center's steps (receive, schedule,
// pass, fail) and record yearly re-inspections. Each step goes through the same store as the chat.
import { writeFile } from 'node:fs/promises';
import type { CliDeps } from '../../bot/cli.ts';
import { allowPartyEducationPoint, listApplications, loadApplication, recordReinspection, takeStep, type StepActor } from '../../bot/db/acceptance.ts';
import { formatOf, SpreadsheetError, writeTable } from '../../bot/spreadsheet.ts';
import { localDateString } from '../../bot/time.ts';
import { chinaCalendar } from '../../bot/workdays.ts';
import { loadReminderSettings } from '../../scheduler/settings.ts';
import { option, positional } from '../report/cli-args.ts';
import { formatChineseDay, parseChineseDay } from './dates.ts';
import { formatForm, parseStoredForm } from './form.ts';
import { ACTION_LABELS, REINSPECTION_LABELS, STATE_LABELS, parseApplicationState, type ApplicationAction, type ReinspectionResult } from './machine.ts';
import { renderApplicationForm } from './printable.ts';
import { opinionsFromStored } from './selfcheck.ts';
import { EXPORT_HEADER, exportRows, formatApplications } from './status.ts';

const USAGE = [
  '用法：',
  '  acceptance list [--town 镇街]             全部验收申请，按状态和镇街，逾期未验收的在前',
  '  acceptance export 文件.csv|文件.xlsx       导出验收申请，每份一行',
  '  acceptance show 编号                        申请表、各版本和每一步',
  '  acceptance form 编号 文件.xlsx               按附件2版式生成申请表（A4 一页，可打印盖章）',
  '  acceptance receive 编号                     收件（镇街没有镇文广中心联系人时，即记录收到盖章的纸质申请表）',
  '  acceptance schedule 编号 日期               安排现场验收，例如 12月15日',
  '  acceptance pass 编号 [--plaque 日期]         验收通过（授牌日期默认今天）',
  '  acceptance fail 编号 [--opinions "意见1；意见2"]  验收不通过；不写意见时按申请时自查未达标的项目',
  '  acceptance reinspect 镇街/服务点 合格|限期整改|除牌 [--deadline 日期] [--note 意见]   记录每年复查',
  '  acceptance allow 镇街/服务点                 允许党员远程教育基层点仍申请验收挂牌（工作方案二（二）1）',
].join('\n');

const CLI_ACTOR: StepActor = { contactId: null, point: null, isCli: true, label: 'cli' };

function applicationId(raw: string | undefined): number | null {
  const id = Number(raw?.replace(/^#/, ''));
  return Number.isInteger(id) && id > 0 ? id : null;
}

async function findPoint(deps: CliDeps, ref: string): Promise<{ id: number; town: string; name: string } | string> {
  const [town, name] = ref.includes('/') ? ref.split('/', 2).map((s) => s.trim()) : [null, ref.trim()];
  const points = await deps.db.servicePoint.findMany({ where: { active: true, name: name!, ...(town ? { town } : {}) }, select: { id: true, town: true, name: true } });
  if (points.length === 1) return points[0]!;
  return points.length ? `有 ${points.length} 个服务点叫“${name}”，请写成“镇街/服务点”。` : `通信名录中没有服务点“${ref}”。`;
}

const RESULT_WORDS: Record<string, ReinspectionResult> = { 合格: 'passed', 限期整改: 'rectify', 整改: 'rectify', 除牌: 'plaqueRemoved' };

export async function runAcceptanceCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, ...rest] = argv;
  const args = positional(rest);
  const now = deps.clock.now();
  const today = localDateString(now);
  switch (verb) {
    case 'list': {
      const town = option(rest, '--town') ?? undefined;
      const apps = await listApplications(deps.db, { town });
      for (const l of formatApplications(apps, today, town ?? '全市').split('\n')) deps.out(l);
      return 0;
    }
    case 'export': {
      const file = args[0];
      if (!file) return usage(deps, '请写出导出文件名，例如：acceptance export 验收申请.xlsx');
      try {
        formatOf(file);
      } catch (e) {
        if (e instanceof SpreadsheetError) return usage(deps, e.message);
        throw e;
      }
      const apps = await listApplications(deps.db);
      await writeTable(file, [EXPORT_HEADER, ...exportRows(apps, today)], '验收申请');
      deps.out(`已导出 ${apps.length} 份验收申请到 ${file}`);
      return 0;
    }
    case 'show':
    case 'form': {
      const id = applicationId(args[0]);
      if (!id) return usage(deps, `请写申请编号，例如：acceptance ${verb} 3（acceptance list 可查看编号）。`);
      const app = await loadApplication(deps.db, id);
      if (!app) {
        deps.out(`没有编号为 ${id} 的验收申请。`);
        return 1;
      }
      const latest = app.versions.at(-1);
      const form = parseStoredForm(latest?.form ?? '{}');
      if (verb === 'form') {
        const file = args[1];
        if (!file || !file.toLowerCase().endsWith('.xlsx')) return usage(deps, '请写出 .xlsx 文件名，例如：acceptance form 3 申请表.xlsx');
        await writeFile(file, await renderApplicationForm({ id, version: app.version, level: app.servicePoint.level, form, generatedOn: today }));
        deps.out(`已生成验收申请表（附件2，第${app.version}版）：${file}`);
        return 0;
      }
      deps.out(`验收申请 #${id} ${app.servicePoint.town} ${app.servicePoint.name}：${STATE_LABELS[parseApplicationState(app.state) ?? 'applied']}（第${app.version}版）`);
      for (const l of formatForm(form).split('\n')) deps.out(`  ${l}`);
      deps.out('经过：');
      for (const e of app.events) {
        const detail = JSON.parse(e.detail) as Record<string, unknown>;
        const extra = [detail.reason, detail.deadline && `期限 ${detail.deadline}`, detail.scheduledOn, detail.plaqueOn, Array.isArray(detail.opinions) && detail.opinions.join('；')].filter(Boolean).join('，');
        deps.out(`  ${e.at.toISOString().slice(0, 16).replace('T', ' ')}Z ${ACTION_LABELS[e.action as ApplicationAction] ?? e.action}（${e.actor}）${extra ? `：${extra}` : ''}`);
      }
      return 0;
    }
    case 'receive':
    case 'schedule':
    case 'pass':
    case 'fail': {
      const id = applicationId(args[0]);
      if (!id) return usage(deps, `请写申请编号，例如：acceptance ${verb} 3。`);
      const { settings } = await loadReminderSettings(deps.db);
      const calendar = chinaCalendar({ holidays: settings.extraHolidays, workdays: settings.extraWorkdays });
      let scheduledOn: string | undefined;
      let plaqueOn: string | undefined;
      let opinions: string[] | undefined;
      if (verb === 'schedule') {
        const d = parseChineseDay(args.slice(1).join(''), now);
        if (!d.ok) return usage(deps, d.error);
        scheduledOn = d.day;
      }
      if (verb === 'pass') {
        const raw = option(rest, '--plaque');
        if (raw) {
          const d = parseChineseDay(raw, now);
          if (!d.ok) return usage(deps, d.error);
          plaqueOn = d.day;
        }
      }
      if (verb === 'fail') {
        const raw = option(rest, '--opinions');
        opinions = raw ? raw.split(/[；;\n]+/) : await opinionsFromSelfCheck(deps, id);
      }
      const result = await takeStep(deps.db, { action: verb, actor: CLI_ACTOR, applicationId: id, at: now, calendar, scheduledOn, plaqueOn, opinions });
      if (!result.ok) {
        deps.out(result.reason);
        return 1;
      }
      deps.out(`验收申请 #${id}：${ACTION_LABELS[verb]}，现为“${STATE_LABELS[result.state]}”。已通知 ${result.notifications.length} 人。`);
      if (verb === 'receive') deps.out(`现场验收期限：${formatChineseDay(result.deadline!)}（收件后两个工作周）${result.deadlineNote ? `。${result.deadlineNote}` : ''}`);
      if (result.pastDeadline) deps.out(`注意：验收日期晚于两个工作周的期限（${formatChineseDay(result.deadline!)}）。`);
      if (verb === 'fail') deps.out(`整改意见：\n${opinions!.map((o, i) => `  ${i + 1}. ${o}`).join('\n')}`);
      return 0;
    }
    case 'reinspect': {
      const [ref, word] = args;
      const result = word ? RESULT_WORDS[word] : undefined;
      if (!ref || !result) return usage(deps, '请写服务点和复查结果，例如：acceptance reinspect 石龙镇/石龙镇图书馆 限期整改 --deadline 12月31日');
      const point = await findPoint(deps, ref);
      if (typeof point === 'string') return usage(deps, point);
      let deadline: string | null = null;
      const raw = option(rest, '--deadline');
      if (raw) {
        const d = parseChineseDay(raw, now);
        if (!d.ok) return usage(deps, d.error);
        deadline = d.day;
      }
      const r = await recordReinspection(deps.db, { pointId: point.id, result, deadline, note: option(rest, '--note') ?? null, actor: CLI_ACTOR, at: now });
      if (!r.ok) {
        deps.out(r.reason);
        return 1;
      }
      deps.out(`${point.town} ${point.name}：复查结果“${REINSPECTION_LABELS[result]}”已记录${deadline ? `，整改期限${formatChineseDay(deadline)}` : ''}。已通知 ${r.notifications.length} 人。`);
      return 0;
    }
    case 'allow': {
      const point = args[0] ? await findPoint(deps, args[0]) : '请写服务点，例如：acceptance allow 石龙镇/示例一村';
      if (typeof point === 'string') return usage(deps, point);
      await allowPartyEducationPoint(deps.db, point, { at: deps.clock.now(), actor: CLI_ACTOR.label });
      deps.out(`${point.town} ${point.name} 可以申请验收挂牌了。`);
      return 0;
    }
    default:
      deps.out(USAGE);
      return verb ? 2 : 0;
  }
}

/** 整改意见 prefilled from the self-check stored with the latest version: the items not met. */
async function opinionsFromSelfCheck(deps: CliDeps, id: number): Promise<string[]> {
  const app = await loadApplication(deps.db, id);
  return opinionsFromStored(app?.versions.at(-1)?.selfCheck ?? '[]');
}

function usage(deps: CliDeps, message: string): number {
  deps.out(message);
  return 2;
}
