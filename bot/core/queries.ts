// The reads a capability may make, named in the domain's words and grouped by aggregate. The core
// hands them to every handler as ctx.queries; the database implements them (bot/db/queries.ts) and
// a dialogue fixture implements them over a world in memory (test/support/fixture-world.ts), so a
// capability's decisions replay without a database. Results are plain data, never rows to write.
import type { Scope as AssessmentScope } from '../../commands/assessment/queries.ts';
import type { PointAssessment } from '../../commands/assessment/supervision.ts';
import type { AnnexRule } from '../../commands/assessment/year.ts';
import type { DirectoryOverview } from '../../commands/directory/store.ts';
import type { NoticeListEntry } from '../../commands/notice/list.ts';
import type { NoticeDraft } from '../../commands/notice/model.ts';
import type { NoticeStatusReport } from '../../commands/notice/status.ts';
import type { Completeness } from '../../commands/report/completeness.ts';
import type { ReportTemplate } from '../../commands/report/template.ts';
import type { StandardsTables } from '../../commands/standards/model.ts';
import type { SpreadsheetFormat, TableSource } from '../spreadsheet.ts';
import type { ChannelName } from './types.ts';
import type { ReminderSettings } from '../../scheduler/settings.ts';
import type { ApplicantContext, ApplicationSummary, StoredApplication } from '../db/acceptance.ts';
import type { ImportOutcome, ImportRun } from '../db/directory-store.ts';
import type { AudienceContact, AudiencePoint } from '../db/notice-store.ts';
import type { Reachability } from '../db/reachability.ts';
import type { CurrentReport, StoredMonth } from '../db/report-store.ts';
import type { MonthKey } from '../time.ts';

/** A service point as a report or a notice names it. */
export interface PointRef {
  id: number;
  town: string;
  name: string;
  level: string;
}

export interface DirectoryQueries {
  /**
   * Active points that report monthly (town, village, school, enterprise) whose name contains
   * `name` or is it, at most `take`; town: only that town's, exceptId: without that point.
   */
  reportingPointsNamed(name: string, scope: { town?: string; exceptId?: number; take: number }): Promise<PointRef[]>;
  /** every active point that reports monthly */
  reportingPoints(): Promise<PointRef[]>;
  /** whether a point is still listed, and in which town (null: no such point) */
  pointStanding(pointId: number): Promise<{ town: string; active: boolean } | null>;
  /** when the point entered the directory (its figures of the year count from then) */
  pointListedAt(pointId: number): Promise<Date | null>;
  /** active points of any level named exactly so (in the town, when given) */
  activePointsNamed(name: string, town: string | null): Promise<{ id: number; town: string; name: string }[]>;
  /** points and contacts by level and town, and how many are bound */
  overview(): Promise<DirectoryOverview>;
  /** what importing this file would change, without writing (the run says who and when) */
  planImport(file: TableSource, run: Omit<ImportRun, 'target'>): Promise<ImportOutcome>;
  /** the bytes of a file this chat sent and that waits for its 确认导入 (null: gone, older than a day) */
  waitingFile(channel: ChannelName, chatId: string, uploadId: string): Promise<Uint8Array | null>;
}

export interface IdentityQueries {
  /** a contact as "我是谁" names them: name, role and point */
  contactCard(contactId: number): Promise<{ name: string; role: string; point: { town: string; name: string; level: string } } | null>;
  contactByMobile(mobile: string): Promise<{ id: number; active: boolean } | null>;
  /** the invitation stored under this keyed hash of its code (commands/directory/invitations.ts) */
  invitation(codeHash: string): Promise<{ id: number; contactId: number; usedAt: Date | null; expiresAt: Date; contactActive: boolean } | null>;
}

export interface ReportQueries {
  /** the template operators maintain (the defaults while its table is empty) */
  template(): Promise<ReportTemplate>;
  /** the point's stored report of the month, as its newest revision says */
  current(pointId: number, month: MonthKey): Promise<CurrentReport | null>;
  /** the point's stored reports of months from..to, inclusive */
  months(pointId: number, from: MonthKey, to: MonthKey): Promise<StoredMonth[]>;
  /** the annex-1 minimums the read-back measures a report against (weekly hours, yearly visitors) */
  minimums(level: string): Promise<{ item: string; quantity: number | null; unit: string | null }[]>;
  /** who has reported the month (town: only that town's points), naming at most missingLimit missing ones */
  completeness(month: MonthKey, options: { town: string | null; missingLimit: number }): Promise<Completeness>;
  /** the month's reports of every point as a spreadsheet file */
  monthFile(month: MonthKey, format: SpreadsheetFormat): Promise<{ content: Uint8Array; rows: number }>;
}

export interface NoticeQueries {
  /** the towns a notice can be addressed to (those with active village-level points or a town point) */
  audienceTowns(): Promise<string[]>;
  /** the points a notice can be addressed to by name */
  audiencePoints(): Promise<{ id: number; town: string; name: string }[]>;
  /** the points and active contacts a notice's audience is, as the directory stands */
  audience(audience: NoticeDraft['audience']): Promise<{ points: AudiencePoint[]; contacts: AudienceContact[] }>;
  /** whether each contact can be reached now (bot/db/reachability.ts) */
  reachability(contactIds: readonly number[]): Promise<Map<number, Reachability>>;
  /** the newest notice sent or scheduled */
  latestReleasedId(): Promise<number | null>;
  /** where a notice stands, recipient by recipient */
  status(noticeId: number): Promise<NoticeStatusReport | null>;
  /** the newest notices, newest first */
  recent(take: number): Promise<NoticeListEntry[]>;
  heading(noticeId: number): Promise<NoticeHeading | null>;
  /** the sent notices this contact has not acknowledged, newest first */
  unacknowledged(contactId: number): Promise<NoticeHeading[]>;
  /** whether the notice went to this contact, and when they acknowledged it (null: not sent to them) */
  receipt(noticeId: number, contactId: number): Promise<{ acknowledgedAt: Date | null } | null>;
  /** the notice this contact acknowledged last */
  lastAcknowledged(contactId: number): Promise<{ title: string } | null>;
}

/** A notice's title and how its resources are picked up. */
export interface NoticeHeading {
  id: number;
  title: string;
  deadline: Date | null;
  fetchMethod: string | null;
  fetchAddress: string | null;
}

export interface StandardsQueries {
  /** the rules table and the facts as operators keep them */
  tables(): Promise<StandardsTables>;
  /** which rules the table has now, by level and item (what an import would replace) */
  ruleKeys(): Promise<{ level: string; item: string }[]>;
}

export interface AssessmentQueries {
  /** every point's year in scope, judged against annex 1, and the rules used */
  assessments(scope: AssessmentScope): Promise<{ rules: AnnexRule[]; points: PointAssessment[] }>;
}

export interface AcceptanceQueries {
  /** applications, newest first (a town's or a point's alone, when given) */
  applications(filter?: { town?: string; pointId?: number }): Promise<ApplicationSummary[]>;
  /** one application with its point, every version and every event (null: no such application) */
  application(id: number): Promise<StoredApplication | null>;
  /** what the /apply dialogue starts from: the point, the form prefilled, its service figures, the rules */
  applicantContext(pointId: number, contactId: number | null, now: Date): Promise<ApplicantContext>;
  /** the 党员远程教育基层点 an operator allowed to apply */
  partyEducationAllowed(): Promise<number[]>;
}

export interface SettingsQueries {
  /** the reminder schedule and reporting settings (defaults for what an operator never set) */
  reminders(): Promise<ReminderSettings>;
}

export interface Queries {
  identity: IdentityQueries;
  directory: DirectoryQueries;
  reports: ReportQueries;
  notices: NoticeQueries;
  standards: StandardsQueries;
  assessment: AssessmentQueries;
  acceptance: AcceptanceQueries;
  settings: SettingsQueries;
}
