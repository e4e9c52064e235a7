// executeStep in the SDK's activity harness, with the real registry, the real contacts store on the test database
// and a local HTTP endpoint: every way a step can end, as Temporal will see it.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactsConnector } from '../connectors/contacts/index.js';
import { createHttpConnector } from '../connectors/http/index.js';
import { ConnectorError, createRegistry, defineConnector } from '../connectors/sdk/index.js';
import { createContactsService, getContact } from '../prisma/contacts.js';
import type { PrismaClient } from '../prisma/client.js';
import { createWorkspace, testPrisma } from '../test/env.js';
import {
  createActivities,
  MAX_OUTPUT_BYTES,
  type ExecuteStepInput,
  type ExecuteStepResult,
  type StepFailureDetails,
} from './activities.js';
import { STEP_TIMEOUT_MARGIN_MS } from './contract.js';
import { startSink, type Sink } from '../test/sink.js';

// A connector of our own for the outcomes the built-ins cannot produce on demand.
const probe = defineConnector({
  id: 'probe',
  name: 'Probe',
  version: '1.0.0',
  actions: [
    {
      id: 'throw',
      name: 'Throw',
      description: 'Throws a plain error.',
      input: { type: 'object' },
      output: {},
      run: async () => {
        throw new TypeError('boom');
      },
    },
    {
      id: 'deny',
      name: 'Deny',
      description: 'Throws a ConnectorError without a code.',
      input: { type: 'object' },
      output: {},
      run: async () => {
        throw new ConnectorError('auth', 'token revoked');
      },
    },
    {
      id: 'hang',
      name: 'Hang',
      description: 'Waits until aborted.',
      input: { type: 'object' },
      output: {},
      run: (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    },
    {
      id: 'echo',
      name: 'Echo',
      description: 'Returns the context it saw.',
      input: { type: 'object' },
      output: {},
      run: async (ctx) => ({ idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt, workspaceId: ctx.workspaceId }),
    },
  ],
});

let prisma: PrismaClient;
let workspaceId: string;
let sink: Sink;
let executeStep: ReturnType<typeof createActivities>['executeStep'];

beforeAll(async () => {
  prisma = testPrisma();
  workspaceId = await createWorkspace(prisma);
  sink = await startSink();
  const registry = createRegistry([createHttpConnector({ allowlist: ['127.0.0.1'] }), contactsConnector, probe]);
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  ({ executeStep } = createActivities({
    registry,
    services: { contacts: createContactsService(prisma) },
    logger: silent,
  }));
});
afterAll(async () => {
  await sink?.close();
  await prisma?.$disconnect();
});

// The harness logs every failed attempt; the assertions say what matters.
const quiet = new DefaultLogger('ERROR');

const step = (action: string, input: ExecuteStepInput['input'], nodeId = 'n1'): ExecuteStepInput => ({
  workspaceId,
  runId: 'run_act',
  nodeId,
  action,
  input,
});
const run = (req: ExecuteStepInput, info: { attempt?: number; startToCloseTimeoutMs?: number } = {}) =>
  new MockActivityEnvironment(
    { attempt: 1, startToCloseTimeoutMs: 30_000 + STEP_TIMEOUT_MARGIN_MS, ...info },
    { logger: quiet },
  ).run<[ExecuteStepInput], ExecuteStepResult, typeof executeStep>(executeStep, req);

/** The ApplicationFailure executeStep threw, with its first detail. */
async function failure(p: Promise<unknown>): Promise<{ f: ApplicationFailure; d: StepFailureDetails }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const f = err as ApplicationFailure;
  return { f, d: f.details?.[0] as StepFailureDetails };
}

describe('executeStep', () => {
  it('runs contacts.upsert against the real store and returns output and attempt', async () => {
    const res = await run(step('contacts.upsert', { email: 'Ada@Example.com', name: 'Ada' }), { attempt: 2 });
    expect(res.attempt).toBe(2);
    const out = res.output as { id: string; created: boolean };
    expect(out.created).toBe(true);
    // Read back within the workspace: found there, with the normalized identity.
    const row = await getContact(prisma, workspaceId, out.id);
    expect(row?.id).toBe(out.id);
    expect(row?.identities.map((i) => [i.kind, i.value])).toEqual([['email', 'ada@example.com']]);
  });

  it('gives the action the idempotency key <runId>:<nodeId> and the attempt', async () => {
    const res = await run(step('probe.echo', {}, 'echo'), { attempt: 3 });
    expect(res.output).toEqual({ idempotencyKey: 'run_act:echo', attempt: 3, workspaceId });
  });

  it('fails an unknown action as non-retryable UNKNOWN_ACTION', async () => {
    const { f, d } = await failure(run(step('nope.nothing', {})));
    expect([f.type, f.nonRetryable, d]).toEqual(['UNKNOWN_ACTION', true, { attempt: 1, code: 'UNKNOWN_ACTION' }]);
    expect(f.message).toContain('nope.nothing');
  });

  it('fails invalid input as non-retryable INPUT_INVALID naming every issue', async () => {
    const { f, d } = await failure(run(step('http.request', { method: 'FETCH', extra: 1 }), { attempt: 4 }));
    expect(f.type).toBe('INPUT_INVALID');
    expect(f.nonRetryable).toBe(true);
    expect(d.attempt).toBe(4);
    expect(d.issues!.map((i) => i.path).sort()).toEqual(['/input/extra', '/input/method', '/input/url']);
    expect(f.message).toMatch(/^Input of "http.request" is invalid: /);
    for (const i of d.issues!) expect(f.message).toContain(`${i.path} (${i.message})`);
    expect(f.message).toContain('input.method must be equal to one of the allowed values');
    expect(sink.requests).toHaveLength(0);
  });

  it('fails an output over 256 KiB as non-retryable OUTPUT_TOO_LARGE, with size and limit in the message', async () => {
    sink.script('/big', () => ({ status: 200, body: JSON.stringify({ blob: 'x'.repeat(MAX_OUTPUT_BYTES) }) }));
    const { f, d } = await failure(run(step('http.request', { url: `${sink.url}/big` })));
    expect([f.type, f.nonRetryable, d.attempt]).toEqual(['OUTPUT_TOO_LARGE', true, 1]);
    expect(f.message).toMatch(/is \d+ bytes; the limit is 262144 bytes/);
  });

  it('maps a retryable ConnectorError with Retry-After to a retryable failure with nextRetryDelay', async () => {
    sink.script('/busy', () => ({ status: 503, headers: { 'retry-after': '7' }, body: 'busy' }));
    const { f, d } = await failure(run(step('http.request', { url: `${sink.url}/busy` }), { attempt: 2 }));
    expect([f.type, f.nonRetryable, f.nextRetryDelay]).toEqual(['HTTP_503', false, 7000]);
    expect(d).toMatchObject({ attempt: 2, kind: 'upstream', code: 'HTTP_503' });
  });

  it('maps a retryable ConnectorError without Retry-After to the policy backoff (no nextRetryDelay)', async () => {
    sink.script('/flaky', () => ({ status: 502 }));
    const { f } = await failure(run(step('http.request', { url: `${sink.url}/flaky` })));
    expect([f.type, f.nonRetryable, f.nextRetryDelay]).toEqual(['HTTP_502', false, undefined]);
  });

  it('maps a non-retryable ConnectorError to a non-retryable failure typed by its code', async () => {
    sink.script('/gone', () => ({ status: 404, body: 'no such hook' }));
    const { f, d } = await failure(run(step('http.request', { url: `${sink.url}/gone` })));
    expect([f.type, f.nonRetryable]).toEqual(['HTTP_404', true]);
    expect(d).toMatchObject({ attempt: 1, kind: 'not_found', code: 'HTTP_404' });
    expect(f.message).toContain('no such hook');
  });

  it('types a ConnectorError without a code by its kind', async () => {
    const { f, d } = await failure(run(step('probe.deny', {})));
    expect([f.type, f.nonRetryable, f.message, d]).toEqual([
      'auth',
      true,
      'token revoked',
      { attempt: 1, kind: 'auth', code: 'auth' },
    ]);
  });

  it('turns any other error into a retryable failure with its message', async () => {
    const { f, d } = await failure(run(step('probe.throw', {}), { attempt: 3 }));
    expect([f.type, f.nonRetryable, f.message, d.attempt]).toEqual(['TypeError', false, 'boom', 3]);
  });

  it("aborts the action at the node's timeout and fails it as retryable STEP_TIMEOUT", async () => {
    const { f, d } = await failure(
      run(step('probe.hang', {}), { startToCloseTimeoutMs: STEP_TIMEOUT_MARGIN_MS + 200 }),
    );
    expect([f.type, f.nonRetryable, d.attempt]).toEqual(['STEP_TIMEOUT', false, 1]);
    expect(f.message).toContain('200 ms');
  });
});
