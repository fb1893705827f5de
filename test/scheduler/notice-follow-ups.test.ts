// Notice follow-ups as a pure function: the day before the deadline, the deadline day.
import { describe, expect, it } from 'vitest';
import { fromLocal } from '../../bot/time.ts';
import { planNoticeFollowUps, type FollowUpNotice } from '../../scheduler/notice-follow-ups.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../../scheduler/settings.ts';
import type { DirectoryState } from '../../scheduler/plan-types.ts';
import { deadlineInstant } from '../../commands/notice/model.ts';

const S = DEFAULT_REMINDER_SETTINGS;

const directory: DirectoryState = {
  points: [
    { id: 10, town: '石龙镇', name: '石龙镇图书馆', level: 'town', parentId: null },
    { id: 11, town: '石龙镇', name: '西湖村', level: 'village', parentId: 10 },
    { id: 12, town: '石龙镇', name: '示例二村', level: 'village', parentId: 10 },
    { id: 13, town: '石龙镇', name: '示例三村', level: 'village', parentId: 10 },
    { id: 20, town: '虎门镇', name: '虎门镇图书馆', level: 'town', parentId: null },
    { id: 21, town: '虎门镇', name: '示例村', level: 'village', parentId: 20 },
  ],
  contacts: [
    { id: 110, servicePointId: 10, name: '孙镇联', role: 'liaison' },
    { id: 111, servicePointId: 11, name: '周村联', role: 'liaison' },
    { id: 112, servicePointId: 11, name: '周二', role: 'reporter' },
    { id: 120, servicePointId: 12, name: '吴村联', role: 'liaison' },
    { id: 130, servicePointId: 13, name: '未绑定', role: 'liaison' },
    { id: 200, servicePointId: 20, name: '冯镇联', role: 'liaison' },
    { id: 210, servicePointId: 21, name: '陈村联', role: 'liaison' },
  ],
};

const notice = (overrides: Partial<FollowUpNotice> = {}): FollowUpNotice => ({
  id: 7,
  title: '视频讲座资源',
  body: '正文',
  fetchMethod: 'ftp',
  fetchAddress: 'ftp://example',
  deadline: deadlineInstant('2026-12-10'),
  sentAt: fromLocal(2026, 12, 1, 10),
  recipients: [
    // 西湖村: one of two contacts acknowledged, so the point has
    { contactId: 111, servicePointId: 11, acknowledged: true, delivery: 'delivered' },
    { contactId: 112, servicePointId: 11, acknowledged: false, delivery: 'delivered' },
    { contactId: 120, servicePointId: 12, acknowledged: false, delivery: 'delivered' },
    { contactId: 130, servicePointId: 13, acknowledged: false, delivery: 'unreachable' },
    { contactId: 210, servicePointId: 21, acknowledged: true, delivery: 'delivered' },
  ],
  ...overrides,
});

describe('planNoticeFollowUps', () => {
  it('plans nothing before 09:00 of the day before the deadline', () => {
    expect(planNoticeFollowUps(fromLocal(2026, 12, 9, 8, 59), S, directory, [notice()])).toEqual([]);
    expect(planNoticeFollowUps(fromLocal(2026, 12, 5, 12), S, directory, [notice()])).toEqual([]);
  });

  it('the day before: reminds the reached recipients of points nobody acknowledged, with the 收到 button', () => {
    const planned = planNoticeFollowUps(fromLocal(2026, 12, 9, 9), S, directory, [notice()]);
    expect(planned.map((p) => p.dedupeKey)).toEqual(['noticeReminder:7:contact:120']);
    expect(planned[0]!.choices).toEqual([{ label: '收到', value: 'notice:ack:7' }]);
    expect(planned[0]!.text).toContain('领取截止日期是明天（2026年12月10日）');
    expect(planned[0]!.noticeId).toBe(7);
  });

  it('does not remind of a notice sent on the reminder day itself', () => {
    const fresh = notice({ sentAt: fromLocal(2026, 12, 9, 8) });
    expect(planNoticeFollowUps(fromLocal(2026, 12, 9, 10), S, directory, [fresh])).toEqual([]);
  });

  it('the deadline day: the town contact gets its villages that have not acknowledged', () => {
    const planned = planNoticeFollowUps(fromLocal(2026, 12, 10, 9), S, directory, [notice()]);
    expect(planned.map((p) => p.dedupeKey)).toEqual(['noticeEscalation:7:contact:110']);
    const text = planned[0]!.text;
    expect(text).toContain('以下 2 个服务点尚未确认收到');
    expect(text).toContain('· 示例二村');
    expect(text).toContain('· 示例三村（尚未绑定机器人，通知未能送达）');
    expect(text).not.toContain('西湖村');
  });

  it('stops after the deadline day plus the catch-up days', () => {
    expect(planNoticeFollowUps(fromLocal(2026, 12, 11, 23), S, directory, [notice()])).toHaveLength(1);
    expect(planNoticeFollowUps(fromLocal(2026, 12, 12, 0, 1), S, directory, [notice()])).toEqual([]);
  });
});
