// The registry: every capability the core routes to. Order matters only for free text when two
// capabilities score the same.
import type { Capability, CommandSpec } from '../bot/core/capability.ts';
import { acceptanceCapability } from './acceptance/index.ts';
import { alertsCapability } from './alerts.ts';
import { assessmentCapability } from './assessment/index.ts';
import { bindCapability } from './bind.ts';
import { directoryCapability } from './directory/index.ts';
import { createHelpCapability } from './help.ts';
import { noticeCapability } from './notice/index.ts';
import { reportCapability } from './report/index.ts';
import { standardsCapability } from './standards/index.ts';

export function createCapabilities(): Capability[] {
  const capabilities: Capability[] = [];
  const listCommands = (): CommandSpec[] => capabilities.flatMap((c) => c.commands ?? []);
  capabilities.push(createHelpCapability(listCommands), bindCapability, directoryCapability);
  capabilities.push(noticeCapability);
  capabilities.push(reportCapability);
  capabilities.push(assessmentCapability);
  capabilities.push(standardsCapability);
  capabilities.push(acceptanceCapability);
  capabilities.push(alertsCapability);
  return capabilities;
}
