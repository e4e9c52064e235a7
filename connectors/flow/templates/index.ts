// The templates gallery (README.md "Templates"): ready flows, one file each, and how a template's needs are filled.
// Pure data and functions: the server serves them (GET /api/templates) and creates flows from them.
import type { FlowDefinition, JsonValue } from '../types.js';
import { crmDealToSlack } from './crm-deal-to-slack.js';
import { dailyOpenDigest } from './daily-open-digest.js';
import { escalateNoReply24h } from './escalate-no-reply-24h.js';
import { orderStatusKeyword } from './order-status-keyword.js';
import { reviewAfterResolution } from './review-after-resolution.js';
import { stopOptOut } from './stop-opt-out.js';
import type { FlowTemplate } from './types.js';
import { webchatLeadCrmWelcome } from './webchat-lead-crm-welcome.js';
import { whatsappMissedReplySms } from './whatsapp-missed-reply-sms.js';

export type { FlowTemplate, TemplateNeed } from './types.js';

export const TEMPLATES: readonly FlowTemplate[] = [
  whatsappMissedReplySms,
  webchatLeadCrmWelcome,
  stopOptOut,
  dailyOpenDigest,
  orderStatusKeyword,
  escalateNoReply24h,
  reviewAfterResolution,
  crmDealToSlack,
];

export const templateBySlug = (slug: string): FlowTemplate | undefined => TEMPLATES.find((t) => t.slug === slug);

/** The connectors a template's flow uses (trigger channels, actions, needed accounts), for the gallery's cards. */
export function templateConnectors(t: FlowTemplate): string[] {
  const trigger = t.definition.trigger;
  const used = [
    ...(trigger.type === 'channel.message' ? (trigger.channels ?? ['any channel']) : []),
    // Any other trigger by its type: webhook, schedule, conversation.closed, ...
    ...(trigger.type !== 'channel.message' ? [trigger.type] : []),
    ...t.definition.nodes.flatMap((n) => (n.type === 'action' ? [n.action.split('.')[0]!] : [])),
    ...t.needs.flatMap((n) => (n.connector ? [n.connector] : [])),
  ];
  return [...new Set(used)];
}

/** One problem with a need's value: `key` is the need's key. */
export interface NeedIssue {
  key: string;
  message: string;
}

/** The problems with `values` for the template's needs: each is required (an account a non-empty id; a text its pattern). */
export function needIssues(t: FlowTemplate, values: Record<string, string>): NeedIssue[] {
  const issues: NeedIssue[] = [];
  for (const need of t.needs) {
    const value = values[need.key] ?? need.default;
    if (value === undefined || value.trim() === '') issues.push({ key: need.key, message: `${need.label}: required` });
    else if (need.pattern !== undefined && !new RegExp(need.pattern).test(value.trim()))
      issues.push({ key: need.key, message: `${need.label}: "${value}" does not match ${need.pattern}` });
  }
  for (const key of Object.keys(values))
    if (!t.needs.some((n) => n.key === key)) issues.push({ key, message: `this template needs no "${key}"` });
  return issues;
}

/** A copy of the template's definition with each need's value (trimmed; else its default) written at its paths. */
export function fillTemplate(t: FlowTemplate, values: Record<string, string>): FlowDefinition {
  const definition = structuredClone(t.definition) as unknown as JsonValue;
  for (const need of t.needs) {
    const value = (values[need.key] ?? need.default)?.trim();
    if (value === undefined) continue;
    for (const path of need.paths) setPointer(definition, path, value);
  }
  return definition as unknown as FlowDefinition;
}

function setPointer(root: JsonValue, pointer: string, value: string): void {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop();
  let at: JsonValue | undefined = root;
  for (const k of keys) at = at !== null && typeof at === 'object' ? (at as Record<string, JsonValue>)[k] : undefined;
  if (last === undefined || at === null || typeof at !== 'object')
    throw new Error(`template path ${pointer} does not exist in the definition`);
  (at as Record<string, JsonValue>)[last] = value;
}
