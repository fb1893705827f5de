// 通信名录 in chat: operators see how many points and contacts there are per level and per town,
// and how many contacts have bound a chat.
import { OPERATOR_ONLY, type Capability } from '../../bot/core/capability.ts';
import { directoryOverview, formatOverview } from './store.ts';

export const directoryCapability: Capability = {
  name: 'directory',
  commands: [
    {
      name: 'directory',
      aliases: ['名录', '通信名录'],
      description: '通信名录概况（各级别、各镇街的服务点和联系人数，已绑定人数）',
      roles: OPERATOR_ONLY,
      async run(ctx) {
        return [{ text: formatOverview(await directoryOverview(ctx.db)) }];
      },
    },
  ],
};
