// Two working weeks after receipt, with China's public holidays and make-up working days (调休).
// Expected dates are counted by hand from the State Council's 2026 schedule.
import { describe, expect, it } from 'vitest';
import { addWorkingDays, buildCalendar, chinaCalendar, inspectionDeadline, isWorkingDay } from '../../bot/workdays.ts';

const cal = chinaCalendar();

describe('working days of 2026', () => {
  it.each([
    ['2026-02-14', true, 'Saturday, Spring Festival make-up day'],
    ['2026-02-16', false, 'Monday in the Spring Festival holiday'],
    ['2026-02-23', false, 'last day of the Spring Festival holiday'],
    ['2026-02-24', true, 'Tuesday after it'],
    ['2026-02-28', true, 'Saturday, make-up day'],
    ['2026-03-01', false, 'an ordinary Sunday'],
    ['2026-09-20', true, 'Sunday, National Day make-up day'],
    ['2026-10-01', false, 'National Day'],
    ['2026-10-07', false, 'last day of the National Day holiday'],
    ['2026-10-10', true, 'Saturday, make-up day'],
    ['2026-10-11', false, 'an ordinary Sunday'],
  ])('%s is a working day: %s (%s)', (day, expected) => {
    expect(isWorkingDay(cal, day)).toBe(expected);
  });
});

describe('the inspection deadline: ten working days after receipt', () => {
  it.each([
    // 11,12,13, 14(Sat make-up), [15–23 holiday], 24,25,26,27, 28(Sat make-up), 3-02
    ['across the Spring Festival and both its make-up Saturdays', '2026-02-10', '2026-03-02', '2026-02-27'],
    // 28,29,30, [10-1..7 holiday], 8,9, 10(Sat make-up), 12,13,14,15
    ['across the National Day holiday and its make-up Saturday', '2026-09-24', '2026-10-15', '2026-10-13'],
    // 20 (Sun make-up), 21,22,23,24, [25–27 Mid-autumn], 28,29,30, [10-1..7], 8,9
    ['across Mid-autumn and National Day from a Friday before the make-up Sunday', '2026-09-18', '2026-10-09', '2026-09-30'],
    ['an ordinary fortnight', '2026-11-02', '2026-11-16', '2026-11-12'],
    ['received on a Saturday', '2026-11-07', '2026-11-20', '2026-11-18'],
  ])('%s: received %s, inspect by %s, operators reminded %s', (_, received, deadline, remindOn) => {
    expect(inspectionDeadline(cal, received)).toEqual({ deadline, remindOn, uncoveredYears: [] });
  });

  it('counts a year the data does not cover Monday to Friday, and says which year', () => {
    // chinese-days 1.5.7 ships holidays up to 2026; 2027's are not in it
    expect(cal.coveredYears.has(2026)).toBe(true);
    expect(cal.coveredYears.has(2027)).toBe(false);
    const d = inspectionDeadline(cal, '2026-12-28');
    expect(d).toEqual({ deadline: '2027-01-11', remindOn: '2027-01-07', uncoveredYears: [2027] });
  });

  it('uses a year an operator added (2027 New Year: 1 Jan a holiday)', () => {
    const added = chinaCalendar({ holidays: ['2027-01-01'], workdays: [] });
    expect(inspectionDeadline(added, '2026-12-28')).toEqual({ deadline: '2027-01-12', remindOn: '2027-01-08', uncoveredYears: [] });
  });

  it('counts back as well as forward', () => {
    const small = buildCalendar(['2030-05-01'], ['2030-05-04']);
    expect(addWorkingDays(small, '2030-05-06', -2).day).toBe('2030-05-03');
    expect(addWorkingDays(small, '2030-05-02', -1).day).toBe('2030-04-30');
  });
});
