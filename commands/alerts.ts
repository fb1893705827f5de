// 系统提醒: facts about a whole channel that the operators must act on. A logged-out bot account
// sends nothing until someone logs it in again, so every operator is told at once, through the
// outbox (which reaches them on another channel or by e-mail while this one is down).
import type { Capability } from '../bot/core/capability.ts';
import type { ChannelFact } from '../bot/core/types.ts';
import { CHANNEL_LABELS } from '../bot/channels/labels.ts';
import { localDateTimeString } from '../bot/time.ts';

/** what an operator does to bring the account back, by how the adapter logs in again */
const RECOVERY: Record<ChannelFact['recovery'], string> = {
  scanQr: '程序会自动重试登录；如需扫码，请查看运行机器人的服务器终端或日志中的登录二维码。',
};

export const alertsCapability: Capability = {
  name: 'alerts',
  async onChannelFact(ctx, fact) {
    if (fact.kind !== 'loggedOut') return null;
    const now = ctx.clock.now();
    const label = CHANNEL_LABELS[fact.channel] ?? fact.channel;
    return [
      {
        kind: 'alertOperators',
        // one alert per minute however often the account drops
        key: `alert:${fact.channel}-logout:${now.toISOString().slice(0, 16)}`,
        text: `【系统提醒】${label}机器人账号“${fact.account}”于 ${localDateTimeString(now)} 退出登录，${label}上的消息暂时收发不了。${RECOVERY[fact.recovery]}`,
        about: { action: 'channel.loggedOut', entity: 'Channel', entityId: fact.channel, detail: { account: fact.account } },
      },
    ];
  },
};
