// The effects a capability may ask for, and how the core applies them: all of one message's
// effects, the audit rows they imply and the chat's conversation go into one batch (one
// transaction), built by the store of each aggregate (bot/db/*-store.ts). A capability never
// writes; it returns these.
import type { NoticeDraft } from '../../commands/notice/model.ts';
import { auditStatement, type AuditEntry } from '../db/audit.ts';
import type { BatchStep } from '../db/direct-sql.ts';
import { bindChatStatement, claimInvitationStatement, refundAttemptStatement } from '../db/identity-store.ts';
import { acknowledgeNoticeStatement, cancelScheduledNoticeSteps, createNoticeSteps, type CreatedNotice } from '../db/notice-store.ts';
import { storeReportSteps, type StoredReport, type Submission } from '../db/report-store.ts';
import type { Actor } from './types.ts';
import type { DatabaseTarget } from '../db/target.ts';
import type { Db } from '../db/client.ts';
import type { ReinspectionInput, ReinspectionOutcome, StepInput, StepResult } from '../db/acceptance.ts';
import type { ImportOutcome } from '../db/directory-store.ts';
import type { RulesImportResult } from '../db/rules-store.ts';
import { discardUploadStatement, keepUploadSteps, type PendingUploadInput } from '../db/upload-store.ts';
import { alertOperatorsStatement } from '../db/outbox-store.ts';
import type { RulesPlan } from '../../commands/standards/rules-import.ts';
import type { RuleInput } from '../../commands/standards/rulesFile.ts';

export type Effect =
  /** a confirmed monthly report: a new revision of the point's month */
  | { kind: 'storeReport'; submission: Omit<Submission, 'contactId' | 'channel' | 'actor' | 'at'> }
  /** a composed notice: released to the outbox at once, or kept until its time */
  | { kind: 'createNotice'; draft: NoticeDraft }
  | { kind: 'cancelScheduledNotice'; noticeId: number }
  | { kind: 'acknowledgeNotice'; noticeId: number }
  /** this chat becomes the contact's; invitationId: the code it used, claimed once */
  | { kind: 'bindChat'; contactId: number; how: 'invitation' | 'phone'; invitationId?: number }
  /** a wrong-code attempt counted before the code was tried is given back: only wrong codes count */
  | { kind: 'refundAttempt'; key: string }
  /** a file sent in the chat for import, kept for this chat until the operator answers */
  | { kind: 'keepUpload'; upload: PendingUploadInput }
  /** the chat's waiting file, given up */
  | { kind: 'discardUpload'; uploadId: string }
  /**
   * a directory file confirmed in the chat: a bulk import on a connection of its own, after the
   * message's batch, only if its plan is still the one shown (fingerprint); its waiting file goes
   */
  | { kind: 'importDirectory'; file: { filename: string; content: Uint8Array }; fingerprint: string; uploadId: string | null }
  /** a rules table (annex 1) confirmed in the chat: the whole table replaced, after the batch, unless it changed since the plan */
  | { kind: 'importRules'; rules: RuleInput[]; planned: Omit<RulesPlan, 'removedItems'>; uploadId: string | null }
  /**
   * a step of an acceptance application (apply, confirm, return, receive, …): statements of the
   * message's batch that lock the point's row first and decide on what they read under the lock
   */
  | { kind: 'acceptanceStep'; step: AcceptanceStepRequest }
  /** a yearly re-inspection of an accepted town point (合格 / 限期整改 / 除牌), taken like an acceptance step */
  | { kind: 'reinspection'; record: Omit<ReinspectionInput, 'actor' | 'at'> }
  /**
   * an alert to every operator through the outbox, keyed `<key>:<contact id>` (a key per minute
   * sends one alert a minute however often the cause repeats); audited with what it is about
   */
  | { kind: 'alertOperators'; key: string; text: string; about: { action: string; entity: string; entityId: string | null; detail?: Record<string, unknown> } }
  /** something worth recording that changes nothing else (an export) */
  | { kind: 'audit'; action: string; entity: string; entityId: string | null; detail?: Record<string, unknown> };

/** The effects of a fact about a whole channel: they need no chat. */
export type ChannelEffect = Extract<Effect, { kind: 'alertOperators' | 'audit' }>;

/** What applying the effects gave, for the replies. */
export interface EffectResults {
  report?: StoredReport;
  notice?: CreatedNotice;
  cancelled?: boolean;
  /** what the directory import did */
  imported?: ImportOutcome;
  /** what the rules import did; null: the table changed since the plan, nothing written */
  importedRules?: RulesImportResult | null;
  acceptance?: StepResult;
  reinspection?: ReinspectionOutcome;
  /** outbox rows an alert wrote (0: the same alert was already written) */
  alerted?: number;
}

/** takeStep's input without what the core knows (who, when, the calendar). */
export type AcceptanceStepRequest = Omit<StepInput, 'actor' | 'at' | 'calendar'>;

/** The statements of a message's effects, for one batch; results are filled in as they run. */
export async function effectSteps(effects: readonly Effect[], actor: Actor, now: Date, db: Db, results: EffectResults): Promise<BatchStep[]> {
  const who = { at: now, actorContactId: actor.contact?.id ?? null, actor: `${actor.channel}:${actor.chatId}` };
  const acceptance = effects.some((e) => e.kind === 'acceptanceStep' || e.kind === 'reinspection') ? await acceptanceStore(db, effects) : null;
  const point = actor.contact?.servicePoint;
  const stepActor = { contactId: actor.contact?.id ?? null, point: point ? { id: point.id, town: point.town, level: point.level } : null, label: who.actor };
  return effects.flatMap((effect): BatchStep[] => {
    switch (effect.kind) {
      case 'storeReport':
        return storeReportSteps(
          { ...effect.submission, contactId: who.actorContactId, channel: actor.channel, actor: who.actor, at: now },
          (stored) => (results.report = stored),
        );
      case 'createNotice':
        return createNoticeSteps(effect.draft, who, now, (notice) => (results.notice = notice));
      case 'cancelScheduledNotice':
        return cancelScheduledNoticeSteps(effect.noticeId, who, (done) => (results.cancelled = done));
      case 'acknowledgeNotice':
        if (!actor.contact) return [];
        return [acknowledgeNoticeStatement(effect.noticeId, actor.contact.id, now)];
      case 'bindChat':
        return [
          ...(effect.invitationId !== undefined ? [claimInvitationStatement(effect.invitationId, actor.channel, actor.chatId, now)] : []),
          bindChatStatement(actor.channel, actor.chatId, effect.contactId, now),
          auditStatement({ ...who, actorContactId: effect.contactId, action: 'chat.bind', entity: 'ChannelIdentity', entityId: String(actor.identityId), detail: { how: effect.how } }),
        ];
      case 'keepUpload':
        return keepUploadSteps(actor.channel, actor.chatId, effect.upload, now);
      case 'discardUpload':
        return [discardUploadStatement(actor.channel, actor.chatId, effect.uploadId)];
      case 'importDirectory':
      case 'importRules':
        // the import itself runs after the batch (applyAfterBatch), on the bytes the effect holds
        return effect.uploadId ? [discardUploadStatement(actor.channel, actor.chatId, effect.uploadId)] : [];
      case 'acceptanceStep':
        return acceptance!.takeStepSteps({ ...effect.step, actor: stepActor, at: now, calendar: acceptance!.calendar! }, (result) => (results.acceptance = result));
      case 'reinspection':
        return acceptance!.reinspectionSteps({ ...effect.record, actor: stepActor, at: now }, (outcome) => (results.reinspection = outcome));
      case 'refundAttempt':
        return [refundAttemptStatement(effect.key)];
      case 'alertOperators':
      case 'audit':
        return channelEffectSteps([effect], who, results);
    }
  });
}

/** The statements of effects that need no chat, for one batch; `who` is recorded as the actor. */
export function channelEffectSteps(effects: readonly ChannelEffect[], who: Omit<AuditEntry, 'action' | 'entity' | 'entityId' | 'detail'>, results: EffectResults): BatchStep[] {
  return effects.flatMap((effect): BatchStep[] => {
    if (effect.kind === 'audit') return [auditStatement({ ...who, action: effect.action, entity: effect.entity, entityId: effect.entityId, detail: effect.detail })];
    return [
      alertOperatorsStatement(effect.key, effect.text, who.at),
      (rows) => {
        const alerted = rows[rows.length - 1]!.length;
        results.alerted = (results.alerted ?? 0) + alerted;
        return [auditStatement({ ...who, ...effect.about, detail: { ...effect.about.detail, alerted } })];
      },
    ];
  });
}

/**
 * The acceptance store, loaded on first use (it brings the machine, the forms and the holidays), and
 * the working-day calendar a step needs, read before the batch (it is settings, not state to lock).
 */
async function acceptanceStore(db: Db, effects: readonly Effect[]) {
  const store = await import('../db/acceptance.ts');
  if (!effects.some((e) => e.kind === 'acceptanceStep')) return { ...store, calendar: null };
  const [{ chinaCalendar }, { loadReminderSettings }] = await Promise.all([import('../workdays.ts'), import('../../scheduler/settings.ts')]);
  const { settings } = await loadReminderSettings(db);
  return { ...store, calendar: chinaCalendar({ holidays: settings.extraHolidays, workdays: settings.extraWorkdays }) };
}

/** Effects applied after the message's batch, each in a transaction of its own. */
export function runsAfterBatch(effect: Effect): boolean {
  return effect.kind === 'importDirectory' || effect.kind === 'importRules';
}

/**
 * The effects that cannot be statements of the batch: a directory import streams its rows into
 * temporary tables on a connection of its own; the rules import is the rules store's Prisma transaction.
 * Applied after the batch, so a step taken twice (a conflict) never runs them.
 */
export async function applyAfterBatch(effects: readonly Effect[], actor: Actor, now: Date, db: Db, target: DatabaseTarget, results: EffectResults): Promise<void> {
  const label = `${actor.channel}:${actor.chatId}`;
  for (const effect of effects) {
    if (effect.kind === 'importDirectory') {
      const { runDirectoryImport } = await import('../db/directory-store.ts');
      const run = { target, now, actor: label, actorContactId: actor.contact?.id ?? null };
      results.imported = await runDirectoryImport(effect.file, run, { apply: true, confirmed: true, expect: effect.fingerprint });
    }
    if (effect.kind === 'importRules') {
      const { replaceRulesAsPlanned } = await import('../db/rules-store.ts');
      results.importedRules = await replaceRulesAsPlanned(db, effect.rules, { at: now, actor: label, actorContactId: actor.contact?.id ?? null }, effect.planned);
    }
  }
}
