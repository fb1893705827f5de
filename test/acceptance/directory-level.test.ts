// The directory level 镇文广中心: one per town, its contacts stamp applications, it is no service point.
import { describe, expect, it } from 'vitest';
import { DIRECTORY_HEADER, parseDirectoryTable } from '../../commands/directory/rows.ts';
import { isReportingPoint } from '../../scheduler/plan-types.ts';
import { isServicePointLevel, roleOfPointLevel } from '../../bot/domain.ts';

const header = [...DIRECTORY_HEADER];
const row = (town: string, point: string, level: string, mobile: string) => [town, point, level, '张三', '联络人', mobile, '', ''];

describe('镇文广中心 in the directory', () => {
  it('imports one per town, its contacts as usual', () => {
    const parsed = parseDirectoryTable([header, row('石龙镇', '石龙镇文广中心', '镇文广中心', '13800003001'), row('石龙镇', '石龙镇文广中心', '镇文广中心', '13800003002'), row('虎门镇', '虎门镇文广中心', '镇文广中心', '13800003003')]);
    expect(parsed.ok && parsed.rows.map((r) => [r.town, r.level])).toEqual([['石龙镇', 'townCultureCenter'], ['石龙镇', 'townCultureCenter'], ['虎门镇', 'townCultureCenter']]);
  });
  it('refuses a second one in the same town, naming the first', () => {
    const parsed = parseDirectoryTable([header, row('石龙镇', '石龙镇文广中心', '镇文广中心', '13800003001'), row('石龙镇', '石龙文化服务中心', '镇文广中心', '13800003002')]);
    expect(parsed).toEqual({ ok: false, problems: [{ sheet: null, row: 3, reason: '石龙镇已有镇文广中心“石龙镇文广中心”（第 2 行），每个镇街只能有一个镇文广中心' }] });
  });
  it('needs its town', () => {
    const parsed = parseDirectoryTable([header, row('', '文广中心', '镇文广中心', '13800003001')]);
    expect(!parsed.ok && parsed.problems[0]!.reason).toContain('必须填写所属镇街');
  });
  it.each([['town', true], ['village', true], ['school', true], ['enterprise', true], ['subCenter', false], ['townCultureCenter', false]])(
    '%s is a service point that reports monthly: %s',
    (level, expected) => {
      expect(isServicePointLevel(level)).toBe(expected);
      expect(isReportingPoint({ id: 1, town: '石龙镇', name: 'x', level, parentId: null })).toBe(expected);
    },
  );
  it('gives its contacts no operator rights', () => expect(roleOfPointLevel('townCultureCenter')).not.toBe('operator'));
});
