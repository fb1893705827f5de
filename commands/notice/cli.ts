// gxgc notice send ... | status ID | list | revoke ID: the operator's notices from the command line.
// The rows go into the outbox; the running bot's worker delivers them (it polls the table).
import { parseArgs } from 'node:util';
import { listNotices, noticeListLine } from './list.ts';
import type { CliDeps } from '../../bot/cli.ts';
import { localDateTimeString } from '../../bot/time.ts';
import { parseLevels, parsePoints, parseTowns, previewNotice } from './compose.ts';
import { databaseQueries } from '../../bot/db/queries.ts';
import { NoticeDraftSchema, parseFetchMethod, parseLocalDate, parseLocalDateTime, formatLocalDate, type Audience } from './model.ts';
import { cancelScheduledNoticeSteps, createNotice, releaseNotice } from '../../bot/db/notice-store.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { loadNoticeStatus, renderNoticeStatus } from './status.ts';

const USAGE = [
  '用法：',
  '  notice send --title 标题 --body 正文 [--fetch 硬盘拷贝|vpn|ftp] [--address 地址] [--deadline YYYY-MM-DD]',
  '              (--all | --level 村级,镇级 | --towns 莞城街道,石龙镇 | --points 镇街/服务点,...)',
  '              [--at "YYYY-MM-DD HH:mm"] [--yes]',
  '      不加 --yes 只显示预览和收件人数；加 --yes 才发出（或按 --at 定时）',
  '  notice status 编号     送达、确认、失败、未绑定情况（按镇街）',
  '  notice list            最近的通知',
  '  notice revoke 编号     撤销尚未发送的定时通知',
].join('\n');

export async function runNoticeCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'send':
      return send(rest, deps);
    case 'status': {
      const id = Number(rest[0]?.replace(/^#/, ''));
      if (!Number.isInteger(id) || id <= 0) {
        deps.out('请写通知编号，例如：notice status 3（notice list 可查看编号）。');
        return 2;
      }
      const report = await loadNoticeStatus(deps.db, id);
      if (!report) {
        deps.out(`没有编号为 ${id} 的通知。`);
        return 1;
      }
      for (const line of renderNoticeStatus(report).split('\n')) deps.out(line);
      return 0;
    }
    case 'list': {
      const notices = await listNotices(deps.db, 20);
      if (notices.length === 0) deps.out('还没有通知。');
      for (const n of notices) deps.out(noticeListLine(n));
      return 0;
    }
    case 'revoke': {
      const id = Number(rest[0]?.replace(/^#/, ''));
      let cancelled = false;
      // the chat's /notice cancel runs the same statements (with its audit row)
      if (Number.isInteger(id) && id > 0) await sqlOf(deps.db).batch(cancelScheduledNoticeSteps(id, { at: deps.clock.now(), actorContactId: null, actor: 'cli' }, (done) => (cancelled = done)));
      deps.out(cancelled ? `定时通知 #${id} 已撤销。` : `通知 #${rest[0] ?? ''} 不是待发送的定时通知。`);
      return cancelled ? 0 : 1;
    }
    default:
      deps.out(USAGE);
      return verb ? 2 : 0;
  }
}

async function send(argv: string[], deps: CliDeps): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        title: { type: 'string' },
        body: { type: 'string' },
        fetch: { type: 'string' },
        address: { type: 'string' },
        deadline: { type: 'string' },
        all: { type: 'boolean' },
        level: { type: 'string' },
        towns: { type: 'string' },
        points: { type: 'string' },
        at: { type: 'string' },
        yes: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    deps.out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const problems: string[] = [];
  const fetchMethod = values.fetch ? parseFetchMethod(values.fetch) : null;
  if (values.fetch && !fetchMethod) problems.push(`--fetch 应为 硬盘拷贝、vpn 或 ftp，收到：${values.fetch}`);
  const deadline = values.deadline ? parseLocalDate(values.deadline) : null;
  if (values.deadline && !deadline) problems.push(`--deadline 应为 YYYY-MM-DD，收到：${values.deadline}`);
  const at = values.at ? parseLocalDateTime(values.at) : null;
  if (values.at && !at) problems.push(`--at 应为 "YYYY-MM-DD HH:mm"（东莞时间），收到：${values.at}`);
  if (at && at.getTime() <= deps.clock.now().getTime()) problems.push(`--at ${values.at} 已经过去了`);

  const chosen = [values.all && 'all', values.level && 'level', values.towns && 'towns', values.points && 'points'].filter(Boolean);
  let audience: Audience | null = null;
  if (chosen.length !== 1) problems.push('请用且只用一个发送对象：--all、--level、--towns 或 --points');
  else if (values.all) audience = { kind: 'all', values: [] };
  else {
    const parsed = values.level
      ? parseLevels(values.level)
      : values.towns
        ? await parseTowns(databaseQueries(deps.db).notices, values.towns)
        : await parsePoints(databaseQueries(deps.db).notices, values.points!);
    if (!parsed.ok) problems.push(parsed.error);
    else audience = { kind: chosen[0], values: parsed.value } as Audience;
  }
  const draft = NoticeDraftSchema.safeParse({
    title: values.title ?? '',
    body: values.body ?? '',
    fetchMethod,
    fetchAddress: values.address ?? null,
    deadline: deadline ? formatLocalDate(deadline) : null,
    audience: audience ?? { kind: 'all', values: [] },
    scheduledFor: at ? at.toISOString() : null,
  });
  if (!draft.success) problems.push(...draft.error.issues.map((i) => `--${String(i.path[0])}：${i.message}`));
  if (problems.length > 0 || !draft.success) {
    deps.out(`通知没有发出，请修改：\n  ${problems.join('\n  ')}\n${USAGE}`);
    return 2;
  }
  const preview = await previewNotice(databaseQueries(deps.db).notices, draft.data);
  for (const line of preview.text.split('\n')) deps.out(line);
  if (preview.recipients === 0) {
    deps.out('这个发送对象没有任何联系人，通知没有发出。');
    return 1;
  }
  if (!values.yes) {
    deps.out('（预览，未发出。确认无误后加上 --yes 再运行一次。）');
    return 0;
  }
  const now = deps.clock.now();
  const notice = await createNotice(deps.db, draft.data, null, now);
  if (notice.status === 'scheduled') {
    deps.out(`已安排通知 #${notice.id} 在 ${localDateTimeString(notice.scheduledFor!)} 发送（由运行中的机器人发出）。`);
    return 0;
  }
  const { recipients } = await releaseNotice(deps.db, notice.id, now);
  deps.out(`通知 #${notice.id} 已写入发送队列，共 ${recipients} 人；运行中的机器人会在一分钟内发出。用 notice status ${notice.id} 查看情况。`);
  return 0;
}
