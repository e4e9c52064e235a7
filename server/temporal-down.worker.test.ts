// Temporal down, then back, on a Temporal dev server of this file's own (stopped and restarted on the same port and
// SQLite file, so what was started before the outage is still there): webhooks and channel deliveries are still
// acknowledged (202/200 once their row committed to the inbound outbox, a repeat answered as a replay), /health shows
// them pending; reads and a polling account's create answer 503 temporal_unavailable with Retry-After within the
// deadline (not after the SDK's ~20 s of retries, never 500), nothing gets in half-way; and once Temporal is back the
// relay starts each acknowledged event exactly once and the runs complete on a worker that stayed up.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilio } from '../connectors/sdk/index.js';
import type { LightMyRequestResponse } from 'fastify';
import { freePort } from '../test/ports.js';
import { ingestIdFor } from '../worker/ids.js';
import { startTemporalDevServer, type DevServer, type DevServerOptions } from '../worker/temporal-dev-server.js';
import { eventually, PUBLIC_URL, startTestApp, validDefinition, type TestApp } from './test-app.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

// The worker's core warns about every retried poll while Temporal is away: expected here, so errors only.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});

const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token';
/** Far from the ~20 s the SDK's retries took, with room for a slow machine; the deadline itself is 2 s. */
const ANSWER_BOUND_MS = 5_000;

let dir: string;
let devOptions: DevServerOptions;
let dev: DevServer | undefined;
let t: TestApp;
let hookUrl: string;
let flowId: string;
let accountId: string;
let worker: TestWorker;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'confluo-temporal-down-'));
  devOptions = { port: await freePort(), dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') };
  dev = await startTemporalDevServer(devOptions);
  const secretKey = randomBytes(32);
  t = await startTestApp({ temporalAddress: dev.address, secretKey });
  const flow = (
    await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'down', definition: validDefinition() } })
  ).json();
  flowId = flow.id;
  hookUrl = new URL((await t.api({ method: 'POST', url: `/api/flows/${flowId}/publish` })).json().webhookUrl).pathname;
  const account = await t.api({
    method: 'POST',
    url: '/api/channel-accounts',
    payload: {
      connector: 'sms',
      name: 'Line',
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
      settings: { from: '+14155550100' },
    },
  });
  expect(account.statusCode, account.body).toBe(201);
  accountId = account.json().id;

  worker = await startTestWorker(t, { address: dev.address, secretKey });
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await dev?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const webhook = (key: string) =>
  t.app.inject({ method: 'POST', url: hookUrl, payload: { hello: key }, headers: { 'idempotency-key': key } });

/** A signed Twilio delivery of one incoming SMS (its MessageSid is the dedupe key). */
function delivery(sid: string) {
  const url = `/hooks/channels/${accountId}`;
  const params = {
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: '+14155550199',
    To: '+14155550100',
    Body: 'are you there?',
    NumMedia: '0',
    SmsStatus: 'received',
  };
  return t.app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilio(AUTH_TOKEN, PUBLIC_URL + url, params),
    },
  });
}

async function timed(fn: () => Promise<LightMyRequestResponse>) {
  const started = Date.now();
  const res = await fn();
  return { res, ms: Date.now() - started };
}

function expectUnavailable({ res, ms }: { res: LightMyRequestResponse; ms: number }, what: string) {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(503);
  expect(res.json(), what).toEqual({
    error: { code: 'temporal_unavailable', message: expect.any(String) },
  });
  expect(Number(res.headers['retry-after']), what).toBeGreaterThan(0);
  expect(ms, what).toBeLessThan(ANSWER_BOUND_MS);
}

async function describeOrNone(workflowId: string) {
  try {
    return await t.client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const completed = (runId: string) =>
  eventually(async () => {
    const res = await t.api({ method: 'GET', url: `/api/runs/${runId}` });
    return res.statusCode === 200 && res.json().status === 'completed'
      ? (res.json() as { steps: object[] })
      : undefined;
  }, 30_000);

describe('Temporal down and back', () => {
  it('acknowledges webhooks and deliveries through the outage, answers reads 503, and starts each event once after', async () => {
    const before = await webhook('before-outage');
    expect(before.statusCode, before.body).toBe(202);
    const beforeRun = before.json().runId as string;

    await dev!.stop();
    dev = undefined;

    // Acknowledged while Temporal is away (durable in PostgreSQL), fast, and a repeat is a replay of the same run.
    const during = await timed(() => webhook('during-outage'));
    expect(during.res.statusCode, during.res.body).toBe(202);
    expect(during.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(during.res.headers['idempotent-replayed']).toBeUndefined();
    const runId = during.res.json().runId as string;
    const repeat = await webhook('during-outage');
    expect(repeat.statusCode).toBe(202);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.json().runId).toBe(runId);
    const sid = `SM${'d'.repeat(32)}`;
    expect((await delivery(sid)).statusCode).toBe(200);
    expect((await delivery(sid)).statusCode).toBe(200);
    // /health: degraded (Temporal), with the backlog it is holding.
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().inbound.pending).toBeGreaterThanOrEqual(2);
    // Reads: 503 as well, never 500.
    expectUnavailable(await timed(() => t.api({ method: 'GET', url: '/api/runs' })), 'list');
    expectUnavailable(await timed(() => t.api({ method: 'GET', url: `/api/runs/${beforeRun}` })), 'detail');
    expectUnavailable(await timed(() => t.api({ method: 'POST', url: `/api/runs/${beforeRun}/cancel` })), 'cancel');
    // A polling channel's account needs its polling loop started: refused whole, nothing stored half-way.
    const accountsBefore = await t.prisma.channelAccount.count();
    const mail = () =>
      t.api({
        method: 'POST',
        url: '/api/channel-accounts',
        payload: {
          connector: 'email',
          name: 'Support inbox',
          credentials: {
            smtp: { host: '127.0.0.1', port: 2525 },
            imap: { host: '127.0.0.1', port: 1143, user: 'support', pass: 'imap-pass-1' },
          },
          settings: { from: 'support@acme.test' },
        },
      });
    expectUnavailable(await timed(mail), 'polling account create');
    expect(await t.prisma.channelAccount.count()).toBe(accountsBefore);

    // Nothing reached Temporal yet: the relay's starts failed and wait their backoff, kept with their error.
    const rows = await t.prisma.inboundEvent.findMany({ where: { id: { in: [runId, ingestIdFor(accountId, sid)] } } });
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.dispatchedAt).toBeNull();

    // Back on the same port and SQLite file: the run from before the outage is still there, and the relay starts the
    // acknowledged events within seconds, each once.
    dev = await startTemporalDevServer(devOptions);
    const startedBoth = async () =>
      (await describeOrNone(runId)) && (await describeOrNone(ingestIdFor(accountId, sid)));
    // Right after the restart the connection may still be coming back: a failed look is no answer yet.
    await eventually(() => startedBoth().catch(() => undefined), 15_000);
    const dispatched = await t.prisma.inboundEvent.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
    for (const row of dispatched) expect(row.dispatchedAt).not.toBeNull();
    // A repeat after Temporal's return still replays the same run.
    const again = await webhook('during-outage');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().runId).toBe(runId);

    // Both runs complete on the worker that stayed up; the flow has exactly these two.
    for (const id of [beforeRun, runId])
      expect((await completed(id)).steps).toEqual([expect.objectContaining({ nodeId: 'greet', status: 'completed' })]);
    const listed = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json().items as {
        id: string;
      }[];
      return items.length >= 2 ? items : undefined;
    });
    expect(listed.map((r) => r.id).sort()).toEqual([beforeRun, runId].sort());
  });
});
