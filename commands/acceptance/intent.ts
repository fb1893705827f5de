// Which acceptance request a free sentence is: to apply ("我们想申请验收"), to resubmit, to see one's
// own application ("我的验收申请"), or none — a question about the process ("申请验收需要什么？") stays
// the standards capability's. Pure; general patterns, tested by a table of sentences.
import { foldText } from '../../bot/language/numbers.ts';

export type AcceptanceIntent = 'apply' | 'resubmit' | 'mine' | null;

// wanting to do it: 想 / 要 / 准备 / 申请 as the verb of the sentence
const WANT = /(我们|我|本点|我村|我镇|我校|我司|我单位)?(想|要|准备|打算|希望|可以)?(提交|提出|申报|申请|报)(一下|一份)?(验收|挂牌|验收挂牌|验收申请)/;
const ASKING = /需要|要求|什么|哪些|怎么|如何|多久|几天|流程|步骤|条件|吗|？|\?|材料|标准/;
const RESUBMIT = /(重新|再次|再)(提交|申请|报)(验收)?(申请)?|整改(完成|好了|完毕)/;
const MINE = /我的验收(申请)?|验收(申请)?(进度|到哪|怎么样了|状态)|我们的验收(申请)?/;

export function acceptanceIntent(text: string): AcceptanceIntent {
  const t = foldText(text).replace(/\s+/g, '');
  if (!t || t.length > 40) return null;
  if (MINE.test(t) && !/想|要|准备/.test(t)) return 'mine';
  if (RESUBMIT.test(t) && !ASKING.test(t)) return 'resubmit';
  if (/^验收申请$|^申请验收$/.test(t)) return 'apply';
  if (WANT.test(t) && !ASKING.test(t)) return 'apply';
  return null;
}
