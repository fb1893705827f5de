// What people ask of the report besides sending figures: to correct a report ("我要改月报", "上个月的月报
// 报错了"), to say there is nothing to report ("这个月没有数据": offered as 无新增, confirmed before it is
// stored), or which villages have not reported ("哪些村还没报？"). Pure: a text in, an intent out.
import { toSimplified } from '../../bot/language/text.ts';
import { foldText } from '../../bot/language/numbers.ts';

export type ReportIntent = 'correct' | 'nothingToReport' | 'whoIsMissing';

const REPORT_WORDS = '(?:月报|报表|数据|数字|报的|上报的|填的|报上去的|报送的)';
const CORRECT = new RegExp(
  `(?:改|修改|更改|更正|纠正|重报|重新报|重新填|补正)\\s*(?:一下|下)?\\s*(?:[^，,。]{0,8})?${REPORT_WORDS}|${REPORT_WORDS}[^，,。]{0,6}(?:报错|填错|写错|搞错|弄错|错了|有误|不对)|(?:报错|填错|写错|搞错|弄错)了?${REPORT_WORDS}?`,
);
// nothing at all to report: no figure of any field is named
const NOTHING = /(?:没有|没|无|暂无)(?:什么|啥)?(?:新的?|新增的?)?(?:数据|数字|可报的?|要报的?|东西报|可以报的?)|(?:数据|数字)(?:都)?(?:是)?(?:空的|为空|为零|都是0|都是零)|(?:什么|啥)都没(?:有|搞|办|开展)/;
const MISSING = /(?:哪些|哪个|哪几个|哪几|有谁|谁|还有)\s*(?:村|居|社区|服务点|点|单位|学校|企业)?\s*(?:还)?(?:没|未|没有)(?:报|上报|交|填报|提交)|(?:没|未)(?:报|上报|交|提交)的(?:村|服务点|有哪些|名单|是哪些)|(?:缺|差)(?:哪些|哪几个)(?:村|服务点)?(?:的)?(?:月报|没报)?/;

/** The report intent of a message, or null. Figures in the message win: "服务人次改成130" is a report. */
export function readReportIntent(text: string): ReportIntent | null {
  const t = toSimplified(foldText(text)).replace(/\s+/g, '');
  if (t.length === 0 || t.length > 60) return null;
  if (MISSING.test(t)) return 'whoIsMissing';
  // a figure with its unit, or a new value, makes it a report ("服务人次改成130"); a month number does not
  if (/\d+(?:人次|人|名|场|天|日(?!报)|小时|台|次)|(?:改成|改为|应为|应该是|是|为)[\d零一二两三四五六七八九十百千]/.test(t)) return null;
  if (CORRECT.test(t)) return 'correct';
  if (NOTHING.test(t)) return 'nothingToReport';
  return null;
}
