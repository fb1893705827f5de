// Who is told what at each step of an application and of a re-inspection. Pure: the messages come
// back with their recipients and dedupe keys, and become outbox rows in the same transaction as the
// step (one per event and recipient, so a step retried never tells anyone twice).
import type { Choice } from '../../bot/core/types.ts';
import { formatChineseDay } from './dates.ts';
import type { ApplicationAction, ReinspectionResult } from './machine.ts';
import type { LocalDay } from '../../bot/workdays.ts';

export interface Recipient {
  contactId: number;
}

export interface Parties {
  applicant: Recipient[];
  /** contacts of the town's 镇文广中心 (empty when the town lists none) */
  townCultureCenter: Recipient[];
  /** contacts of the town's own service point, told where the town has no 镇文广中心 contact */
  townPoint: Recipient[];
  operators: Recipient[];
}

export interface StepNews {
  eventId: number;
  action: ApplicationAction;
  application: { id: number; version: number; pointLabel: string };
  /** the contact who took the step hears it as a reply, not through the outbox */
  actorContactId: number | null;
  viaPaperForm?: boolean;
  reason?: string;
  receivedOn?: LocalDay;
  deadline?: LocalDay;
  deadlineNote?: string;
  scheduledOn?: LocalDay;
  pastDeadline?: boolean;
  plaqueOn?: LocalDay;
  opinions?: string[];
}

export interface Notification {
  contactId: number;
  text: string;
  choices: Choice[];
  dedupeKey: string;
  purpose: 'acceptance' | 'reinspection';
}

/** the town as told of an application: its 镇文广中心, or else its own point (when that is not the applicant) */
function townOf(p: Parties): Recipient[] {
  if (p.townCultureCenter.length) return p.townCultureCenter;
  const applicants = new Set(p.applicant.map((r) => r.contactId));
  return p.townPoint.filter((r) => !applicants.has(r.contactId));
}

export function confirmChoices(applicationId: number): Choice[] {
  return [
    { label: '确认盖章', value: `acceptance:confirm:${applicationId}` },
    { label: '退回', value: `acceptance:return:${applicationId}` },
  ];
}

export function stepNotifications(news: StepNews, parties: Parties): Notification[] {
  const a = news.application;
  const head = `【验收申请 #${a.id}】${a.pointLabel}`;
  const out: { to: Recipient[]; text: string; choices?: Choice[] }[] = [];
  const hasCenter = parties.townCultureCenter.length > 0;
  switch (news.action) {
    case 'apply':
    case 'resubmit': {
      const what = news.action === 'apply' ? '提交了验收申请' : `整改后重新提交了验收申请（第${a.version}版）`;
      if (hasCenter) {
        out.push({
          to: parties.townCultureCenter,
          text: `${head} ${what}，请镇文广中心审核。确认无误请回复“确认盖章”；需修改请“退回”并写明原因。回复“验收申请 ${a.id}”查看申请表。`,
          choices: confirmChoices(a.id),
        });
        out.push({ to: parties.applicant, text: `${head}：申请已提交，等待镇文广中心确认盖章。` });
      } else {
        out.push({ to: parties.applicant, text: `${head}：申请已提交。本镇街尚无镇文广中心联系人在机器人上，请发送“验收申请 ${a.id}”取得申请表打印，经镇文广中心确认盖章后提交到市支中心。` });
        out.push({ to: parties.operators, text: `${head} ${what}。该镇街没有镇文广中心联系人，收到盖章的纸质申请表后请收件（回复“收件 ${a.id}”）。` });
      }
      break;
    }
    case 'confirm':
      out.push({ to: parties.applicant, text: `${head}：镇文广中心已确认盖章，申请已提交到市支中心。` });
      out.push({ to: parties.operators, text: `${head}：镇文广中心已确认盖章。请收件（回复“收件 ${a.id}”），验收期限自收件日起两个工作周。` });
      break;
    case 'return':
      out.push({ to: parties.applicant, text: `${head}：镇文广中心退回了申请，原因：${news.reason ?? '（未写明）'}\n修改后请回复“重新提交验收申请”。` });
      break;
    case 'receive': {
      const when = `市支中心已于${formatChineseDay(news.receivedOn!)}收到${news.viaPaperForm ? '盖章的纸质' : ''}验收申请表，将在两个工作周内（${formatChineseDay(news.deadline!)}前）派员到现场验收。`;
      out.push({ to: [...parties.applicant, ...townOf(parties)], text: `${head}：${when}` });
      out.push({ to: parties.operators, text: `${head}：已收件，现场验收期限${formatChineseDay(news.deadline!)}${news.deadlineNote ? `（${news.deadlineNote}）` : ''}。请安排验收（回复“安排验收 ${a.id} 日期”）。` });
      break;
    }
    case 'schedule':
      out.push({ to: [...parties.applicant, ...townOf(parties)], text: `${head}：市支中心定于${formatChineseDay(news.scheduledOn!)}派员到现场验收，请做好准备。` });
      out.push({
        to: parties.operators,
        text: `${head}：现场验收定于${formatChineseDay(news.scheduledOn!)}${news.pastDeadline ? `，已超过两个工作周的期限（${formatChineseDay(news.deadline!)}）` : ''}。`,
      });
      break;
    case 'pass':
      out.push({
        to: [...parties.applicant, ...townOf(parties)],
        text: `${head}：现场验收通过，授予“文化共享工程基层服务点”牌匾（授牌日期${formatChineseDay(news.plaqueOn!)}）。此表一式三份，市支中心、镇（街）文广中心、基层服务点各执一份。`,
      });
      out.push({ to: parties.operators, text: `${head}：验收通过，授牌日期${formatChineseDay(news.plaqueOn!)}。` });
      break;
    case 'fail':
      out.push({
        to: [...parties.applicant, ...townOf(parties)],
        text: `${head}：现场验收未通过。市支中心整改意见：\n${(news.opinions ?? []).map((o, i) => `${i + 1}. ${o}`).join('\n')}\n整改后请回复“重新提交验收申请”再次申请验收。`,
      });
      out.push({ to: parties.operators, text: `${head}：验收不通过，整改意见已发给申请单位。` });
      break;
  }
  return toNotifications(out, news.actorContactId, (contactId) => `acceptance:${a.id}:event:${news.eventId}:contact:${contactId}`, 'acceptance');
}

export interface ReinspectionNews {
  reinspectionId: number;
  result: ReinspectionResult;
  year: number;
  pointLabel: string;
  deadline?: LocalDay;
  note?: string;
  actorContactId: number | null;
}

/** 合格 / 限期整改 / 除牌: the point and its town are told; 除牌 also its operators. */
export function reinspectionNotifications(news: ReinspectionNews, parties: Parties): Notification[] {
  const head = `【${news.year}年复查】${news.pointLabel}`;
  const note = news.note ? `\n意见：${news.note}` : '';
  let text: string;
  if (news.result === 'passed') text = `${head}：复查合格。${note}`;
  else if (news.result === 'rectify') text = `${head}：复查结果为限期整改，请于${formatChineseDay(news.deadline!)}前完成整改。${note}`;
  else text = `${head}：复查设备设施或服务不达标，给予除牌处理（工作方案五（三））。${note}`;
  const town = parties.townCultureCenter;
  const out = [{ to: [...parties.applicant, ...town], text }];
  if (news.result === 'plaqueRemoved') out.push({ to: parties.operators, text: `${head}：已记录除牌。` });
  return toNotifications(out, news.actorContactId, (c) => `reinspection:${news.reinspectionId}:contact:${c}`, 'reinspection');
}

function toNotifications(
  out: { to: Recipient[]; text: string; choices?: Choice[] }[],
  actor: number | null,
  key: (contactId: number) => string,
  purpose: Notification['purpose'],
): Notification[] {
  const seen = new Set<number>();
  const list: Notification[] = [];
  for (const m of out) {
    for (const r of m.to) {
      // one message per person and step: the first (most specific) wins
      if (r.contactId === actor || seen.has(r.contactId)) continue;
      seen.add(r.contactId);
      list.push({ contactId: r.contactId, text: m.text, choices: m.choices ?? [], dedupeKey: key(r.contactId), purpose });
    }
  }
  return list;
}
