// The directory's enumerations, with the Chinese words operators use in their spreadsheets.
import type { Role } from './core/types.ts';

export const POINT_LEVELS = ['subCenter', 'town', 'village', 'school', 'enterprise', 'townCultureCenter'] as const;
export type PointLevel = (typeof POINT_LEVELS)[number];

export const POINT_LEVEL_LABELS: Record<PointLevel, string> = {
  subCenter: '市支中心',
  town: '镇级',
  village: '村级',
  school: '学校',
  enterprise: '企业',
  townCultureCenter: '镇文广中心',
};

/**
 * The levels that are 基层服务点: they report monthly, get notices and apply for acceptance. The
 * sub-center's entry holds the operators; a 镇文广中心 (one per town) stamps its town's acceptance
 * applications (二（一）2) and is no service point itself.
 */
export const SERVICE_POINT_LEVELS = ['town', 'village', 'school', 'enterprise'] as const satisfies readonly PointLevel[];

export function isServicePointLevel(level: string): boolean {
  return (SERVICE_POINT_LEVELS as readonly string[]).includes(level);
}

export const CONTACT_ROLES = ['liaison', 'reporter', 'head', 'admin'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const CONTACT_ROLE_LABELS: Record<ContactRole, string> = {
  liaison: '联络人',
  reporter: '信息专报员',
  head: '负责人',
  admin: '管理员',
};

/** The town of the sub-center's own entry in the directory. */
export const SUB_CENTER_TOWN = '市支中心';

export function labelToLevel(label: string): PointLevel | undefined {
  return (Object.entries(POINT_LEVEL_LABELS) as [PointLevel, string][]).find(([, l]) => l === label)?.[0];
}

export function labelToContactRole(label: string): ContactRole | undefined {
  return (Object.entries(CONTACT_ROLE_LABELS) as [ContactRole, string][]).find(([, l]) => l === label)?.[0];
}

/** What a directory contact may do in chat follows from the level of their point. */
export function roleOfPointLevel(level: string): Role {
  if (level === 'subCenter') return 'operator';
  if (level === 'town') return 'townContact';
  return 'pointContact';
}

/** Chinese mainland mobile numbers, as written in spreadsheets: spaces, dashes and +86 are dropped. */
export function normaliseMobile(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}
