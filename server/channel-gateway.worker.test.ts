// The channel gateway end to end, on the real PostgreSQL and Temporal server with a real worker: a fake Twilio delivers
// signed webhooks to the listening server, `ingest` records the message and starts or wakes runs, and sends go back to
// the fake through the platform (consent, rate limit, outbound record).
import { randomBytes } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry, signTwilio } from '../connectors/sdk/index.js';
import { startTwilioFake, type TwilioFake } from '../connectors/testkit/index.js';
import { temporalAddress } from '../test/env.js';
import { freePort } from '../worker/temporal-dev-server.js';
import { createWorkerDeps } from '../worker/deps.js';
import { bundleWorkflows, createWorker } from '../worker/worker.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token';
const BUSINESS = '+14155550100';

let t: TestApp;
let base: string;
let twilio: TwilioFake;
let workerConnection: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let smsAccount: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const secretKey = randomBytes(32);
  const registry = createRegistry(builtinConnectors());
  t = await startTestApp({ secretKey, publicUrl: base, connectors: [...registry.connectors] });
  await t.app.listen({ port, host: '127.0.0.1' });
  twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  workerConnection = await NativeConnection.connect({ address: temporalAddress() });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  worker = await createWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue: t.taskQueue,
    deps: createWorkerDeps({ prisma: t.prisma, registry, logger: silent, secretKey, publicUrl: base }),
    workflowBundle: await bundleWorkflows(),
  });
  workerRun = worker.run();
  const res = await t.api({
    method: 'POST',
    url: '/api/channel-accounts',
    payload: { connector: 'sms', name: 'Main line', credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, settings: { from: BUSINESS, apiBaseUrl: twilio.url, rateLimit: { limit: 50, intervalMs: 1000 } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  smsAccount = res.json().id;
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun;
  await workerConnection?.close();
  await twilio?.close();
  await t?.close();
});

const hook = () => `${base}/hooks/channels/${smsAccount}`;
const customer = () => `+1415555${String(1000 + Math.floor(Math.random() * 8999))}`;

async function publish(definition: object): Promise<string> {
  const flow = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'channel flow', definition } })).json();
  const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
  expect(res.statusCode, res.body).toBe(201);
  return flow.id;
}

async function runsOf(flowId: string, want: number) {
  return eventually(async () => {
    const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json().items as { id: string; status: string }[];
    return items.length >= want ? items : undefined;
  }, 30_000);
}

async function run(runId: string, until: (status: string) => boolean) {
  return eventually(async () => {
    const body = (await t.api({ method: 'GET', url: `/api/runs/${runId}` })).json();
    return until(body.status) ? body : undefined;
  }, 30_000);
}

const contactByPhone = async (phone: string) => (await t.api({ method: 'GET', url: `/api/contacts?identity=${encodeURIComponent(`phone:${phone}`)}` })).json().items[0];

describe('the channel gateway', () => {
  it('refuses unknown accounts (404) and bad signatures (401) and starts nothing', async () => {
    const unknown = await fetch(`${base}/hooks/channels/cha_nope`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unknown.status).toBe(404);

    const from = customer();
    const params = { MessageSid: `SM${'a'.repeat(32)}`, AccountSid: ACCOUNT_SID, From: from, To: BUSINESS, Body: 'hi', NumMedia: '0' };
    const body = new URLSearchParams(params).toString();
    const forged = await fetch(hook(), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilio('wrong-token', hook(), params) } });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('signature_invalid');
    const unsigned = await fetch(hook(), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.status).toBe(401);
    // Nothing was ingested: no contact for that number.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await contactByPhone(from)).toBeUndefined();
  });

  it('answers 400 for a payload Twilio would never send', async () => {
    const params = { AccountSid: ACCOUNT_SID, To: BUSINESS, Body: 'no sid, no sender' };
    const res = await fetch(hook(), {
      method: 'POST',
      body: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilio(AUTH_TOKEN, hook(), params) },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: object }).error).toMatchObject({ code: 'payload_invalid' });
  });

  it('records a message once, however often it is delivered, and runs each matching flow once', async () => {
    const flowId = await publish({
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['sms'], filter: { in: ['order', { var: 'trigger.message.text' }] } },
      nodes: [{ id: 'ack', type: 'action', action: 'conversations.reply', input: { contact: '{{ contact.id }}', text: 'Got your order, {{ contact.name }}' } }],
      edges: [{ from: 'trigger', to: 'ack' }],
    });
    const from = customer();
    const first = await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'my order #12' });
    expect(first.status).toBe(200);
    expect(first.body).toContain('<Response');
    // The same delivery twice more (Twilio retries carry the same MessageSid).
    for (let i = 0; i < 2; i++) {
      const again = await fetch(hook(), {
        method: 'POST',
        body: new URLSearchParams(first.params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': first.signature },
      });
      expect(again.status).toBe(200);
    }
    const [only] = await runsOf(flowId, 1);
    const done = await run(only!.id, (s) => s === 'completed' || s === 'failed');
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    // A message the filter rejects starts nothing.
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'just saying hi' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runsOf(flowId, 1)).toHaveLength(1);

    const sent = twilio.created.filter((m) => m.To === from);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ From: BUSINESS, Body: 'Got your order, ' });
    expect(twilio.violations).toEqual([]);

    const contact = await contactByPhone(from);
    expect(contact.identities).toEqual([{ kind: 'phone', value: from }]);
    const messages = await t.prisma.message.findMany({ where: { contactId: contact.id }, orderBy: { createdAt: 'asc' } });
    expect(messages.map((m) => [m.direction, m.channel, m.text, m.status])).toEqual([
      ['in', 'sms', 'my order #12', 'received'],
      ['out', 'sms', 'Got your order, ', 'queued'],
      ['in', 'sms', 'just saying hi', 'received'],
    ]);
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(1);

    // Twilio's status callback for the reply updates it.
    const out = messages[1]!;
    const cb = await twilio.sendStatusCallback({ url: hook(), messageSid: out.providerMessageId!, status: 'delivered' });
    expect(cb.status).toBe(200);
    await eventually(async () => ((await t.prisma.message.findUnique({ where: { id: out.id } }))?.status === 'delivered' ? true : undefined));
  });

  it('wakes a waiting run with the reply instead of starting another, and answers on the channel last used', async () => {
    const flowId = await publish({
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['sms'], filter: { in: ['help', { var: 'trigger.message.text' }] } },
      nodes: [
        { id: 'ask', type: 'action', action: 'conversations.reply', input: { contact: '{{ contact.id }}', text: 'What is your order number?' } },
        { id: 'answer', type: 'wait', for: 'reply', timeout: 'P1D' },
        { id: 'thanks', type: 'action', action: 'conversations.reply', input: { contact: '{{ contact.id }}', text: 'Thanks, looking up {{ steps.answer.output.message.text }}' } },
        { id: 'late', type: 'action', action: 'conversations.reply', input: { contact: '{{ contact.id }}', text: 'Still there?' } },
      ],
      edges: [
        { from: 'trigger', to: 'ask' },
        { from: 'ask', to: 'answer' },
        { from: 'answer', to: 'thanks', branch: 'received' },
        { from: 'answer', to: 'late', branch: 'timeout' },
      ],
    });
    const from = customer();
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'help please' });
    const [started] = await runsOf(flowId, 1);
    await run(started!.id, (s) => s === 'waiting');
    await eventually(async () => ((await t.prisma.runWait.count({ where: { runId: started!.id } })) === 1 ? true : undefined));

    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'help: number 77' });
    const done = await run(started!.id, (s) => s === 'completed' || s === 'failed');
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    const steps = Object.fromEntries((done.steps as { nodeId: string }[]).map((s) => [s.nodeId, s]));
    expect(steps.answer).toMatchObject({ status: 'completed', branch: 'received', output: { channel: 'sms', message: { text: 'help: number 77' } } });
    expect(steps.late).toMatchObject({ status: 'skipped' });
    // The reply woke the run: it did not start a second one, though it matches the trigger.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runsOf(flowId, 1)).toHaveLength(1);
    expect(twilio.created.filter((m) => m.To === from).map((m) => m.Body)).toEqual(['What is your order number?', 'Thanks, looking up help: number 77']);
    expect(await t.prisma.runWait.count({ where: { runId: started!.id } })).toBe(0);
  });

  it('records STOP as the contact\'s SMS opt-out and fails later sends without sending', async () => {
    const from = customer();
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'STOP' });
    const contact = await eventually(() => contactByPhone(from));
    await eventually(async () => ((await t.prisma.consent.findUnique({ where: { contactId_channel: { contactId: contact.id, channel: 'sms' } } }))?.status === 'opted_out' ? true : undefined));

    const flowId = await publish({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [{ id: 'promo', type: 'action', action: 'sms.send', input: { account: smsAccount, to: from, body: 'Sale!' } }],
      edges: [{ from: 'trigger', to: 'promo' }],
    });
    const { webhookUrl } = (await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
    const runId = (await t.app.inject({ method: 'POST', url: new URL(webhookUrl).pathname, payload: {} })).json().runId;
    const failed = await run(runId, (s) => s === 'failed' || s === 'completed');
    expect(failed.status).toBe('failed');
    const step = failed.steps.find((s: { nodeId: string }) => s.nodeId === 'promo');
    expect(step).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'OPTED_OUT', retryable: false } });
    expect(step.error.message).toMatch(/opted out of sms/);
    expect(twilio.created.filter((m) => m.To === from)).toEqual([]);

    // START opts back in.
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'START' });
    await eventually(async () => ((await t.prisma.consent.findUnique({ where: { contactId_channel: { contactId: contact.id, channel: 'sms' } } }))?.status === 'opted_in' ? true : undefined));
  });
});
