// Platform events as flow triggers, end to end on the real Temporal dev server and PostgreSQL (README.md "Platform
// events"): conversations opened and closed (through the API and by an inbound SMS from Twilio's fake), a message that
// fails (the provider refusing the send, or a failed delivery status, retried), and failed runs, which start run.failed
// flows (narrowed by flow) and the workspace's error flow, whose own failure starts nothing. Each starts its flows once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioFake, type TwilioFake } from '../connectors/testkit/index.js';
import { createContactEventRelay, type ContactEventRelay } from '../worker/contact-event-relay.js';
import { eventually } from './test-app.js';
import { settledStatus, startChannelHarness, type ChannelHarness } from './test-channels.js';

const BUSINESS = '+14155550100';
const TWILIO = { accountSid: `AC${'7'.repeat(32)}`, authToken: 'tw-token' };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let h: ChannelHarness;
let twilio: TwilioFake;
let sms: { id: string; inboundUrl: string };
let relay: ContactEventRelay;
let phones = 0;

beforeAll(async () => {
  h = await startChannelHarness();
  twilio = await startTwilioFake(TWILIO);
  sms = await h.createAccount({
    connector: 'sms',
    name: 'SMS',
    credentials: TWILIO,
    settings: { from: BUSINESS, apiBaseUrl: twilio.url },
  });
  relay = createContactEventRelay({
    prisma: h.t.prisma,
    workflows: h.t.app.workflows,
    logger: silent,
    pollMs: 50,
    workspaces: [h.t.workspaceId],
  });
  relay.start();
});

afterAll(async () => {
  await relay?.stop();
  await twilio?.close();
  await h?.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  h.t.api({ method, url, ...(payload && { payload }) });

/** A flow on `trigger` whose one step echoes `values` (templated over the run's trigger and contact). */
const echo = (trigger: object, values: object) => ({
  schemaVersion: 1,
  trigger,
  nodes: [{ id: 'saw', type: 'set', values }],
  edges: [{ from: 'trigger', to: 'saw' }],
});
const failing = (trigger: object = { type: 'webhook' }, first?: object) => ({
  schemaVersion: 1,
  trigger,
  nodes: [
    ...(first ? [first] : []),
    {
      id: 'call',
      type: 'action',
      name: 'Call the shop',
      action: 'http.request',
      input: { method: 'GET', url: 'http://127.0.0.1:1/nothing-listens' },
      retry: { maxAttempts: 1 },
    },
  ],
  edges: first
    ? [
        { from: 'trigger', to: (first as { id: string }).id },
        { from: (first as { id: string }).id, to: 'call' },
      ]
    : [{ from: 'trigger', to: 'call' }],
});

type Run = { id: string; status: string; trigger: any; steps: { nodeId: string; output?: any }[] };

/** Every run of the flow, in detail, once settled, after the relay has had time for whatever is pending. */
async function settledRuns(flowId: string, want: number): Promise<Run[]> {
  await relay.drain();
  const items = await eventually(async () => {
    const list = (await api('GET', `/api/runs?flowId=${flowId}`)).json().items as { id: string; status: string }[];
    return list.length >= want && list.every((r) => settledStatus(r.status)) ? list : undefined;
  }, 30_000);
  const runs = await Promise.all(items.map(async (r) => (await api('GET', `/api/runs/${r.id}`)).json() as Run));
  return runs.sort((a, b) => (a.trigger.eventId < b.trigger.eventId ? -1 : 1));
}
/** The same, after a pause long enough for a run that should not exist to have been started. */
async function finalRuns(flowId: string, want: number): Promise<Run[]> {
  await new Promise((r) => setTimeout(r, 1500));
  return settledRuns(flowId, want);
}
const saw = (run: Run) => run.steps.find((s) => s.nodeId === 'saw')?.output;

async function inboundSms(from: string, body: string) {
  const res = await twilio.sendInboundSms({ url: sms.inboundUrl, from, to: BUSINESS, body });
  expect(res.status).toBe(200);
}
const newPhone = () => `+1415555${String(1000 + (Date.now() % 8000) + ++phones).slice(-4)}`;

/** The conversation of the contact with this phone, once its message is filed. */
async function conversationOf(phone: string): Promise<{ id: string; contact: { id: string }; status: string }> {
  const contact = await eventually(() => h.contactBy('phone', phone));
  return eventually(async () => {
    const items = (await api('GET', '/api/conversations?limit=100')).json().items as any[];
    return items.find((c) => c.contact.id === contact.id);
  });
}

describe('conversation events', () => {
  it('starts conversation.opened on the first message, a reopen and a message on a closed one; .closed on each close', async () => {
    const values = { reason: '{{ trigger.reason }}', channel: '{{ trigger.channel }}', contact: '{{ contact.id }}' };
    const opened = await h.publish(echo({ type: 'conversation.opened' }, values));
    const closed = await h.publish(
      echo({ type: 'conversation.closed', channels: ['sms'] }, { ...values, by: '{{ trigger.by.type }}' }),
    );
    const whatsappOnly = await h.publish(echo({ type: 'conversation.opened', channels: ['whatsapp'] }, values));

    const phone = newPhone();
    await inboundSms(phone, 'hello, is my order shipped?');
    const conversation = await conversationOf(phone);
    expect(conversation.status).toBe('open');
    const mine = (runs: Run[]) => runs.filter((r) => r.trigger.contactId === conversation.contact.id);
    const [first] = mine(await settledRuns(opened, 1));
    expect(first!.trigger).toMatchObject({
      event: 'conversation.opened',
      conversationId: conversation.id,
      channel: 'sms',
      accountId: sms.id,
      reason: 'created',
      by: { type: 'message' },
    });
    expect(saw(first!)).toEqual({ reason: 'created', channel: 'sms', contact: conversation.contact.id });

    // Closed through the API: once, however often it is asked.
    const close = await api('POST', `/api/conversations/${conversation.id}/close`);
    expect(close.statusCode, close.body).toBe(200);
    expect(close.json()).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
    expect((await api('POST', `/api/conversations/${conversation.id}/close`)).json().status).toBe('closed');
    const [closing] = mine(await settledRuns(closed, 1));
    expect(closing!.trigger).toMatchObject({ event: 'conversation.closed', conversationId: conversation.id });
    expect(saw(closing!)).toMatchObject({ channel: 'sms', by: 'api' });

    // Reopened through the API, closed again, then a message from the customer opens it again.
    expect((await api('POST', `/api/conversations/${conversation.id}/reopen`)).json().status).toBe('open');
    expect((await api('POST', `/api/conversations/${conversation.id}/close`)).statusCode).toBe(200);
    await inboundSms(phone, 'one more thing');
    await eventually(async () =>
      (await api('GET', `/api/conversations/${conversation.id}`)).json().status === 'open' ? true : undefined,
    );

    const openings = mine(await finalRuns(opened, 3));
    expect(openings.map((r) => r.trigger.reason)).toEqual(['created', 'reopened', 'message']);
    expect(mine(await finalRuns(closed, 2))).toHaveLength(2);
    expect(mine(await finalRuns(whatsappOnly, 0))).toHaveLength(0);
    expect((await api('POST', '/api/conversations/cnv_nope/close')).statusCode).toBe(404);
  });
});

describe('message.failed', () => {
  it('starts once for a failed delivery status, even when the callback comes again', async () => {
    const flowId = await h.publish(
      echo(
        { type: 'message.failed', channels: ['sms'] },
        { message: '{{ trigger.messageId }}', error: '{{ trigger.error.message }}', contact: '{{ contact.id }}' },
      ),
    );
    const phone = newPhone();
    await inboundSms(phone, 'please text me back');
    const conversation = await conversationOf(phone);
    const sent = await api('POST', `/api/conversations/${conversation.id}/messages`, { text: 'On its way!' });
    expect(sent.statusCode, sent.body).toBe(201);
    const message = sent.json().message;
    const callback = twilio.created.at(-1)!.StatusCallback as string;
    const undelivered = { url: callback, messageSid: message.providerMessageId, status: 'undelivered' };
    for (const delivery of [undelivered, undelivered, { ...undelivered, status: 'failed' }])
      expect((await twilio.sendStatusCallback({ ...delivery, errorCode: '30003' })).status).toBe(200);

    const runs = (await finalRuns(flowId, 1)).filter((r) => r.trigger.messageId === message.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toMatchObject({
      event: 'message.failed',
      conversationId: conversation.id,
      channel: 'sms',
      accountId: sms.id,
      text: 'On its way!',
      providerMessageId: message.providerMessageId,
    });
    expect(saw(runs[0]!)).toMatchObject({ message: message.id, contact: conversation.contact.id });
  });

  it('starts once when the provider refuses the send', async () => {
    const flowId = await h.publish(
      echo({ type: 'message.failed' }, { code: '{{ trigger.error.code }}', error: '{{ trigger.error.message }}' }),
    );
    const phone = newPhone();
    await inboundSms(phone, 'hi');
    const conversation = await conversationOf(phone);
    twilio.failNextCreate({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const refused = await api('POST', `/api/conversations/${conversation.id}/messages`, { text: 'Hello there' });
    expect(refused.statusCode, refused.body).toBe(422);
    const runs = (await finalRuns(flowId, 1)).filter((r) => r.trigger.conversationId === conversation.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toMatchObject({ event: 'message.failed', text: 'Hello there', channel: 'sms' });
    expect(saw(runs[0]!).error).toContain('21211');
    expect(saw(runs[0]!).code).toEqual(expect.any(String));
  });
});

describe('message.failed without a cascade', () => {
  it("does not start again when the reply a message.failed run sent fails too, nor from a sub-flow's send", async () => {
    const replyNode = (id: string) => ({
      id,
      type: 'action',
      action: 'conversations.reply',
      input: { contact: '{{ contact.id }}', text: 'Sorry, your message did not reach us: please try again' },
      retry: { maxAttempts: 1 },
    });
    // The reply itself, and the same reply made by a sub-flow the failing flow calls.
    const apology = await h.publish({
      schemaVersion: 1,
      trigger: { type: 'message.failed', channels: ['sms'] },
      nodes: [replyNode('apologise')],
      edges: [{ from: 'trigger', to: 'apologise' }],
    });
    const helper = await h.publish({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [replyNode('apologise')],
      edges: [{ from: 'trigger', to: 'apologise' }],
    });
    const viaSubflow = await h.publish({
      schemaVersion: 1,
      trigger: { type: 'message.failed', channels: ['sms'] },
      nodes: [{ id: 'call', type: 'subflow', flow: helper }],
      edges: [{ from: 'trigger', to: 'call' }],
    });

    const phone = newPhone();
    await inboundSms(phone, 'where is my parcel?');
    const conversation = await conversationOf(phone);
    const before = twilio.messages.length;
    const sent = await api('POST', `/api/conversations/${conversation.id}/messages`, { text: 'Tomorrow!' });
    expect(sent.statusCode, sent.body).toBe(201);
    const fail = async (sid: string) => {
      const callback = twilio.created[twilio.messages.findIndex((m) => m.sid === sid)]!.StatusCallback as string;
      const res = await twilio.sendStatusCallback({
        url: callback,
        messageSid: sid,
        status: 'failed',
        errorCode: '30003',
      });
      expect(res.status).toBe(200);
    };
    await fail(sent.json().message.providerMessageId);

    // Each flow replies once; both replies fail as well.
    const mine = (runs: Run[]) => runs.filter((r) => r.trigger.conversationId === conversation.id);
    for (const flowId of [apology, viaSubflow]) {
      const runs = mine(await settledRuns(flowId, 1));
      expect(runs.map((r) => r.status)).toEqual(['completed']);
    }
    const replies = await eventually(async () => {
      const out = twilio.messages.slice(before).filter((m) => (m.body ?? '').startsWith('Sorry'));
      return out.length === 2 ? out : undefined;
    });
    for (const reply of replies) await fail(reply.sid);

    // Neither starts again: the failures of what message.failed runs sent record no message.failed.
    for (const flowId of [apology, viaSubflow]) expect(mine(await finalRuns(flowId, 1))).toHaveLength(1);
    expect(twilio.messages.slice(before).filter((m) => (m.body ?? '').startsWith('Sorry'))).toHaveLength(2);
    const messages = (await api('GET', `/api/conversations/${conversation.id}/messages`)).json().items as any[];
    expect(messages.filter((m) => m.direction === 'out').map((m) => m.status)).toEqual(['failed', 'failed', 'failed']);
  });
});

describe('run.failed and the error flow', () => {
  it('starts the error flow with run, step and error; its own failure starts nothing; run.failed flows by flow', async () => {
    const create = async (name: string, definition: object) => {
      const res = await api('POST', '/api/flows', { name, definition });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const publish = async (id: string) => {
      const res = await api('POST', `/api/flows/${id}/publish`);
      expect(res.statusCode, res.body).toBe(201);
      return new URL(res.json().webhookUrl).pathname;
    };
    const shop = await create('Shop sync', failing());
    const other = await create('Other', failing());
    // The error flow notes what it saw, then fails itself.
    const errorFlow = await create(
      'On error',
      failing(
        { type: 'webhook' },
        {
          id: 'saw',
          type: 'set',
          values: {
            run: '{{ trigger.run.id }}',
            flow: '{{ trigger.run.flowName }}',
            step: '{{ trigger.step.id }}',
            stepName: '{{ trigger.step.name }}',
            error: '{{ trigger.error.message }}',
            errorFlow: '{{ trigger.errorFlow }}',
          },
        },
      ),
    );
    // A run.failed trigger names published flows (refused at publish otherwise).
    const shopHook = await publish(shop);
    const otherHook = await publish(other);
    const onShop = await h.publish(
      echo(
        { type: 'run.failed', flows: [shop] },
        { flow: '{{ trigger.run.flowId }}', code: '{{ trigger.error.code }}' },
      ),
    );

    // Only a published flow of the workspace can be the error flow.
    const unpublished = await api('PATCH', '/api/workspace-settings', { errorFlowId: errorFlow });
    expect(unpublished.statusCode).toBe(400);
    expect(unpublished.json().error.issues).toEqual([
      expect.objectContaining({ path: '/body/errorFlowId', code: 'unknown_flow' }),
    ]);
    const errorHook = await publish(errorFlow);
    const set = await api('PATCH', '/api/workspace-settings', { errorFlowId: errorFlow });
    expect(set.statusCode, set.body).toBe(200);
    expect((await api('GET', '/api/workspace-settings')).json()).toEqual({ errorFlowId: errorFlow });

    // A run.failed flow that fails itself: no cascade (neither the error flow nor itself starts on its failure).
    const failingWatcher = await h.publish(failing({ type: 'run.failed', flows: [shop] }));
    const fire = async (hook: string) =>
      (await h.t.app.inject({ method: 'POST', url: hook, payload: {} })).json().runId;
    const shopRun = await fire(shopHook);

    const [handled] = await settledRuns(errorFlow, 1);
    expect(handled!.status).toBe('failed'); // the error flow failed too ...
    expect(handled!.trigger).toMatchObject({
      event: 'run.failed',
      errorFlow: true,
      run: { id: shopRun, flowId: shop, flowName: 'Shop sync', version: 1 },
      step: { id: 'call', type: 'action', name: 'Call the shop' },
      error: { message: expect.any(String) },
    });
    expect(saw(handled!)).toMatchObject({ run: shopRun, flow: 'Shop sync', step: 'call', stepName: 'Call the shop' });
    expect(saw(handled!).error).toBe(handled!.trigger.error.message);
    // The failed run itself failed as it would have: its own error, its own step.
    const shopDetail = (await api('GET', `/api/runs/${shopRun}`)).json();
    expect(shopDetail).toMatchObject({ status: 'failed', error: { failedStep: 'call' } });

    const [seen] = await settledRuns(onShop, 1);
    expect(saw(seen!)).toMatchObject({ flow: shop });

    // Another flow's failure: the error flow again, not the run.failed flow narrowed to the shop's.
    const otherRun = await fire(otherHook);
    const handledBoth = await settledRuns(errorFlow, 2);
    expect(handledBoth.map((r) => r.trigger.run.id).sort()).toEqual([shopRun, otherRun].sort());
    // ... and the error flow run directly, failing, does not start itself either.
    await fire(errorHook);
    expect(await finalRuns(errorFlow, 3)).toHaveLength(3);
    expect((await finalRuns(errorFlow, 3)).filter((r) => r.trigger.errorFlow === true)).toHaveLength(2);
    expect(await finalRuns(onShop, 1)).toHaveLength(1);
    const watched = await finalRuns(failingWatcher, 1);
    expect(watched.map((r) => [r.status, r.trigger.run.id])).toEqual([['failed', shopRun]]);

    // Turned off: a failure starts no error flow.
    expect((await api('PATCH', '/api/workspace-settings', { errorFlowId: null })).json()).toEqual({
      errorFlowId: null,
    });
    const unhandled = await fire(otherHook);
    // Failed: its event (recorded before the run failed) is in the outbox, and the relay drains it below.
    await eventually(async () =>
      (await api('GET', `/api/runs/${unhandled}`)).json().status === 'failed' ? true : undefined,
    );
    expect((await finalRuns(errorFlow, 3)).filter((r) => r.trigger.errorFlow === true)).toHaveLength(2);
  });

  it("starts the error flow once for a sub-flow's failure: for the parent, not for its failing child", async () => {
    const create = async (definition: object) => {
      const res = await api('POST', '/api/flows', { name: 'nested', definition });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json().id as string;
      const published = await api('POST', `/api/flows/${id}/publish`);
      expect(published.statusCode, published.body).toBe(201);
      return { id, hook: new URL(published.json().webhookUrl).pathname };
    };
    const child = await create(failing());
    const parent = await create({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [{ id: 'sub', type: 'subflow', flow: child.id }],
      edges: [{ from: 'trigger', to: 'sub' }],
    });
    const errorFlow = await create(
      echo({ type: 'webhook' }, { flow: '{{ trigger.run.flowId }}', code: '{{ trigger.error.code }}' }),
    );
    expect((await api('PATCH', '/api/workspace-settings', { errorFlowId: errorFlow.id })).statusCode).toBe(200);
    const runId = (await h.t.app.inject({ method: 'POST', url: parent.hook, payload: {} })).json().runId;
    const [handled, ...more] = await finalRuns(errorFlow.id, 1);
    expect(more).toHaveLength(0);
    expect(handled!.trigger).toMatchObject({
      run: { id: runId, flowId: parent.id },
      step: { id: 'sub', type: 'subflow' },
    });
    expect(saw(handled!)).toEqual({ flow: parent.id, code: 'SUBFLOW_FAILED' });
    expect((await api('PATCH', '/api/workspace-settings', { errorFlowId: null })).statusCode).toBe(200);
  });
});
