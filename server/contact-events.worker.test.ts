// Contact events as flow triggers, end to end: a change through the API or a run writes its event with the change,
// the app's relay (scoped to the test workspace) starts the flows whose trigger fits, once, on the real Temporal server
// with a real worker.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactEventRelay } from '../worker/contact-event-relay.js';
import { testContacts } from '../test/contacts.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let t: TestApp;
let worker: TestWorker;
let email = 0;

beforeAll(async () => {
  t = await startTestApp({ contactEvents: true });
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

/** A flow whose trigger is `trigger`, with one set node echoing what the run saw. */
async function publish(trigger: object, nodes?: object[]): Promise<string> {
  const definition = {
    schemaVersion: 1,
    trigger,
    nodes: nodes ?? [
      {
        id: 'saw',
        type: 'set',
        values: { event: '{{ trigger.event }}', contact: '{{ contact.id }}', name: '{{ contact.name }}' },
      },
    ],
    edges: [{ from: 'trigger', to: (nodes?.[0] as { id: string } | undefined)?.id ?? 'saw' }],
  };
  const flow = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'events', definition } })).json();
  const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
  expect(res.statusCode, res.body).toBe(201);
  return flow.id;
}

/** The flow's completed runs' details, once there are `n` (visibility is eventually consistent), oldest first. */
async function runsOf(flowId: string, n: number) {
  const items = await eventually(async () => {
    const list = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=completed` })).json().items;
    return list.length >= n ? list : undefined;
  }, 30_000);
  const runs = await Promise.all(
    items.map(async (r: { id: string }) => (await t.api({ method: 'GET', url: `/api/runs/${r.id}` })).json()),
  );
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
}

/** Every run of the flow, open or closed, after the relay has had time for whatever is pending. */
async function settledCount(flowId: string): Promise<number> {
  await createContactEventRelay({
    prisma: t.prisma,
    workflows: t.app.workflows,
    logger: silent,
    workspaces: [t.workspaceId],
  }).drain();
  await new Promise((r) => setTimeout(r, 1500));
  return (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json().items.length;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const newContact = async (name: string, extra: { attributes?: Record<string, string> } = {}) =>
  (
    await testContacts(t.prisma).upsert(t.workspaceId, {
      name,
      identities: [{ kind: 'email', value: `person${++email}.${Date.now()}@example.com` }],
      ...extra,
    })
  ).contact;

describe('contact events as triggers', () => {
  it('starts a contact.created flow once per new contact, with the contact, and not for contacts from before it', async () => {
    const before = await newContact('Before Publish');
    const flowId = await publish({ type: 'contact.created' });
    const ann = await newContact('Ann Lee');
    const [run] = await runsOf(flowId, 1);
    expect(run.trigger).toMatchObject({ event: 'contact.created', contactId: ann.id, by: { type: 'api' } });
    expect(run.steps[0].output).toEqual({ event: 'contact.created', contact: ann.id, name: 'Ann Lee' });
    // The same contact written again is no new contact; the one from before publishing never starts it.
    await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: ann.identities.map(({ kind, value }) => ({ kind, value })),
    });
    expect(await settledCount(flowId)).toBe(1);
    expect(before.id).not.toBe(ann.id);
  });

  it('starts a contact.updated flow only for the fields it names, with what changed', async () => {
    const flowId = await publish({ type: 'contact.updated', fields: ['attributes.plan'] });
    const c = await newContact('Plan Person', { attributes: { plan: 'free' } });
    const patch = (payload: object) => t.api({ method: 'PATCH', url: `/api/contacts/${c.id}`, payload });
    expect((await patch({ name: 'Plan Person Renamed' })).statusCode).toBe(200);
    expect((await patch({ attributes: { plan: 'pro' } })).statusCode).toBe(200);
    const [run] = await runsOf(flowId, 1);
    expect(run.trigger).toMatchObject({
      event: 'contact.updated',
      fields: ['attributes.plan'],
      changes: { 'attributes.plan': { from: 'free', to: 'pro' } },
    });
    expect(await settledCount(flowId)).toBe(1);
  });

  it('starts an identity.added flow for the kinds it names, and a filter decides on trigger and contact', async () => {
    const flowId = await publish({
      type: 'identity.added',
      kinds: ['phone'],
      filter: { '==': [{ var: 'contact.name' }, 'Phone Fan'] },
    });
    const fan = await newContact('Phone Fan');
    const other = await newContact('Someone Else');
    const add = (id: string, kind: string, value: string) =>
      t.api({ method: 'POST', url: `/api/contacts/${id}/identities`, payload: { kind, value } });
    expect((await add(fan.id, 'email', `fan.${Date.now()}@example.org`)).statusCode).toBe(201);
    expect((await add(other.id, 'phone', `+1415555${String(Date.now()).slice(-4)}`)).statusCode).toBe(201);
    expect((await add(fan.id, 'phone', `+1212555${String(Date.now()).slice(-4)}`)).statusCode).toBe(201);
    const [run] = await runsOf(flowId, 1);
    expect(run.trigger).toMatchObject({
      event: 'identity.added',
      contactId: fan.id,
      identity: { kind: 'phone', valid: true, verified: false },
    });
    expect(await settledCount(flowId)).toBe(1);
  });

  it('starts contact.merged and contact.unmerged flows with the merge', async () => {
    const merged = await publish({ type: 'contact.merged' });
    const unmerged = await publish({ type: 'contact.unmerged' });
    const a = await newContact('Merge Keep');
    const b = await newContact('Merge Gone');
    const res = await t.api({ method: 'POST', url: `/api/contacts/${a.id}/merge`, payload: { contactId: b.id } });
    expect(res.statusCode, res.body).toBe(200);
    const mergeId = res.json().merge.id;
    const [m] = await runsOf(merged, 1);
    expect(m.trigger).toMatchObject({ event: 'contact.merged', contactId: a.id, mergeId, mergedContactId: b.id });
    expect(m.steps[0].output.contact).toBe(a.id);
    expect((await t.api({ method: 'POST', url: `/api/contact-merges/${mergeId}/undo` })).statusCode).toBe(200);
    const [u] = await runsOf(unmerged, 1);
    expect(u.trigger).toMatchObject({ event: 'contact.unmerged', contactId: a.id, mergeId, restoredContactId: b.id });
  });

  it('does not start a flow again on the change its own run made, but starts the other flows on it', async () => {
    const looping = await publish({ type: 'contact.updated' }, [
      {
        id: 'bump',
        type: 'action',
        action: 'contacts.upsert',
        input: { email: '{{ contact.identities[0].value }}', attributes: { touched: '{{ trigger.eventId }}' } },
      },
    ]);
    const watcher = await publish({ type: 'contact.updated', fields: ['attributes.touched'] });
    const c = await newContact('Loop Person');
    await t.api({ method: 'PATCH', url: `/api/contacts/${c.id}`, payload: { attributes: { x: '1' } } });
    const [run] = await runsOf(looping, 1);
    expect(run.steps[0]).toMatchObject({ status: 'completed' });
    // The run's write is a contact.updated the watcher starts on; the looping flow does not start on it.
    const [seen] = await runsOf(watcher, 1);
    expect(seen.trigger).toMatchObject({ fields: ['attributes.touched'], by: { type: 'run', flowId: looping } });
    expect(await settledCount(looping)).toBe(1);
  });

  it('starts nothing twice when events are relayed again (a relay that died before marking its batch)', async () => {
    const flowId = await publish({ type: 'contact.created' });
    await newContact('Twice Person');
    await runsOf(flowId, 1);
    // As if the batch's mark never committed: every event of the workspace pending again, relayed again.
    await t.prisma.contactEvent.updateMany({ where: { workspaceId: t.workspaceId }, data: { dispatchedAt: null } });
    expect(await settledCount(flowId)).toBe(1);
  });
});
