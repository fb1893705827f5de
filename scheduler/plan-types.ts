// What the planners (reminders, notice follow-ups) read and produce. Plain data, no database: the
// tick loads this state, the planners decide, the outbox stores the result.
import type { Choice } from '../bot/core/types.ts';
import { isServicePointLevel } from '../bot/domain.ts';

export const OUTBOX_PURPOSES = [
  'notice',
  'noticeReminder',
  'noticeEscalation',
  'reportReminder',
  'reportEscalation',
  'summary',
  'alert',
  'acceptance',
  'acceptanceReminder',
  'reinspection',
] as const;
export type OutboxPurpose = (typeof OUTBOX_PURPOSES)[number];

export interface PlanPoint {
  id: number;
  town: string;
  name: string;
  /** subCenter | town | village | school | enterprise */
  level: string;
  parentId: number | null;
}

export interface PlanContact {
  id: number;
  servicePointId: number;
  name: string;
  /** liaison | reporter | head | admin */
  role: string;
}

/** The active part of the directory. */
export interface DirectoryState {
  points: PlanPoint[];
  contacts: PlanContact[];
}

/** One message to enqueue: the dedupe key makes it go out at most once. */
export interface PlannedMessage {
  dedupeKey: string;
  contactId: number;
  purpose: OutboxPurpose;
  text: string;
  choices: Choice[];
  noticeId?: number;
  /** which rule produced it, for the preview and the logs */
  stage: string;
  /** the point the message is about (the recipient's own point, or for summaries the sub-center) */
  servicePointId: number;
}

/** Contacts who get a point's proactive messages, and why those (see pointRecipients). */
export const RECIPIENT_ROLES = ['liaison', 'reporter'] as const;

/**
 * Whom the bot writes to for a point: its 联络人 and 信息专报员, the people the source document
 * names for receiving notices and reporting (五（四）: 每镇（街）、村（居）均有指定的联络人和信息专报员).
 * A point that has neither still gets its message, through all of its active contacts (head,
 * admin), so no point is silently skipped because of how its row was typed.
 */
export function pointRecipients(pointId: number, contacts: readonly PlanContact[]): PlanContact[] {
  const own = contacts.filter((c) => c.servicePointId === pointId);
  const designated = own.filter((c) => (RECIPIENT_ROLES as readonly string[]).includes(c.role));
  return designated.length > 0 ? designated : own;
}

/** Points that report monthly: the service points, not the sub-center's entry nor a 镇文广中心. */
export function isReportingPoint(point: PlanPoint): boolean {
  return isServicePointLevel(point.level);
}

export function pointLabel(point: PlanPoint): string {
  return point.name.startsWith(point.town) ? point.name : `${point.town} ${point.name}`;
}
