// Acknowledgements in words, only where a notice awaits one, table-driven.
import { describe, expect, it } from 'vitest';
import { acknowledgementScore, nothingToAcknowledge } from '../../commands/notice/acknowledge.ts';

describe('acknowledgement', () => {
  it.each<[string, number, number]>([
    ['收到', 1, 0.9], ['收到了，谢谢', 1, 0.9], ['好的收到', 2, 0.9], ['已阅', 1, 0.9], ['知道了', 1, 0.9], ['👌', 1, 0.9], ['OK', 1, 0.9],
    ['收到', 0, 0.5], ['收到了谢谢', 0, 0.5],
    ['验收要准备什么', 1, 0], ['服务人次120', 1, 0], ['没收到', 1, 0], ['收到了吗', 1, 0],
  ])('%s with %d pending scores %d', (text, pending, score) => {
    expect(acknowledgementScore(text, pending)).toBe(score);
  });
  it('says there is nothing to confirm, and what was confirmed last', () => {
    expect(nothingToAcknowledge({ title: '12月资源发放' })).toBe('没有待确认的通知。您已确认过《12月资源发放》，谢谢！');
    expect(nothingToAcknowledge(null)).toContain('没有待确认的通知');
  });
});
