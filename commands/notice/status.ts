// Where a notice stands: per recipient, delivered / acknowledged / failed / not bound / waiting,
// grouped by town with names, for /notice status and `gxgc notice status ID`.
import type { ReadDb } from '../../bot/core/capability.ts';
import { localDateString, localDateTimeString } from '../../bot/time.ts';
import { NOT_BOUND } from '../../scheduler/routing.ts';
import { loadReachability, type Reachability } from '../../bot/db/reachability.ts';
import { describeAudience, parseAudienceJson } from './model.ts';
import { formatChannelCounts } from '../../bot/channels/labels.ts';

export type RecipientState = 'acknowledged' | 'delivered' | 'failed' | 'notBound' | 'waiting';

export const RECIPIENT_STATE_LABELS: Record<RecipientState, string> = {
  acknowledged: '已确认',
  delivered: '已送达未确认',
  failed: '发送失败',
  notBound: '未绑定',
  waiting: '待发送',
};

export interface RecipientStatus {
  contactId: number;
  contactName: string;
  town: string;
  pointName: string;
  state: RecipientState;
  /** delivered at least (an acknowledgement implies it) */
  delivered: boolean;
  reason: string | null;
  /** the channel the notice went out on, once sent */
  channel: string | null;
}

export interface NoticeStatusReport {
  id: number;
  title: string;
  status: string;
  audience: string;
  sentAt: Date | null;
  scheduledFor: Date | null;
  deadline: Date | null;
  recipients: RecipientStatus[];
}

/**
 * A recipient's state. A message not sent yet is classed by the contact's reachability now, as the
 * outbox will class it: so status agrees with the preview before the worker has run.
 */
export function classifyRecipient(acknowledgedAt: Date | null, outbox: { status: string; lastError: string | null } | undefined, reachability: Reachability = 'reachable'): RecipientState {
  if (acknowledgedAt) return 'acknowledged';
  switch (outbox?.status) {
    case 'delivered':
      return 'delivered';
    case 'unreachable':
      return outbox.lastError === NOT_BOUND ? 'notBound' : 'failed';
    case 'failed':
      return 'failed';
    default:
      return reachability === 'notBound' ? 'notBound' : reachability === 'blocked' ? 'failed' : 'waiting';
  }
}

/** Reasons as an operator can act on them. */
function reasonLabel(lastError: string | null): string | null {
  if (!lastError) return null;
  if (lastError.startsWith('blocked')) return '对方已屏蔽机器人';
  if (lastError.startsWith('no sender configured')) return '该渠道未启用';
  if (lastError.startsWith('contact is no longer active')) return '联系人已停用';
  if (lastError.startsWith('gave up')) return '多次重试失败';
  return lastError.slice(0, 60);
}

export async function loadNoticeStatus(db: ReadDb, noticeId: number): Promise<NoticeStatusReport | null> {
  const notice = await db.notice.findUnique({
    where: { id: noticeId },
    include: {
      recipients: {
        include: {
          contact: { select: { name: true } },
          servicePoint: { select: { town: true, name: true } },
        },
      },
    },
  });
  if (!notice) return null;
  const outbox = await db.outboxMessage.findMany({
    where: { noticeId, purpose: 'notice' },
    select: { contactId: true, status: true, lastError: true, channel: true },
  });
  const byContact = new Map(outbox.map((o) => [o.contactId, o]));
  const unsent = notice.recipients.filter((r) => !r.acknowledgedAt && !['delivered', 'unreachable', 'failed'].includes(byContact.get(r.contactId)?.status ?? '')).map((r) => r.contactId);
  const reachability = await loadReachability(db, unsent);
  const audience = parseAudienceJson(notice.audience);
  const pointNames =
    audience.kind === 'points'
      ? new Map(
          (await db.servicePoint.findMany({ where: { id: { in: audience.values } }, select: { id: true, town: true, name: true } })).map((p) => [
            p.id,
            `${p.town}${p.name}`,
          ]),
        )
      : new Map<number, string>();
  return {
    id: notice.id,
    title: notice.title,
    status: notice.status,
    audience: describeAudience(audience, pointNames),
    sentAt: notice.sentAt,
    scheduledFor: notice.scheduledFor,
    deadline: notice.deadline,
    recipients: notice.recipients
      .map((r) => {
        const o = byContact.get(r.contactId);
        const state = classifyRecipient(r.acknowledgedAt, o, reachability.get(r.contactId));
        return {
          contactId: r.contactId,
          contactName: r.contact.name,
          town: r.servicePoint.town,
          pointName: r.servicePoint.name,
          state,
          delivered: state === 'acknowledged' || o?.status === 'delivered',
          reason: state === 'failed' ? (reasonLabel(o?.lastError ?? null) ?? (reachability.get(r.contactId) === 'blocked' ? '对方已屏蔽机器人' : null)) : null,
          channel: o?.status === 'delivered' ? o.channel : null,
        };
      })
      .sort((a, b) => a.town.localeCompare(b.town, 'zh-Hans-CN') || a.pointName.localeCompare(b.pointName, 'zh-Hans-CN') || a.contactId - b.contactId),
  };
}

const STATUS_LABELS: Record<string, string> = { draft: '草稿', scheduled: '定时待发', sent: '已发出', cancelled: '已取消' };
const ORDER: RecipientState[] = ['acknowledged', 'delivered', 'failed', 'notBound', 'waiting'];

export function renderNoticeStatus(report: NoticeStatusReport): string {
  const count = (s: RecipientState) => report.recipients.filter((r) => r.state === s).length;
  const lines = [`通知 #${report.id}《${report.title}》`];
  const when =
    report.status === 'sent' && report.sentAt
      ? `（${localDateTimeString(report.sentAt)}）`
      : report.status === 'scheduled' && report.scheduledFor
        ? `（定于 ${localDateTimeString(report.scheduledFor)} 发送）`
        : '';
  lines.push(`状态：${STATUS_LABELS[report.status] ?? report.status}${when}；对象：${report.audience}`);
  if (report.deadline) lines.push(`领取截止：${localDateString(report.deadline)}`);
  const points = new Set(report.recipients.map((r) => `${r.town}/${r.pointName}`)).size;
  lines.push(
    `收件人 ${report.recipients.length} 人（${points} 个服务点）：已送达 ${report.recipients.filter((r) => r.delivered).length}，` +
      `已确认 ${count('acknowledged')}，发送失败 ${count('failed')}，未绑定 ${count('notBound')}，待发送 ${count('waiting')}`,
  );
  const byChannel = formatChannelCounts(report.recipients.map((r) => r.channel));
  if (byChannel) lines.push(`按渠道送达：${byChannel}`);
  const towns = [...new Set(report.recipients.map((r) => r.town))];
  for (const town of towns) {
    const inTown = report.recipients.filter((r) => r.town === town);
    lines.push(`【${town}】`);
    for (const state of ORDER) {
      const people = inTown.filter((r) => r.state === state);
      if (people.length === 0) continue;
      const names = people.map((r) => `${r.pointName}（${r.contactName}${r.reason ? `：${r.reason}` : ''}）`).join('、');
      lines.push(`  ${RECIPIENT_STATE_LABELS[state]} ${people.length}：${names}`);
    }
  }
  return lines.join('\n');
}
