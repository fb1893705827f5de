import { describe, expect, it } from 'vitest';
import { DIRECTORY_HEADER, parseDirectoryTable } from '../../commands/directory/rows.ts';

const header = [...DIRECTORY_HEADER];
const good = ['石龙镇', '示例一村', '村级', '周村联', '联络人', '13800002101', '', '是'];

describe('reading the directory spreadsheet', () => {
  it('reads a good row into a point and a contact', () => {
    const parsed = parseDirectoryTable([header, good, ['', '东莞图书馆', '市支中心', '陈', '管理员', '+86 138-0000-0001', 'a@dglib.cn', '']]);
    expect(parsed).toEqual({
      ok: true,
      rows: [
        { town: '石龙镇', pointName: '示例一村', level: 'village', contactName: '周村联', role: 'liaison', mobile: '13800002101', landline: null, email: null, isPartyEducationPoint: true },
        { town: '市支中心', pointName: '东莞图书馆', level: 'subCenter', contactName: '陈', role: 'admin', mobile: '13800000001', landline: null, email: 'a@dglib.cn', isPartyEducationPoint: false },
      ],
    });
  });

  it('accepts the columns in any order', () => {
    const reordered = [7, 6, 5, 4, 3, 2, 1, 0];
    const parsed = parseDirectoryTable([reordered.map((i) => header[i]!), reordered.map((i) => good[i]!)]);
    expect(parsed.ok && parsed.rows[0]?.pointName).toBe('示例一村');
  });

  it.each([
    ['an unknown level', ['石龙镇', '示例一村', '省级', '周', '联络人', '13800002101', '', ''], '级别“省级”无法识别'],
    ['an unknown role', ['石龙镇', '示例一村', '村级', '周', '村长', '13800002101', '', ''], '角色“村长”无法识别'],
    ['a malformed mobile', ['石龙镇', '示例一村', '村级', '周', '联络人', '1380000210', '', ''], '手机号“1380000210”格式不对'],
    ['a malformed e-mail', ['石龙镇', '示例一村', '村级', '周', '联络人', '13800002101', 'not-mail', ''], '邮箱格式不对'],
    ['a missing contact name', ['石龙镇', '示例一村', '村级', '', '联络人', '13800002101', '', ''], '联系人姓名不能为空'],
    ['a party-education flag on a town point', ['石龙镇', '石龙镇图书馆', '镇级', '孙', '联络人', '13800002001', '', '是'], '只有村级服务点'],
    ['a bad yes/no', ['石龙镇', '示例一村', '村级', '周', '联络人', '13800002101', '', '也许'], '党员远程教育点应填'],
  ])('refuses %s, naming the row', (_, row, reason) => {
    const parsed = parseDirectoryTable([header, good.map((c, i) => (i === 5 ? '13900000000' : c)), row]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems).toHaveLength(1);
      expect(parsed.problems[0]!.row).toBe(3);
      expect(parsed.problems[0]!.reason).toContain(reason);
    }
  });

  it('refuses a mobile number listed twice, naming both rows', () => {
    const parsed = parseDirectoryTable([header, good, ['石龙镇', '示例二村', '村级', '吴', '联络人', '13800002101', '', '']]);
    expect(parsed).toEqual({ ok: false, problems: [{ sheet: null, row: 3, reason: expect.stringContaining('与第 2 行重复') }] });
  });

  it('refuses one point given two levels', () => {
    const parsed = parseDirectoryTable([header, good, ['石龙镇', '示例一村', '镇级', '吴', '联络人', '13800002109', '', '']]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]!.reason).toContain('在第 2 行是村级');
  });

  it('reports every bad row, not just the first', () => {
    const parsed = parseDirectoryTable([header, ['', 'a', '村级', 'x', '联络人', '1', '', ''], good, ['石龙镇', 'b', '县级', 'y', '联络人', '13800002109', '', '']]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.row)).toEqual([2, 4]);
  });

  it('names missing header columns', () => {
    const parsed = parseDirectoryTable([['镇街', '服务点'], good]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]!.reason).toContain('缺少列：级别、联系人、角色、手机、邮箱、党员远程教育点');
  });

  it('skips blank lines but refuses a file without contacts', () => {
    expect(parseDirectoryTable([header, ['', '', '', '', '', '', '', '']]).ok).toBe(false);
    const parsed = parseDirectoryTable([header, ['', '', '', '', '', '', '', ''], good]);
    expect(parsed.ok).toBe(true);
  });
});
