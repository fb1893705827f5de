// The core as every channel sees it: roles, help, commands and aliases, choices, limits, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, FLOOD_LIMIT, MAX_MESSAGE_CHARS, normaliseText } from '../../bot/core/pipeline.ts';
import { silentLogger } from '../../bot/logger.ts';
import { z } from 'zod';
import { withEffects, type Capability, type CommandSpec } from '../../bot/core/capability.ts';
import { oneOf } from '../../bot/core/answers.ts';
import { startDialogue, step, type Dialogue } from '../../bot/core/dialogue.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

describe('normalising text', () => {
  it.each([
    ['  服务人次１２０，开放天数２２  ', '服务人次120,开放天数22'],
    ['／ｈｅｌｐ', '/help'],
    ['a\u200Bb\n\nc', 'ab c'],
  ])('%j → %j', (raw, expected) => expect(normaliseText(raw)).toBe(expected));
});

describe.each(TEST_PROVIDERS)('the core on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot.close());

  it('gives each role the help of its own commands', async () => {
    const unknown = await (await bot.chat()).say('/help');
    expect(unknown).toContain('您的身份：未绑定用户');
    expect(unknown).toContain('/bind');
    expect(unknown).not.toContain('/directory');
    const village = await (await bot.chat(DEMO.shilongVillage1)).say('帮助');
    expect(village).toContain('村（居）/学校/企业服务点联系人');
    expect(village).not.toContain('/directory');
    const town = await (await bot.chat(DEMO.shilongTown)).say('/help');
    expect(town).toContain('镇（街）服务点联系人');
    const operator = await (await bot.chat(DEMO.operator)).say('/help');
    expect(operator).toContain('市支中心管理员');
    expect(operator).toContain('/directory 或 名录');
  });

  it('answers commands written with @botname, in capitals and with full-width characters', async () => {
    const chat = await bot.chat(DEMO.shilongVillage1);
    expect(await chat.say('/whoami@gxgc_bot')).toContain('周村联');
    expect(await chat.say('／ＷＨＯＡＭＩ')).toContain('周村联');
    expect(await chat.say('我是谁')).toContain('石龙镇 示例一村（村级）的联络人');
  });

  it('tells an unknown chat to bind before using a contact’s command', async () => {
    const text = await (await bot.chat()).say('名录');
    expect(text).toContain('需要先绑定');
    expect(text).toContain('/bind 邀请码');
  });

  it('names an unknown command and points to help', async () => {
    expect(await (await bot.chat()).say('/nosuch 1 2')).toBe('没有“/nosuch”这个命令。发送 /help 查看可用的命令。');
  });

  it('answers an empty or over-long message without storing anything', async () => {
    const chat = await bot.chat(DEMO.shilongVillage1);
    expect(await chat.say('   ')).toContain('空消息');
    const long = await chat.say('字'.repeat(10_000));
    expect(long).toContain('消息太长了（10000 字）');
    expect(long).toContain(`不超过 ${MAX_MESSAGE_CHARS} 字`);
  });

  it('rate limits a flooding chat with exactly one polite warning', async () => {
    const chat = await bot.chat();
    const replies: string[] = [];
    for (let i = 0; i < FLOOD_LIMIT.messages + 5; i++) replies.push(await chat.say('/whoami'));
    expect(replies.slice(0, FLOOD_LIMIT.messages).every((r) => r.includes('还没有绑定'))).toBe(true);
    expect(replies[FLOOD_LIMIT.messages]).toContain('发送得太快了');
    expect(replies.slice(FLOOD_LIMIT.messages + 1)).toEqual(['', '', '', '']);
    bot.clock.advance(FLOOD_LIMIT.windowMs + 1);
    expect(await chat.say('/whoami')).toContain('还没有绑定');
  });

  it('cancel says so when there is nothing to cancel', async () => {
    expect(await (await bot.chat()).say('取消')).toBe('当前没有进行中的操作。');
  });
});

describe('choices and dialogues in the core', () => {
  // a tiny capability, to test the core's mechanics without depending on a real one's wording
  const picked: string[] = [];
  const pollDialogue: Dialogue<{ asked: string; vote?: string }> = {
    name: 'poll',
    schema: z.object({ asked: z.string(), vote: z.string().optional() }),
    steps: [
      step<{ asked: string; vote?: string }, string>({
        id: 'vote',
        label: '投票',
        isAnswered: (s) => s.vote !== undefined,
        ask: (s) => `问题：${s.asked}`,
        answer: oneOf([{ label: '同意', value: 'yes' }, { label: '反对', value: 'no' }]),
        apply: (s, vote) => ({ ...s, vote }),
        reset: (s) => ({ asked: s.asked }),
      }),
    ],
    readBack: false,
    summary: () => '',
    async confirm(s) {
      picked.push(`${s.asked}=${s.vote}`);
      return { kind: 'done', outcome: [{ text: `已记录：${s.vote}` }] };
    },
    cancelled: () => '不投了',
    restartHint: '',
  };
  const pollCapability: Capability = {
    name: 'poll',
    commands: [
      {
        name: 'poll',
        aliases: ['投票'],
        description: 'test poll',
        roles: ['unknown'],
        async run(ctx) {
          return startDialogue(pollDialogue, ctx, { asked: ctx.args });
        },
      },
    ],
    dialogues: [pollDialogue],
    recognize: (ctx) => (ctx.text.includes('boom') ? 1 : 0),
    async handleText() {
      throw new Error('capability failed');
    },
  };

  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider: 'sqlite', directory: false });
  });
  afterAll(async () => bot.close());

  const core = () => createCore({ db: bot.db, clock: bot.clock, log: silentLogger, capabilities: [pollCapability] });

  it('maps a numbered reply to the offered choice, across a restart', async () => {
    await core().handleMessage({ channel: 'wechat', chatId: 'w1', text: '投票 午饭' });
    const restarted = createCore({ db: bot.restart().db, clock: bot.clock, log: silentLogger, capabilities: [pollCapability] });
    const replies = await restarted.handleMessage({ channel: 'wechat', chatId: 'w1', text: '2' });
    expect(replies[0]!.text).toBe('已记录：no');
    expect(picked).toContain('午饭=no');
  });

  it('maps a reply equal to a choice label, and leaves other text to the dialogue', async () => {
    await core().handleMessage({ channel: 'wechat', chatId: 'w2', text: '/poll 晚饭' });
    expect((await core().handleMessage({ channel: 'wechat', chatId: 'w2', text: '再想想' }))[0]!.text).toBe('没有看懂这条回复。\n问题：晚饭');
    expect((await core().handleMessage({ channel: 'wechat', chatId: 'w2', text: '同意' }))[0]!.text).toBe('已记录：yes');
  });

  it('reads a digit as text when no choice is pending', async () => {
    expect((await core().handleMessage({ channel: 'wechat', chatId: 'w3', text: '1' }))[0]!.text).toContain('没有听懂');
  });

  it('answers a stale choice politely', async () => {
    expect((await core().handleMessage({ channel: 'telegram', chatId: 't1', choice: 'gone:thing' }))[0]!.text).toContain('选项已经失效');
  });

  it('turns a failing capability into an apology, and keeps going', async () => {
    const replies = await core().handleMessage({ channel: 'wechat', chatId: 'w4', text: 'boom' });
    expect(replies[0]!.text).toContain('抱歉，处理您的消息时出了问题');
    expect((await core().handleMessage({ channel: 'wechat', chatId: 'w4', text: '/poll 再来' }))[0]!.text).toBe('问题：再来');
  });
});

describe.each(TEST_PROVIDERS)('effects whose replies declare their choices beforehand, on %s', (provider) => {
  // declared choices let the core write the conversation with the effects (one round trip on
  // PostgreSQL); the replies are then made after the commit
  const audit = (entityId: string) => [{ kind: 'audit' as const, action: 'test.declared', entity: 'Test', entityId }];
  const offered = [{ label: '好的', value: 'declared:ok' }];
  const command = (name: string, run: CommandSpec['run']) => ({ name, aliases: [], description: name, roles: ['unknown' as const], run });
  const declaring: Capability = {
    name: 'declared',
    commands: [
      command('declared', async () => withEffects(audit('declared'), () => [{ text: '记下了', choices: offered }], offered)),
      // declares none, then offers one after all: the conversation is written again with it
      command('undeclared', async () => withEffects(audit('undeclared'), () => [{ text: '记下了', choices: offered }], [])),
      command('unsaid', async () =>
        withEffects(audit('unsaid'), () => {
          throw new Error('replies failed');
        }, []),
      ),
    ],
    async onChoice(ctx) {
      return [{ text: `选了：${ctx.choice}` }];
    },
  };
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
  });
  afterAll(async () => bot.close());
  const core = () => createCore({ db: bot.db, clock: bot.clock, log: silentLogger, capabilities: [declaring] });
  const audited = (entityId: string) => bot.db.auditLog.count({ where: { action: 'test.declared', entityId } });

  it.each(['declared', 'undeclared'])('/%s: applies the effect and keeps the choice its reply offers for a typed number', async (name) => {
    const chatId = `declare-${name}`;
    expect((await core().handleMessage({ channel: 'wechat', chatId, text: `/${name}` }))[0]).toEqual({ text: '记下了', choices: offered });
    expect(await audited(name)).toBe(1);
    expect((await core().handleMessage({ channel: 'wechat', chatId, text: '1' }))[0]!.text).toBe('选了：ok');
  });

  it('says the effect was applied when its replies fail after the commit', async () => {
    const replies = await core().handleMessage({ channel: 'wechat', chatId: 'declare-unsaid', text: '/unsaid' });
    expect(replies[0]!.text).toContain('已经办理并保存');
    expect(await audited('unsaid')).toBe(1);
  });
});

describe.each(TEST_PROVIDERS)('a question in the middle of a report on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot.close());

  it('is answered, and the report dialogue goes on where it was', async () => {
    const chat = await bot.chat(DEMO.guanchengVillage1);
    expect(await chat.say('服务人次120，开放天数22')).toContain('开放时长');
    const answer = await chat.say('我们村要几台电脑？');
    expect(answer).toContain('电脑：2台');
    expect(answer).toContain('刚才的填写还没有完成');
    expect(await chat.say('176')).toContain('开放时长 176 小时');
    const summary = await chat.send('3');
    expect(summary.at(-1)!.choices?.length).toBeGreaterThan(0);
    // the summary's numbered choices survive a question in between
    expect(await chat.say('验收需要准备什么？')).toContain('验收清单');
    expect(await chat.say('1')).toContain('已收到');
    expect(await bot.db.monthlyReport.count({ where: { servicePoint: { name: '示例一社区' } } })).toBe(1);
  });
});
