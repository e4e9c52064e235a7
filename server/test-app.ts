// Test harness for the server: the real app over the test PostgreSQL and Temporal dev server (test/env.ts), a workspace
// of its own with an API key, and a task queue nobody polls (runs start and stay Running; no worker needed).
import { Client, Connection, defaultPayloadConverter, type Payload } from '@temporalio/client';
import { createWorkflowClient, type WorkflowClient } from '../worker/client.js';
import type { RunFlowInput } from '../worker/contract.js';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import type { Connector } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import { createWorkspace, temporalAddress, testPrisma, uniqueTaskQueue } from '../test/env.js';
import { clientConnectionOptions } from '../worker/temporal-config.js';
import { ensureApiKey } from './api-keys.js';
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

/** The input a run was started with, read from its first history event (what the worker will see). */
export async function startedInput(client: Client, runId: string): Promise<RunFlowInput> {
  const history = await client.workflow.getHandle(runId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`no input for ${runId}`);
  return defaultPayloadConverter.fromPayload<RunFlowInput>(payload as Payload);
}
