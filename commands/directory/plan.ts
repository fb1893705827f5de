// What an import plan needs before it may be applied, decided from the plan alone (pure): a
// confirmation when it would deactivate many contacts or a whole town, and the plan's fingerprint,
// so that a confirmation is for the plan the operator saw.
import { createHash } from 'node:crypto';
import type { ImportPlan } from '../../bot/db/directory-store.ts';

/** Deactivating more than this share of the active contacts needs a confirmation. */
export const DEACTIVATION_SHARE_TO_CONFIRM = 0.1;

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

export type ImportMode =
  /** plan only */
  | { apply: false }
  /** apply unless a confirmation is needed and not given; `expect`: the fingerprint of the plan that was confirmed */
  | { apply: true; confirmed: boolean; expect?: string };

/** Whether a planned import is applied, and if not, why. */
export function importDecision(mode: ImportMode, fingerprint: string, toConfirm: readonly string[]): 'apply' | 'plan only' | 'changed since plan' | 'needs confirmation' {
  if (!mode.apply) return 'plan only';
  if (mode.expect && mode.expect !== fingerprint) return 'changed since plan';
  if (toConfirm.length && !mode.confirmed) return 'needs confirmation';
  return 'apply';
}
