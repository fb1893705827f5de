// A world in memory for the dialogue fixtures: the demo directory, the seeded rules, facts and report
// template, and what the fixture's messages stored, behind the same interfaces the core uses on a
// database (CoreStore and Queries). The real core and every capability run on it, so a fixture
// replays a capability's decisions (replies, effects, the conversation) without a database.
// Effects this world cannot apply (imports, acceptance steps) fail loudly rather than pretend.
import { createCore, type Core } from '../../bot/core/pipeline.ts';
import type { Queries } from '../../bot/core/queries.ts';
import type { CoreStore } from '../../bot/core/store.ts';
import { CONVERSATION_TTL_MS, type ConversationRow } from '../../bot/core/conversation.ts';
import type { Effect } from '../../bot/core/effects.ts';
import type { Actor, ChannelName } from '../../bot/core/types.ts';
import { ConflictError } from '../../bot/db/direct-sql.ts';
import { reachabilityOf, type Reachability } from '../../bot/db/reachability.ts';
import type { StoredReport } from '../../bot/db/report-store.ts';
import { roleOfPointLevel, SERVICE_POINT_LEVELS } from '../../bot/domain.ts';
import { silentLogger } from '../../bot/logger.ts';
import { ManualClock, type MonthKey } from '../../bot/time.ts';
import { createCapabilities } from '../../commands/index.ts';
import { hashCode, INVITATION_VALID_DAYS, normaliseCode } from '../../commands/directory/invitations.ts';
import type { DirectoryRow } from '../../commands/directory/rows.ts';
import { isLateSubmission } from '../../commands/report/months.ts';
import { REPORT_FIELD_DEFAULTS, templateOfRows } from '../../commands/report/template.ts';
import { storedFiguresSchema } from '../../commands/report/validate.ts';
import { deadlineInstant, type Audience } from '../../commands/notice/model.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../../scheduler/settings.ts';
import { FACT_SEEDS } from '../../prisma/seed/facts.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';

interface WorldPoint {
  id: number;
  town: string;
  name: string;
  level: string;
  active: boolean;
  listedAt: Date;
}
interface WorldContact {
  id: number;
  name: string;
  role: string;
  mobile: string | null;
  active: boolean;
  servicePointId: number;
}
interface WorldChat {
  id: number;
  channel: ChannelName;
  chatId: string;
  contactId: number | null;
  blockedAt: Date | null;
}
export interface WorldReport {
  id: number;
  servicePointId: number;
  month: MonthKey;
  status: 'reported' | 'noNewData';
  figures: string;
  revision: number;
  submittedAt: Date;
  submittedByContactId: number | null;
  isLate: boolean;
}
export interface WorldNotice {
  id: number;
  title: string;
  status: 'sent' | 'scheduled' | 'cancelled';
  deadline: Date | null;
  fetchMethod: string | null;
  fetchAddress: string | null;
  recipients: { contactId: number; acknowledgedAt: Date | null }[];
}

/** What a fixture can look at after each message. */
export interface World {
  readonly reports: WorldReport[];
  readonly revisions: { reportId: number; revision: number; figures: string }[];
  readonly notices: WorldNotice[];
  /** every effect applied, in order */
  readonly applied: Effect[];
  conversationOf(channel: ChannelName, chatId: string): ConversationRow | null;
  /** a console chat bound to the contact with this mobile, as `gxgc console --as` binds one */
  consoleChatOf(mobile: string): string;
  /** an invitation code for the contact with this mobile, valid for INVITATION_VALID_DAYS from now */
  invite(mobile: string, code: string): void;
  /** a conversation as an earlier message (or an older version of the bot) left it */
  setConversation(channel: ChannelName, chatId: string, row: Omit<ConversationRow, 'version' | 'expiresAt'>): void;
  pointIdOf(name: string): number;
}

export interface FixtureWorld {
  world: World;
  core: Core;
  /** another instance of the bot on the same world (two processes sharing one database) */
  anotherInstance(): Core;
  clock: ManualClock;
}

const NOT_ADDRESSED = ['subCenter', 'townCultureCenter'];

function unsupported(what: string): never {
  throw new Error(`the fixture world has no ${what}: test it end to end on a database`);
}

export function createFixtureWorld(directory: readonly DirectoryRow[], now: string): FixtureWorld {
  const clock = new ManualClock(now);
  const points: WorldPoint[] = [];
  const contacts: WorldContact[] = [];
  for (const row of directory) {
    let point = points.find((p) => p.town === row.town && p.name === row.pointName);
    if (!point) points.push((point = { id: points.length + 1, town: row.town, name: row.pointName, level: row.level, active: true, listedAt: clock.now() }));
    contacts.push({ id: contacts.length + 1, name: row.contactName, role: row.role, mobile: row.mobile, active: true, servicePointId: point.id });
  }
  const chats: WorldChat[] = [];
  const conversations = new Map<string, ConversationRow>();
  const attempts = new Map<string, { windowStart: number; count: number }>();
  const reports: WorldReport[] = [];
  const revisions: World['revisions'] = [];
  const notices: WorldNotice[] = [];
  const applied: Effect[] = [];
  const invitations: { id: number; codeHash: string; contactId: number; usedAt: Date | null; expiresAt: Date }[] = [];
  const template = templateOfRows(REPORT_FIELD_DEFAULTS);

  const contactOf = (mobile: string) => {
    const contact = contacts.find((c) => c.mobile === mobile);
    if (!contact) throw new Error(`no contact with mobile ${mobile} in the fixture world`);
    return contact;
  };
  const pointOf = (id: number) => points.find((p) => p.id === id) ?? null;
  const reporting = (p: WorldPoint) => p.active && (SERVICE_POINT_LEVELS as readonly string[]).includes(p.level);
  const addressed = (p: WorldPoint) => p.active && !NOT_ADDRESSED.includes(p.level);
  const ref = (p: WorldPoint) => ({ id: p.id, town: p.town, name: p.name, level: p.level });
  const chatKey = (channel: string, chatId: string) => `${channel}:${chatId}`;
  const inAudience = (audience: Audience, p: WorldPoint) =>
    addressed(p) &&
    (audience.kind === 'all' ||
      (audience.kind === 'level' && (audience.values as string[]).includes(p.level)) ||
      (audience.kind === 'towns' && audience.values.includes(p.town)) ||
      (audience.kind === 'points' && audience.values.includes(p.id)));
  const reachability = (contactId: number): Reachability => reachabilityOf(chats.filter((c) => c.contactId === contactId));
  const heading = (n: WorldNotice) => ({ id: n.id, title: n.title, deadline: n.deadline, fetchMethod: n.fetchMethod, fetchAddress: n.fetchAddress });

  const queries: Queries = {
    identity: {
      async contactCard(contactId) {
        const contact = contacts.find((c) => c.id === contactId);
        const point = contact ? pointOf(contact.servicePointId) : null;
        return contact && point ? { name: contact.name, role: contact.role, point: { town: point.town, name: point.name, level: point.level } } : null;
      },
      contactByMobile: async (mobile) => contacts.find((c) => c.mobile === mobile) ?? null,
      async invitation(codeHash) {
        const found = invitations.find((i) => i.codeHash === codeHash);
        return found ? { ...found, contactActive: contacts.find((c) => c.id === found.contactId)?.active ?? false } : null;
      },
    },
    directory: {
      reportingPointsNamed: async (name, scope) =>
        points
          .filter((p) => reporting(p) && (scope.town === undefined || p.town === scope.town) && p.id !== scope.exceptId && p.name.includes(name))
          .slice(0, scope.take)
          .map(ref),
      reportingPoints: async () => points.filter(reporting).map(ref),
      pointStanding: async (id) => {
        const p = pointOf(id);
        return p ? { town: p.town, active: p.active } : null;
      },
      pointListedAt: async (id) => pointOf(id)?.listedAt ?? null,
      activePointsNamed: async (name, town) => points.filter((p) => p.active && p.name === name && (town === null || p.town === town)).map((p) => ({ id: p.id, town: p.town, name: p.name })),
      overview: async () => unsupported('directory overview'),
      planImport: async () => unsupported('directory import'),
      waitingFile: async () => unsupported('waiting file'),
    },
    reports: {
      template: async () => template,
      current: async (pointId, month) => {
        const r = reports.find((x) => x.servicePointId === pointId && x.month === month);
        if (!r) return null;
        const by = contacts.find((c) => c.id === r.submittedByContactId)?.name ?? null;
        return { status: r.status, figures: JSON.parse(r.figures), revision: r.revision, submittedAt: r.submittedAt, isLate: r.isLate, submittedBy: by };
      },
      months: async (pointId, from, to) =>
        reports.filter((r) => r.servicePointId === pointId && r.month >= from && r.month <= to).map((r) => ({ month: r.month, status: r.status, figures: r.figures })),
      minimums: async (level) =>
        RULE_SEEDS.filter((r) => r.level === level && (r.item.includes('每周开放') || r.item.includes('服务人次'))).map((r) => ({ level: r.level, item: r.item, quantity: r.quantity, unit: r.unit })),
      completeness: async () => unsupported('completeness query'),
      monthFile: async () => unsupported('monthly export'),
    },
    notices: {
      audienceTowns: async () => [...new Set(points.filter(addressed).map((p) => p.town))],
      audiencePoints: async () => points.filter(addressed).map((p) => ({ id: p.id, town: p.town, name: p.name })),
      audience: async (audience) => {
        const chosen = points.filter((p) => inAudience(audience, p)).sort((a, b) => a.town.localeCompare(b.town) || a.name.localeCompare(b.name));
        const ids = new Set(chosen.map((p) => p.id));
        return {
          points: chosen.map((p) => ({ ...ref(p), parentId: null })),
          contacts: contacts.filter((c) => c.active && ids.has(c.servicePointId)).map((c) => ({ id: c.id, name: c.name, servicePointId: c.servicePointId })),
        };
      },
      reachability: async (ids) => new Map(ids.map((id) => [id, reachability(id)])),
      latestReleasedId: async () => [...notices].reverse().find((n) => n.status !== 'cancelled')?.id ?? null,
      status: async () => unsupported('notice status'),
      recent: async () => unsupported('notice list'),
      heading: async (id) => {
        const n = notices.find((x) => x.id === id);
        return n ? heading(n) : null;
      },
      unacknowledged: async (contactId) =>
        [...notices].reverse().filter((n) => n.status === 'sent' && n.recipients.some((r) => r.contactId === contactId && !r.acknowledgedAt)).map(heading),
      receipt: async (id, contactId) => notices.find((n) => n.id === id)?.recipients.find((r) => r.contactId === contactId) ?? null,
      lastAcknowledged: async (contactId) => {
        let last: { title: string; at: number } | null = null;
        for (const n of notices) for (const r of n.recipients) if (r.contactId === contactId && r.acknowledgedAt && (!last || r.acknowledgedAt.getTime() >= last.at)) last = { title: n.title, at: r.acknowledgedAt.getTime() };
        return last ? { title: last.title } : null;
      },
    },
    standards: {
      tables: async () => ({
        rules: [...RULE_SEEDS].sort((a, b) => a.level.localeCompare(b.level) || a.sortOrder - b.sortOrder),
        facts: [...FACT_SEEDS].sort((a, b) => a.sortOrder - b.sortOrder),
      }),
      ruleKeys: async () => RULE_SEEDS.map((r) => ({ level: r.level, item: r.item })),
    },
    assessment: {
      assessments: async () => unsupported('year assessment'),
    },
    // the world applies no acceptance step (commit refuses them), so it holds no application
    acceptance: {
      applications: async () => [],
      application: async () => null,
      applicantContext: async () => unsupported('acceptance application'),
      partyEducationAllowed: async () => [],
    },
    settings: {
      reminders: async () => DEFAULT_REMINDER_SETTINGS,
    },
  };

  function storeReport(effect: Extract<Effect, { kind: 'storeReport' }>, actor: Actor, now: Date): StoredReport {
    const { servicePointId, month, status } = effect.submission;
    const figures = JSON.stringify(storedFiguresSchema.parse(status === 'noNewData' ? {} : effect.submission.figures));
    const submissionLate = isLateSubmission(month, now);
    let report = reports.find((r) => r.servicePointId === servicePointId && r.month === month);
    if (report) Object.assign(report, { status, figures, revision: report.revision + 1, submittedAt: now, submittedByContactId: actor.contact?.id ?? null });
    else reports.push((report = { id: reports.length + 1, servicePointId, month, status, figures, revision: 1, submittedAt: now, submittedByContactId: actor.contact?.id ?? null, isLate: submissionLate }));
    revisions.push({ reportId: report.id, revision: report.revision, figures });
    return { reportId: report.id, revision: report.revision, isLate: report.isLate, submissionLate };
  }

  const store: CoreStore = {
    async resolveChat(channel, chatId) {
      let chat = chats.find((c) => c.channel === channel && c.chatId === chatId);
      if (!chat) chats.push((chat = { id: chats.length + 1, channel, chatId, contactId: null, blockedAt: null }));
      const conversation = conversations.get(chatKey(channel, chatId)) ?? null;
      const contact = contacts.find((c) => c.id === chat.contactId);
      const point = contact ? pointOf(contact.servicePointId) : null;
      if (!contact || !point || !contact.active || !point.active) return { actor: { role: 'unknown', channel, chatId, identityId: chat.id, contact: null }, conversation, menuDigest: null };
      return {
        actor: {
          role: roleOfPointLevel(point.level),
          channel,
          chatId,
          identityId: chat.id,
          contact: { id: contact.id, name: contact.name, role: contact.role, mobile: contact.mobile, servicePoint: { id: point.id, town: point.town, name: point.name, level: point.level, isPartyEducationPoint: false } },
        },
        conversation,
        menuDigest: null,
      };
    },
    async countAttempt(key, limit, windowMs, now) {
      const window = attempts.get(key);
      if (!window || window.windowStart < now.getTime() - windowMs) attempts.set(key, { windowStart: now.getTime(), count: 1 });
      else window.count += 1;
      return attempts.get(key)!.count <= limit;
    },
    async commit({ effects, actor, now, conversation, results, finish }) {
      const key = chatKey(actor.channel, actor.chatId);
      const stored = conversations.get(key);
      // the same check as the database's conditional save: another message took the step
      if ((stored?.version ?? 0) !== conversation.version) throw new ConflictError('"Conversation"', 0, 1);
      for (const effect of effects) {
        applied.push(effect);
        switch (effect.kind) {
          case 'storeReport':
            results.report = storeReport(effect, actor, now);
            break;
          case 'createNotice': {
            const { draft } = effect;
            const scheduled = draft.scheduledFor !== null && new Date(draft.scheduledFor) > now;
            const audience = await queries.notices.audience(draft.audience);
            const recipients = scheduled ? [] : audience.contacts.map((c) => ({ contactId: c.id, acknowledgedAt: null }));
            const notice: WorldNotice = { id: notices.length + 1, title: draft.title, status: scheduled ? 'scheduled' : 'sent', deadline: draft.deadline ? deadlineInstant(draft.deadline) : null, fetchMethod: draft.fetchMethod, fetchAddress: draft.fetchAddress, recipients };
            notices.push(notice);
            results.notice = {
              id: notice.id,
              title: notice.title,
              status: notice.status === 'scheduled' ? 'scheduled' : 'sent',
              scheduledFor: draft.scheduledFor ? new Date(draft.scheduledFor) : null,
              recipients: recipients.length,
              enqueued: recipients.filter((r) => reachability(r.contactId) === 'reachable').length,
            };
            break;
          }
          case 'cancelScheduledNotice': {
            const notice = notices.find((n) => n.id === effect.noticeId && n.status === 'scheduled');
            if (notice) notice.status = 'cancelled';
            results.cancelled = notice !== undefined;
            break;
          }
          case 'acknowledgeNotice': {
            const recipient = notices.find((n) => n.id === effect.noticeId)?.recipients.find((r) => r.contactId === actor.contact?.id && !r.acknowledgedAt);
            if (recipient) recipient.acknowledgedAt = now;
            break;
          }
          case 'bindChat': {
            const invitation = invitations.find((i) => i.id === effect.invitationId);
            if (invitation?.usedAt) throw new ConflictError('UPDATE "Invitation"', 0, 1);
            if (invitation) invitation.usedAt = now;
            const chat = chats.find((c) => c.channel === actor.channel && c.chatId === actor.chatId)!;
            chat.contactId = effect.contactId;
            break;
          }
          case 'refundAttempt': {
            const window = attempts.get(effect.key);
            if (window) window.count = Math.max(0, window.count - 1);
            break;
          }
          case 'audit':
            break;
          default:
            unsupported(`way to apply a ${effect.kind} effect`);
        }
      }
      if (finish()) {
        conversations.set(key, {
          flow: conversation.flow,
          step: conversation.step,
          state: JSON.stringify(conversation.state),
          choices: JSON.stringify(conversation.choices),
          expiresAt: new Date(now.getTime() + CONVERSATION_TTL_MS),
          version: conversation.version + 1,
        });
      }
    },
    async commitChannelEffects(effects) {
      applied.push(...effects);
    },
  };

  const world: World = {
    reports,
    revisions,
    notices,
    applied,
    conversationOf: (channel, chatId) => conversations.get(chatKey(channel, chatId)) ?? null,
    setConversation(channel, chatId, row) {
      const version = (conversations.get(chatKey(channel, chatId))?.version ?? 0) + 1;
      conversations.set(chatKey(channel, chatId), { ...row, expiresAt: new Date(clock.now().getTime() + CONVERSATION_TTL_MS), version });
    },
    pointIdOf(name) {
      const point = points.find((p) => p.name === name);
      if (!point) throw new Error(`no point named ${name} in the fixture world`);
      return point.id;
    },
    invite(mobile, code) {
      invitations.push({ id: invitations.length + 1, codeHash: hashCode(normaliseCode(code)), contactId: contactOf(mobile).id, usedAt: null, expiresAt: new Date(clock.now().getTime() + INVITATION_VALID_DAYS * 86_400_000) });
    },
    consoleChatOf(mobile) {
      const contact = contactOf(mobile);
      const chatId = `mobile-${mobile}`;
      if (!chats.some((c) => c.channel === 'console' && c.chatId === chatId)) chats.push({ id: chats.length + 1, channel: 'console', chatId, contactId: contact.id, blockedAt: null });
      return chatId;
    },
  };
  const instance = () => createCore({ store, queries, clock, log: silentLogger, capabilities: createCapabilities() });
  return { world, core: instance(), anotherInstance: instance, clock };
}
