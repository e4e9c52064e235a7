// Flow definition checks the routes share: the v1 top-level shape a draft must have to be saved at all, and the full
// validation (schema, graph, action inputs) whose issues the editor shows and publish enforces.
import { draftShapeSchema, validateFlow } from '../../connectors/flow/index.js';
import type { FlowDefinition, ValidationIssue } from '../../connectors/flow/types.js';
import type { AccountLookup } from '../../prisma/channel-accounts.js';
import type { PublishedLookup } from '../../prisma/flows.js';
import { createAjv } from '../../connectors/sdk/index.js';
import { httpErrors, schemaIssues } from '../errors.js';
import type { Registry } from '../types.js';

const checkShape = createAjv().compile(draftShapeSchema);

/** A draft may be incomplete, but it must be an object with the v1 top-level shape; otherwise 400. */
export function assertDraftShape(definition: unknown, pathPrefix = '/body/definition'): void {
  if (checkShape(definition)) return;
  throw httpErrors.validation(
    'definition is not a version 1 flow definition',
    schemaIssues(pathPrefix, checkShape.errors ?? []),
  );
}

export function flowIssues(registry: Registry, definition: unknown): ValidationIssue[] {
  return validateFlow(definition, {
    actions: registry.actionInputs(),
    channels: registry.channelNames(),
    pollSources: registry.pollInputs(),
  });
}

/** 422 with every issue when the definition cannot run (`extra`: issues found elsewhere, e.g. accountIssues). */
export function assertRunnable(registry: Registry, definition: unknown, extra: ValidationIssue[] = []): void {
  const issues = [...flowIssues(registry, definition), ...extra];
  if (issues.length > 0) throw httpErrors.flowInvalid(issues);
}

export const DEFAULT_DEFINITION = { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] } as const;

/**
 * Channel accounts a definition names, checked against the workspace: a trigger's `accounts` must exist (and be on one
 * of its `channels`, when it names some); a channel action's literal `account` must exist and belong to the action's
 * connector. Templated values are left to run time. `accounts` reads the workspace's accounts (the channel-account
 * store's `connectors(workspaceId)`, or publish's transaction).
 */
export async function accountIssues(
  accounts: AccountLookup,
  registry: Registry,
  definition: unknown,
): Promise<ValidationIssue[]> {
  const def = definition as Partial<FlowDefinition> | null;
  const wanted: { path: string; id: string; connector?: string; channels?: string[]; nodeId?: string }[] = [];
  const trigger = def?.trigger;
  if (trigger?.type === 'channel.message' && Array.isArray(trigger.accounts)) {
    trigger.accounts.forEach(
      (id, i) =>
        typeof id === 'string' &&
        wanted.push({
          path: `/trigger/accounts/${i}`,
          id,
          ...(Array.isArray(trigger.channels) && { channels: trigger.channels }),
        }),
    );
  }
  // A poll trigger's literal `input.account` (hubspot.newDeal's): an account of the source's connector.
  const pollAccount =
    trigger?.type === 'poll' ? (trigger.input as Record<string, unknown> | undefined)?.account : undefined;
  if (trigger?.type === 'poll' && typeof pollAccount === 'string' && typeof trigger.source === 'string')
    wanted.push({ path: '/trigger/input/account', id: pollAccount, connector: trigger.source.split('.')[0]! });
  (Array.isArray(def?.nodes) ? def.nodes : []).forEach((node, i) => {
    if (node?.type !== 'action' || typeof node.action !== 'string') return;
    const connector = node.action.split('.')[0]!;
    const account = (node.input as Record<string, unknown> | undefined)?.account;
    if (!registry.get(connector)?.channel || typeof account !== 'string' || account.includes('{{')) return;
    wanted.push({ path: `/nodes/${i}/input/account`, id: account, connector, nodeId: node.id });
  });
  if (wanted.length === 0) return [];
  const rows = await accounts([...new Set(wanted.map((w) => w.id))]);
  const byId = new Map(rows.map((r) => [r.id, r.connector]));
  const issues: ValidationIssue[] = [];
  for (const w of wanted) {
    const connector = byId.get(w.id);
    const at = { path: w.path, ...(w.nodeId !== undefined && { nodeId: w.nodeId }) };
    const channel = connector ? registry.get(connector)?.channel?.name : undefined;
    if (!connector)
      issues.push({
        ...at,
        code: 'unknown_account',
        message: `no channel account "${w.id}" in this workspace (see GET /api/channel-accounts)`,
      });
    else if (w.connector && connector !== w.connector)
      issues.push({
        ...at,
        code: 'account_connector',
        message: `channel account "${w.id}" is a ${connector} account, not ${w.connector}`,
      });
    else if (w.channels && channel && !w.channels.includes(channel))
      issues.push({
        ...at,
        code: 'account_channel',
        message: `channel account "${w.id}" is on ${channel}, which the trigger's channels leave out`,
      });
  }
  return issues;
}

/** How far publish follows sub-flow references looking for a cycle (runs stop at MAX_SUBFLOW_DEPTH anyway). */
const SUBFLOW_SEARCH_LIMIT = 200;

const subflowRefs = (definition: unknown): { index: number; id: string; flow: string; version?: number }[] => {
  const nodes = (definition as Partial<FlowDefinition> | null)?.nodes;
  return (Array.isArray(nodes) ? nodes : []).flatMap((n, index) =>
    n?.type === 'subflow' && typeof n.flow === 'string' && n.flow !== ''
      ? [{ index, id: n.id, flow: n.flow, ...(Number.isInteger(n.version) && { version: n.version }) }]
      : [],
  );
};

/**
 * The sub-flows of `flowId`'s definition, checked against the workspace's published flows (`published`, another
 * workspace's flow being missing): each must exist (and its pinned version), and following sub-flow references through
 * the called flows' versions (pinned, else latest) must never come back to `flowId`: one issue on the node's `flow`.
 */
export async function subflowIssues(
  published: PublishedLookup,
  flowId: string,
  definition: unknown,
): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  for (const ref of subflowRefs(definition)) {
    const at = `/nodes/${ref.index}`;
    if (ref.flow === flowId) {
      issues.push({ path: `${at}/flow`, code: 'subflow_cycle', message: 'a flow cannot call itself', nodeId: ref.id });
      continue;
    }
    const found = await published(ref.flow, ref.version);
    if (!found) {
      const exists = ref.version !== undefined && (await published(ref.flow)) !== null;
      issues.push(
        exists
          ? {
              path: `${at}/version`,
              code: 'unknown_subflow',
              message: `flow "${ref.flow}" has no published version ${ref.version}`,
              nodeId: ref.id,
            }
          : {
              path: `${at}/flow`,
              code: 'unknown_subflow',
              message: `no published flow "${ref.flow}" in this workspace (publish it first)`,
              nodeId: ref.id,
            },
      );
      continue;
    }
    const chain = await pathBack(published, flowId, ref.flow, found.definition);
    if (chain)
      issues.push({
        path: `${at}/flow`,
        code: 'subflow_cycle',
        message: `calling "${ref.flow}" would recurse: ${[flowId, ...chain].join(' → ')}`,
        nodeId: ref.id,
      });
  }
  return issues;
}

/** The chain of flow ids from `start` (whose definition is given) back to `target`, or undefined when there is none. */
async function pathBack(
  published: PublishedLookup,
  target: string,
  start: string,
  definition: unknown,
): Promise<string[] | undefined> {
  const seen = new Set<string>();
  const stack: Array<{ chain: string[]; definition: unknown }> = [{ chain: [start], definition }];
  while (stack.length > 0 && seen.size < SUBFLOW_SEARCH_LIMIT) {
    const { chain, definition: def } = stack.pop()!;
    for (const ref of subflowRefs(def)) {
      if (ref.flow === target) return [...chain, target];
      const key = `${ref.flow}@${ref.version ?? 'latest'}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // A called flow that is gone is its own publish's concern (and a run's SUBFLOW_NOT_FOUND), not a cycle.
      const found = await published(ref.flow, ref.version);
      if (found) stack.push({ chain: [...chain, ref.flow], definition: found.definition });
    }
  }
  return undefined;
}
