// What people ask of the report in words, table-driven.
import { describe, expect, it } from 'vitest';
import { readReportIntent } from '../../commands/report/intents.ts';

describe('report intents', () => {
  it.each<[string, ReturnType<typeof readReportIntent>]>([
    ['我要改月报', 'correct'],
    ['上个月的月报报错了', 'correct'],
    ['月报填错了，怎么改', 'correct'],
    ['我想修改一下上个月报的数据', 'correct'],
    ['数据报错了', 'correct'],
    ['10月份的数字写错了', 'correct'],
    ['能不能重新报', null],
    ['這個月沒有數據', 'nothingToReport'],
    ['这个月没有数据', 'nothingToReport'],
    ['上个月没什么可报的', 'nothingToReport'],
    ['本月暂无数据', 'nothingToReport'],
    ['什么都没开展', 'nothingToReport'],
    ['哪些村还没报？', 'whoIsMissing'],
    ['还有谁没报', 'whoIsMissing'],
    ['哪几个村没有上报', 'whoIsMissing'],
    ['没报的村有哪些', 'whoIsMissing'],
    ['10月哪些服务点还没交', 'whoIsMissing'],
    ['服务人次改成130', null],
    ['本月没有活动', null],
    ['村级服务点需要几台电脑？', null],
    ['收到', null],
    ['你好', null],
  ])('%s', (text, intent) => {
    expect(readReportIntent(text)).toBe(intent);
  });
});
