// Traditional characters, homophone typos, short answers and acknowledgements, table-driven.
import { describe, expect, it } from 'vitest';
import { answerYesNo, fixDomainTypos, isAcknowledgement, isNoneAnswer, splitLines, toSimplified } from '../../bot/language/text.ts';

describe('toSimplified', () => {
  it.each([
    ['鎮級要幾台電腦', '镇级要几台电脑'],
    ['驗收要準備什麼', '验收要准备什么'],
    ['村級服務點', '村级服务点'],
    ['收到了，謝謝', '收到了，谢谢'],
    ['村级服务点要几台电脑', '村级服务点要几台电脑'],
    ['開放時長176小時', '开放时长176小时'],
  ])('%s', (text, simplified) => {
    expect(toSimplified(text)).toBe(simplified);
  });
});

describe('fixDomainTypos', () => {
  const vocabulary = ['电脑', '投影机', '投影', '验收', '服务点', '牌匾', '音箱', '宽带', '开放时长'];
  it.each([
    ['村级服务点要几台电恼', '村级服务点要几台电脑'],
    ['投映机要几台', '投影机要几台'],
    ['严收要准备什么', '验收要准备什么'],
    ['服务店有什么标准', '服务点有什么标准'],
    ['牌扁丢了', '牌匾丢了'],
    ['开放时常怎么算', '开放时长怎么算'],
    // nothing that merely sounds alike is rewritten without sharing a character with a vocabulary word
    ['店闹', '店闹'],
    ['今天天气很好', '今天天气很好'],
    ['电脑投影机都有', '电脑投影机都有'],
  ])('%s', (text, fixed) => {
    expect(fixDomainTypos(text, vocabulary)).toBe(fixed);
  });
  it('leaves text alone with no vocabulary', () => {
    expect(fixDomainTypos('电恼', [])).toBe('电恼');
  });
});

describe('answerYesNo', () => {
  it.each<[string, 'yes' | 'no' | null]>([
    ['是', 'yes'], ['是的', 'yes'], ['对', 'yes'], ['好的', 'yes'], ['可以', 'yes'], ['嗯嗯', 'yes'], ['OK', 'yes'],
    ['确认', 'yes'], ['好的，谢谢', 'yes'], ['没问题！', 'yes'], ['👍', 'yes'], ['對', 'yes'],
    ['不', 'no'], ['不是', 'no'], ['否', 'no'], ['不要', 'no'], ['不用了', 'no'], ['不对', 'no'], ['no', 'no'],
    ['是不是要盖章', null], ['120', null], ['你好', null], ['', null],
  ])('%s', (text, answer) => {
    expect(answerYesNo(text)).toBe(answer);
  });
});

describe('isNoneAnswer', () => {
  it.each<[string, boolean]>([
    ['没有', true], ['无', true], ['0', true], ['零', true], ['没', true], ['暂无', true], ['０', true], ['0场', true],
    ['一场都没有', true], ['本月没有', true], ['都没有。', true], ['没有的', true], ['無', true],
    ['120', false], ['没有电脑怎么办', false], ['有', false], ['10', false], ['', false],
  ])('%s', (text, none) => {
    expect(isNoneAnswer(text)).toBe(none);
  });
});

describe('isAcknowledgement', () => {
  it.each<[string, boolean]>([
    ['收到', true], ['收到了', true], ['收到了，谢谢', true], ['收到了谢谢', true], ['好的收到', true], ['好的，收到！', true],
    ['已阅', true], ['知道了', true], ['👌', true], ['👌🏻', true], ['OK', true], ['ok的', true], ['收到，谢谢老师', true],
    ['明白', true], ['收到🙏', true], ['已收到', true], ['收到了，辛苦了', true],
    ['好', false], ['谢谢', false], ['收到了吗', false], ['没收到', false], ['验收要准备什么', false], ['120', false], ['', false],
  ])('%s', (text, ack) => {
    expect(isAcknowledgement(text)).toBe(ack);
  });
});

describe('splitLines', () => {
  it('keeps the non-empty lines, trimmed', () => {
    expect(splitLines('开放天数22\n\n  开放时长176 \r\n服务人次120\r活动3场')).toEqual(['开放天数22', '开放时长176', '服务人次120', '活动3场']);
    expect(splitLines('  ')).toEqual([]);
  });
});
