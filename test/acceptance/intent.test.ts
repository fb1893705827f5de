import { describe, expect, it } from 'vitest';
import { acceptanceIntent, type AcceptanceIntent } from '../../commands/acceptance/intent.ts';

describe('acceptance requests in a sentence', () => {
  it.each<[string, AcceptanceIntent]>([
    ['我们想申请验收', 'apply'],
    ['验收申请', 'apply'],
    ['申请验收', 'apply'],
    ['我村准备申报验收挂牌', 'apply'],
    ['我们要提交验收申请', 'apply'],
    ['整改完成了，重新提交验收申请', 'resubmit'],
    ['再次申请验收', 'resubmit'],
    ['我的验收申请', 'mine'],
    ['验收进度', 'mine'],
    ['我们的验收申请到哪一步了', 'mine'],
    ['申请验收需要什么材料？', null],
    ['验收需要准备什么？', null],
    ['提交申请后多久来验收？', null],
    ['验收申请表有哪些内容', null],
    ['怎么申请验收', null],
    ['服务人次120，开放天数22', null],
    ['村级服务点需要几台电脑？', null],
  ])('%s → %s', (text, intent) => {
    expect(acceptanceIntent(text)).toBe(intent);
  });
});
