// Test harness for the server: the real app over the test PostgreSQL and Temporal dev server (test/env.ts), a workspace
// of its own with an API key, and a task queue nobody polls (runs start and stay Running; no worker needed). Below it,
// the calls suites share: a key of a role, flow drafts and publish, a schedule trigger's Schedule, a run once it is over.
import { randomBytes } from 'node:crypto';
import { Client, Connection, defaultPayloadConverter, ScheduleNotFoundError, type Payload } from '@temporalio/client';
import { createWorkflowClient, type WorkflowClient } from '../worker/client.js';
import type { RunFlowInput } from '../worker/contract.js';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import type { Connector } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import { createWorkspace, temporalAddress, testPrisma, uniqueTaskQueue } from '../test/env.js';
import { expect } from 'vitest';
import { clientConnectionOptions } from '../worker/temporal-config.js';
import { ensureApiKey, hashApiKey } from './api-keys.js';
import { buildApp, type AppDeps } from './app.js';

export interface TestApp {
  app: FastifyInstance;
  prisma: PrismaClient;
  client: Client;
  connection: Connection;
  taskQueue: string;
  workspaceId: string;
  key: string;
  /** inject with the workspace's key. */
  api(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const PUBLIC_URL = 'http://confluo.test';

export interface TestAppOptions {
  bodyLimit?: number;
  /** Default: the built-in connectors. */
  connectors?: Connector[];
  /** Default: none (the channel-account routes answer 503). */
  secretKey?: Buffer;
  /** Default: false. */
  logger?: AppDeps['logger'];
  /** Default: PUBLIC_URL (a name nothing listens on; fine for inject). */
  publicUrl?: string;
  /** Stand-ins for some workflow starts (the others, and the default, are the real ones on the test Temporal). */
  workflows?: Partial<WorkflowClient>;
  /** Default: the suite's dev server (test/env.ts). */
  temporalAddress?: string;
  /** The contacts search's country of national numbers; default: none. */
  defaultCountry?: string;
  /** Run the contact-event relay for this app's workspace (poll 50 ms); default: no relay. */
  contactEvents?: boolean;
  /** The inbound outbox's bound and relay (AppDeps.inbound); default: relay on, the default bound. */
  inbound?: AppDeps['inbound'];
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const prisma = testPrisma();
  // Connected as server/main.ts connects (its reconnect backoff too).
  const connection = await Connection.connect(
    clientConnectionOptions({ address: opts.temporalAddress ?? temporalAddress() }),
  );
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = uniqueTaskQueue('server');
  const workspaceId = await createWorkspace(prisma);
  const { key } = await ensureApiKey(prisma, { workspaceId });
  if (!key) throw new Error('expected a generated key');
  const app = await buildApp({
    prisma,
    temporal: { client, taskQueue, namespace: 'default' },
    workflows: { ...createWorkflowClient({ client, taskQueue }), ...opts.workflows },
    registry: createRegistry(opts.connectors ?? builtinConnectors()),
    logger: opts.logger ?? false,
    publicUrl: `${opts.publicUrl ?? PUBLIC_URL}/`,
    ...(opts.bodyLimit && { bodyLimit: opts.bodyLimit }),
    ...(opts.secretKey && { secretKey: opts.secretKey }),
    defaultCountry: opts.defaultCountry ?? '',
    contactEvents: opts.contactEvents ? { pollMs: 50, workspaces: [workspaceId] } : false,
    // The suite's apps share one database: reconciling at start would take other apps' schedules onto this queue.
    reconcileSchedules: false,
    ...(opts.inbound && { inbound: opts.inbound }),
  });
  await app.ready();
  return {
    app,
    prisma,
    client,
    connection,
    taskQueue,
    workspaceId,
    key,
    api: (o) => app.inject({ ...o, headers: { authorization: `Bearer ${key}`, ...o.headers } }),
    async close() {
      await app.close();
      await connection.close();
      await prisma.$disconnect();
    },
  };
}

/** A definition validateFlow accepts with the built-in connectors. */
export const validDefinition = () => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [{ id: 'greet', type: 'set', values: { hello: '{{ trigger.body.name }}' } }],
  edges: [{ from: 'trigger', to: 'greet' }],
});

/** A key of `role` for the app's workspace (or `workspaceId`), stored as the server stores keys (their hash). */
export async function keyWithRole(t: TestApp, role: string, workspaceId = t.workspaceId): Promise<string> {
  const key = `test_${role}_${randomBytes(8).toString('hex')}`;
  await t.prisma.apiKey.create({
    data: {
      id: `key_${randomBytes(8).toString('hex')}`,
      workspaceId,
      name: role,
      prefix: key.slice(0, 8),
      hash: hashApiKey(key),
      role,
    },
  });
  return key;
}

/** A flow definition as tests write it (a type, not an interface: Prisma's JSON inputs take it as it is). */
export type TestDefinition = { schemaVersion: 1; trigger: object; nodes: object[]; edges: object[] };

/** The definition of `nodes` and `edges` after `trigger` (default: a webhook). */
export const flowOf = (nodes: object[], edges: object[], trigger: object = { type: 'webhook' }): TestDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes,
  edges,
});

/** An action step that fails on its one attempt: nothing listens on port 1. */
export const failingStep = (id: string) => ({
  id,
  type: 'action',
  action: 'http.request',
  input: { method: 'GET', url: 'http://127.0.0.1:1/nothing-listens' },
  retry: { maxAttempts: 1 },
});

/** Creates a flow through the API (201 expected) and gives its id. */
export async function createDraft(t: TestApp, name: string, definition: object): Promise<string> {
  const res = await t.api({ method: 'POST', url: '/api/flows', payload: { name, definition } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

/** Replaces a flow's draft definition through the API (200 expected). */
export async function updateDraft(t: TestApp, flowId: string, definition: object): Promise<void> {
  const res = await t.api({ method: 'PUT', url: `/api/flows/${flowId}`, payload: { definition } });
  expect(res.statusCode, res.body).toBe(200);
}

/** Publishes a flow's draft: the response, whatever its status. */
export const publishFlow = (t: TestApp, flowId: string) =>
  t.api({ method: 'POST', url: `/api/flows/${flowId}/publish` });

/**
 * The calls of a suite on a trigger kept as a Temporal Schedule (schedule, poll): drafts of `definition(trigger)`,
 * publish, and the flow's Schedule, by `scheduleId`. `app` is a getter, as suites start their app in beforeAll.
 */
export function scheduledFlows(
  app: () => TestApp,
  o: { name: string; definition: (trigger: object) => object; scheduleId: (flowId: string) => string },
) {
  const handleOf = (flowId: string) => app().client.schedule.getHandle(o.scheduleId(flowId));
  return {
    createFlow: (trigger: object) => createDraft(app(), o.name, o.definition(trigger)),
    setDraft: (flowId: string, trigger: object) => updateDraft(app(), flowId, o.definition(trigger)),
    publish: (flowId: string) => publishFlow(app(), flowId),
    handleOf,
    /** Expects the flow to have no Schedule. */
    gone: (flowId: string) => expect(handleOf(flowId).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError),
  };
}

/** Polls until `fn` returns a value (visibility is eventually consistent). */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A run once it is over (neither running nor waiting), read through the API; 30 s at most. */
export function settledRun(t: TestApp, runId: string) {
  return eventually(async () => {
    const res = await t.api({ method: 'GET', url: `/api/runs/${encodeURIComponent(runId)}` });
    if (res.statusCode === 404) return undefined;
    const body = res.json();
    return body.status === 'running' || body.status === 'waiting' ? undefined : body;
  }, 30_000);
}

/** The input a run was started with, read from its first history event (what the worker will see). */
export async function startedInput(client: Client, runId: string): Promise<RunFlowInput> {
  const history = await client.workflow.getHandle(runId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`no input for ${runId}`);
  return defaultPayloadConverter.fromPayload<RunFlowInput>(payload as Payload);
}
