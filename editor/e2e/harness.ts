// Browser-test harness: Confluo in-process (the real app over the test PostgreSQL and Temporal dev server, a real
// worker) serving the built editor on a real port, and Debian's Chromium driven by playwright-core.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { builtinConnectors } from '../../connectors/builtin.js';
import { createRegistry } from '../../connectors/sdk/index.js';
import type { PrismaClient } from '../../prisma/client.js';
import { ensureApiKey } from '../../server/api-keys.js';
import { buildApp } from '../../server/app.js';
import { createWorkspace, temporalAddress, testPrisma, uniqueTaskQueue } from '../../test/env.js';
import { freePort } from '../../test/ports.js';
import { createWorkflowClient } from '../../worker/client.js';
import { createWorkerDeps } from '../../worker/deps.js';
import { bundleWorkflows, createWorker } from '../../worker/worker.js';

export const EDITOR_DIST = resolve(import.meta.dirname, '../dist');
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/editor');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

/** Builds the editor when editor/dist is missing or older than its sources (the same check as `npm start`). */
export function ensureEditorBuilt() {
  execFileSync(process.execPath, [resolve(import.meta.dirname, '../scripts/ensure-build.mjs')], { stdio: 'inherit' });
}

export interface Confluo {
  baseUrl: string;
  key: string;
  /** The workspace the key belongs to (for data made through the stores, e.g. the contacts service). */
  workspaceId: string;
  prisma: PrismaClient;
  /** An API request (with the workspace's key unless `auth` is false); the JSON answer, or null for an empty one. */
  call(method: string, path: string, body?: unknown, auth?: boolean): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/**
 * A 1280×800 page whose uncaught errors land in `errors` and whose console errors are echoed, and also collected in
 * `consoleErrors` when given (tests that go offline or are refused on purpose log some, so not every test asserts none).
 */
export async function openPage(
  browser: Browser,
  errors: string[],
  { consoleErrors, ...options }: BrowserContextOptions & { consoleErrors?: string[] } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    console.error('[browser]', m.text());
    consoleErrors?.push(`${m.text()} (${m.location().url})`);
  });
  return page;
}

/** A test file's Confluo, Chromium and page (browserSession). */
export interface BrowserSession {
  confluo: Confluo;
  browser: Browser;
  page: Page;
}

/**
 * One Confluo and one Chromium page for a test file: started before its tests (the editor built first), handed to
 * `ready` (which keeps them in the file's own variables), and closed after them. `shot` saves a screenshot under
 * SCREENSHOTS; the page's uncaught errors collect in `pageErrors`.
 */
export function browserSession(
  ready: (s: BrowserSession) => void,
  opts: { page?: Parameters<typeof openPage>[2] } = {},
) {
  let s: BrowserSession | undefined;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    ensureEditorBuilt();
    const [confluo, browser] = await Promise.all([startConfluo(), launchChromium()]);
    s = { confluo, browser, page: await openPage(browser, pageErrors, opts.page) };
    ready(s);
  }, 180_000);
  afterAll(async () => {
    await s?.browser.close();
    await s?.confluo.close();
  });
  return {
    pageErrors,
    shot: (name: string) => s!.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) }),
    /** An API request of the session's Confluo (with its key unless `auth` is false). */
    call: (method: string, path: string, body?: unknown, auth?: boolean) => s!.confluo.call(method, path, body, auth),
  };
}

export async function startConfluo(): Promise<Confluo> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const prisma = testPrisma();
  const connection = await Connection.connect({ address: temporalAddress() });
  const taskQueue = uniqueTaskQueue('editor');
  const workspaceId = await createWorkspace(prisma);
  const { key } = await ensureApiKey(prisma, { workspaceId });
  if (!key) throw new Error('expected a generated key');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const registry = createRegistry(builtinConnectors());
  // Channel accounts (and their credentials) need the secret key; a throwaway one per run.
  const secretKey = randomBytes(32);
  const client = new Client({ connection, namespace: 'default' });
  const app: FastifyInstance = await buildApp({
    prisma,
    temporal: { client, taskQueue, namespace: 'default' },
    workflows: createWorkflowClient({ client, taskQueue }),
    registry,
    logger: false,
    publicUrl: `${baseUrl}/`,
    editorDir: EDITOR_DIST,
    secretKey,
    contactEvents: { pollMs: 100, workspaces: [workspaceId] },
    // The suite's apps share one database: reconciling at start would take other apps' schedules onto this queue.
    reconcileSchedules: false,
  });
  await app.listen({ port, host: '127.0.0.1' });

  const workerConnection = await NativeConnection.connect({ address: temporalAddress() });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const worker: Worker = await createWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    deps: createWorkerDeps({ prisma, registry, logger: silent, secretKey, publicUrl: baseUrl }),
    workflowBundle: await bundleWorkflows(),
  });
  const workerRun = worker.run();

  return {
    baseUrl,
    key,
    workspaceId,
    prisma,
    async call(method, path, body, auth = true) {
      const res = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(auth && { authorization: `Bearer ${key}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await workerConnection.close();
      await app.close();
      await connection.close();
      await prisma.$disconnect();
    },
  };
}

/** A local HTTP endpoint that records what it receives (the reference flow's callback). */
export async function startSink(): Promise<{ url: string; received: unknown[]; close(): Promise<void> }> {
  const received: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        received.push(JSON.parse(body));
      } catch {
        received.push(body);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sink`, received, close: () => new Promise((r) => server.close(() => r())) };
}
