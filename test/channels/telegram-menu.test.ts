// A chat's command menu across restarts: the Telegram channel records a digest of the menu it set for
// a chat (ChannelIdentity.menuDigest), so a new process sets only the menus that are not what the chat's
// role now shows; a bound chat writing after a restart costs no setMyCommands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bot/channels/telegram.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { TEST_TOKEN, startEmulator, textOf, type Emulator } from './support/telegram-emulator.ts';
import { waitFor } from './support/fixtures.ts';
import { captureLogs } from '../support/log-capture.ts';

const capture = captureLogs();
afterAll(() => {
  capture.stop();
  capture.expectNoSecrets([TEST_TOKEN]);
});

const VILLAGE = 7102;
const STRANGER = 7103;

describe.each(TEST_PROVIDERS)('Telegram command menus across restarts on %s', (provider) => {
  let emulator: Emulator;
  let bot: TestBot;
  let channel: TelegramChannel | null = null;

  async function restart(): Promise<void> {
    await channel?.stop();
    channel = createTelegramChannel({ config: { token: TEST_TOKEN, apiRoot: emulator.apiRoot, port: 0 }, core: bot.core, db: bot.db, clock: bot.clock, log: capture.log });
    await channel.start();
  }

  const chatMenus = (chatId: number) => emulator.menus.filter((m) => m.scope?.type === 'chat' && m.scope.chat_id === chatId);
  const storedDigest = async (chatId: number) =>
    (await bot.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'telegram', externalId: String(chatId) } } })).menuDigest;

  /** a message and its reply; the chat's earlier updates, menu included, are handled by then (one update per chat at a time) */
  async function say(chatId: number, text: string): Promise<string> {
    const chat = emulator.chat(chatId);
    await chat.command(text);
    return textOf(await chat.receive());
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    bot = await createTestBot({ provider });
    await restart();
  });

  afterAll(async () => {
    await channel?.stop();
    await emulator?.stop();
    await bot?.close();
  });

  it('sets a bound chat’s menu once, and not again after a restart', async () => {
    const chat = emulator.chat(VILLAGE);
    await chat.shareContact(`+86${DEMO.shilongVillage1}`);
    expect(textOf(await chat.receive())).toContain('绑定成功');
    const menu = await waitFor(() => chatMenus(VILLAGE)[0], 'the chat’s menu');
    expect(menu.commands.map((c) => c.command)).toContain('report');
    await waitFor(async () => (await storedDigest(VILLAGE)) ?? undefined, 'the menu’s digest');

    await restart();
    // the digest comes with the identity the core reads for the message: no query of its own
    const sql = sqlOf(bot.db);
    const query = sql.query;
    const queries: string[] = [];
    (sql as { query: typeof query }).query = (text, params) => {
      queries.push(text);
      return query(text, params);
    };
    try {
      expect(await say(VILLAGE, '/help')).toContain('/report');
    } finally {
      (sql as { query: typeof query }).query = query;
    }
    expect(queries.some((text) => text.includes('"menuDigest"') && text.includes('ChannelIdentity'))).toBe(true);
    expect(queries.filter((text) => /^SELECT "menuDigest"/.test(text.trim()))).toEqual([]);
    expect(await say(VILLAGE, '/whoami')).toContain('示例一村');
    expect(chatMenus(VILLAGE)).toHaveLength(1);
  });

  it('sets the menu again after a restart when the stored one is not the role’s menu as this bot sets it', async () => {
    const digest = await storedDigest(VILLAGE);
    await channel?.stop();
    await bot.db.channelIdentity.update({ where: { channel_externalId: { channel: 'telegram', externalId: String(VILLAGE) } }, data: { menuDigest: 'an older menu' } });
    await restart();
    await say(VILLAGE, '/help');
    const menus = await waitFor(() => (chatMenus(VILLAGE).length === 2 ? chatMenus(VILLAGE) : undefined), 'the menu set again');
    expect(menus[1]!.commands).toEqual(menus[0]!.commands);
    expect(await waitFor(async () => ((await storedDigest(VILLAGE)) === digest ? digest : undefined), 'the digest recorded again')).toBe(digest);
  });

  it('gives an unbound chat the default menu without setting one for it, across restarts', async () => {
    expect(await say(STRANGER, '/help')).toContain('您的身份：未绑定用户');
    await restart();
    expect(await say(STRANGER, '/help')).toContain('您的身份：未绑定用户');
    expect(chatMenus(STRANGER)).toHaveLength(0);
    expect(await storedDigest(STRANGER)).toBeNull();
  });
});
