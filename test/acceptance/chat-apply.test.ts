// The acceptance path in the chat, through the core on both databases: a village applies in a
// conversation (several fields in one message, the rest asked, a correction at the read-back), its
// 镇文广中心 returns it with a reason by the notification's button, the village resubmits, the
// centre confirms, and an operator receives, schedules and passes it by typed commands; each party's
// notification is in the outbox, and the printable form comes as a document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../bot/core/types.ts';
import { applicationRef } from '../../commands/acceptance/chat-steps.ts';
import { createTestBot, DEMO, type TestBot, type TestChat } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';

const CENTER_MOBILE = '13800009001';
const texts = (replies: Reply[]) => replies.map((r) => r.text).join('\n');

async function answerUntilReadBack(chat: TestChat, first: Reply[]): Promise<string> {
  let text = texts(first);
  for (let i = 0; i < 12 && !text.includes('【验收申请表'); i++) text = texts(await chat.send('跳过'));
  return text;
}

describe.each(TEST_PROVIDERS)('the acceptance application in the chat on %s', (provider) => {
  let bot: TestBot;
  let centerContactId: number;
  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
    const center = await bot.db.servicePoint.create({ data: { town: '石龙镇', name: '石龙镇文广中心', level: 'townCultureCenter' } });
    centerContactId = (await bot.db.contact.create({ data: { servicePointId: center.id, name: '文广张', role: 'liaison', mobile: CENTER_MOBILE } })).id;
  });
  afterAll(async () => bot?.close());

  const outboxFor = (contactId: number) => bot.db.outboxMessage.findMany({ where: { contactId, purpose: 'acceptance' }, orderBy: { id: 'asc' } });

  it('goes from the first question to the plaque', async () => {
    // a 党员远程教育基层点 is told so before any question (二（二）1)
    const other = await bot.chat(DEMO.shilongVillage1);
    expect(await other.say('我们想申请验收')).toContain('党员远程教育基层点');
    const village = await bot.chat(DEMO.shilongVillage2);
    const villageContact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongVillage2 } });
    const start = await village.say('我们想申请验收');
    expect(start).toContain('验收申请表');
    expect(start).toContain('详细地址是什么'); // unit, contact and mobile came from the directory

    const many = await village.send('详细地址：石龙镇西湖村文化楼2楼；电脑5台，DVD播放机1台，电视机1台，投影机1套，有源音箱2台，上网方式：光纤20M，场所面积：60平方米，专职工作人员1名，总投入资金3万元');
    const readBack = await answerUntilReadBack(village, many);
    expect(readBack).toContain('详细地址：石龙镇西湖村文化楼2楼');
    expect(readBack).toContain('电脑：5台');
    expect(readBack).toMatch(/“3万元”按30,?000元记录/); // the interpretation is said before anything is stored
    expect(readBack).toContain('对照附件1');
    expect(readBack).toContain('取自通信名录');

    const corrected = await village.say('电视机改成2台');
    expect(corrected).toContain('电视机：2台');
    expect(await bot.db.acceptanceApplication.count()).toBe(0);

    const done = await village.choose('确认提交');
    expect(texts(done)).toMatch(/已提交验收申请 #\d+/);
    const app = await bot.db.acceptanceApplication.findFirstOrThrow({ include: { versions: true } });
    expect(app.state).toBe('applied');
    expect(JSON.parse(app.versions[0]!.form)).toMatchObject({ tvs: 2, computers: 5, totalInvestment: 30000, address: '石龙镇西湖村文化楼2楼' });

    // the centre's notification carries the buttons; another point's contact may not press them
    const [toCenter] = await outboxFor(centerContactId);
    expect(toCenter!.text).toContain(`验收申请 #${app.id}`);
    const buttons = JSON.parse(toCenter!.choices) as { label: string; value: string }[];
    expect(buttons.map((b) => b.label)).toEqual(['确认盖章', '退回']);
    expect(texts(await other.pick(buttons[0]!.value))).toContain('只有该服务点所在镇街的镇文广中心');

    const center = await bot.chat(CENTER_MOBILE);
    expect(texts(await center.pick(buttons[1]!.value))).toContain('请写明退回');
    expect(texts(await center.send('场所面积与实际不符'))).toContain('已退回');
    expect((await bot.db.acceptanceApplication.findUniqueOrThrow({ where: { id: app.id } })).state).toBe('returned');
    const [returned] = (await outboxFor(villageContact.id)).filter((m) => m.text.includes('退回'));
    expect(returned!.text).toContain('场所面积与实际不符');

    // resubmission starts from the last version: only the change is said
    const again = await village.say('重新提交验收申请');
    expect(again).toContain('上一版');
    expect(again).toContain('电视机：2台');
    expect(await village.say('场所面积改成80平方米')).toContain('场所面积：80m²');
    expect(texts(await village.choose('确认提交'))).toContain(`已重新提交验收申请 #${app.id}（第2版）`);

    // as the notification says: "确认盖章" alone takes the one application awaiting the stamp
    expect(texts(await center.send('确认盖章'))).toContain(`验收申请 #${app.id}：已确认盖章`);
    expect(texts(await center.send('确认盖章'))).toContain('目前没有待确认盖章的验收申请');

    const operator = await bot.chat(DEMO.operator);
    expect(await operator.say(`收件 ${app.id}`)).toContain('现场验收期限：2026年11月16日');
    expect(await operator.say(`安排验收 ${app.id} 11月10日`)).toContain('安排现场验收');
    expect(await operator.say(`验收通过 ${app.id}`)).toContain('验收通过');
    const passed = await bot.db.acceptanceApplication.findUniqueOrThrow({ where: { id: app.id }, include: { servicePoint: true, versions: true } });
    expect(passed.state).toBe('passed');
    expect(passed.servicePoint.acceptanceStatus).toBe('accepted');
    expect(JSON.parse(passed.versions[1]!.form)).toMatchObject({ area: 80, tvs: 2 });
    expect((await outboxFor(villageContact.id)).some((m) => m.text.includes('现场验收通过'))).toBe(true);

    const form = await operator.send(`验收申请 ${app.id}`);
    expect(form[0]!.document?.filename).toBe(`验收申请表-${app.id}.xlsx`);
    expect(Buffer.from(form[0]!.document!.content).subarray(0, 2).toString()).toBe('PK');
    expect(texts(await other.send(`验收申请 ${app.id}`))).toContain('无权查看');
    expect(await operator.say('收件 999')).toContain('没有编号为 999');
  });

  it('keeps nothing when the applicant cancels, and refuses a second open application', async () => {
    const school = await bot.chat(DEMO.shilongSchool);
    expect(await school.say('验收申请')).toContain('详细地址');
    expect(await school.say('取消')).toContain('已取消，验收申请没有提交');
    const schoolPoint = (await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongSchool }, include: { servicePoint: true } })).servicePoint;
    expect(await bot.db.acceptanceApplication.count({ where: { servicePointId: schoolPoint.id } })).toBe(0);
    // a question about the process is still the standards capability's
    expect(await school.say('申请验收需要什么材料？')).not.toContain('详细地址是什么');
  });
});

describe('applicationRef', () => {
  it.each([
    ['3', { id: 3, rest: '' }],
    ['#12 12月15日', { id: 12, rest: '12月15日' }],
    ['5号，电脑台数不符', { id: 5, rest: '电脑台数不符' }],
    ['电脑台数不符', null],
    ['', null],
  ])('%s', (args, expected) => expect(applicationRef(args)).toEqual(expected));
});
