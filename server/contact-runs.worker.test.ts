// A contact's open runs (`GET /api/runs?contactId=`), on the real PostgreSQL and Temporal server with a real worker:
// channel-message runs record their contact in the ConfluoContactId search attribute, so the inbox can list them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactEventRelay } from '../worker/contact-event-relay.js';
import { eventually } from './test-app.js';
import { startChannelHarness, type ChannelHarness } from './test-channels.js';

let h: ChannelHarness;
let account: string;
let flowId: string;
let sent = 0;

beforeAll(async () => {
  h = await startChannelHarness();
  account = (await h.createAccount({ connector: 'webchat', name: 'Site', credentials: {}, settings: {} })).id;
  // Waits a day for the customer's reply: open (waiting) for the whole test.
  flowId = await h.publish({
    schemaVersion: 1,
    trigger: {
      type: 'channel.message',
      channels: ['webchat'],
      filter: { in: ['#help', { var: 'trigger.message.text' }] },
    },
    nodes: [{ id: 'reply', type: 'wait', for: 'reply', timeout: 'P1D' }],
    edges: [{ from: 'trigger', to: 'reply' }],
  });
});

afterAll(async () => {
  await h?.close();
});

/** A web chat visitor who writes `text`; the contact the worker filed them under. */
async function visitorWrites(text: string): Promise<{ id: string }> {
  const session = await fetch(`${h.base}/webchat/${account}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(session.status).toBe(200);
  const v = (await session.json()) as { visitorId: string; token: string };
  const res = await fetch(`${h.base}/hooks/channels/${account}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...v, text, clientMessageId: `m${++sent}` }),
  });
  expect(res.status).toBe(202);
  return eventually(() => h.contactBy('webchat', v.visitorId), 30_000);
}

const runsOf = async (query: string) => {
  const res = await h.t.api({ method: 'GET', url: `/api/runs?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { id: string; flowId: string; status: string; contactId?: string }[];
};

describe('runs of a contact', () => {
  it("lists a contact's waiting channel-message run by contactId, and not another contact's", async () => {
    const ada = await visitorWrites('#help where is my order?');
    const bo = await visitorWrites('#help my parcel is late');
    expect(ada.id).not.toBe(bo.id);

    const [adaRun] = await eventually(async () => {
      const items = await runsOf(`contactId=${ada.id}&status=waiting`);
      return items.length > 0 ? items : undefined;
    }, 30_000);
    const [boRun] = await eventually(async () => {
      const items = await runsOf(`contactId=${bo.id}&status=waiting`);
      return items.length > 0 ? items : undefined;
    }, 30_000);
    expect(adaRun).toMatchObject({ flowId, status: 'waiting', contactId: ada.id });
    expect(boRun).toMatchObject({ flowId, status: 'waiting', contactId: bo.id });
    expect(adaRun!.id).not.toBe(boRun!.id);

    // Each contact's list holds its own run only, with or without a status filter.
    expect((await runsOf(`contactId=${ada.id}`)).map((r) => r.id)).toEqual([adaRun!.id]);
    expect((await runsOf(`contactId=${bo.id}&status=waiting`)).map((r) => r.id)).toEqual([boRun!.id]);
    expect(await runsOf(`contactId=${ada.id}&status=completed`)).toEqual([]);
    // The flow's list has both; the run detail names its contact too.
    expect((await runsOf(`flowId=${flowId}`)).map((r) => r.id).sort()).toEqual([adaRun!.id, boRun!.id].sort());
    const detail = (await h.t.api({ method: 'GET', url: `/api/runs/${adaRun!.id}` })).json();
    expect(detail).toMatchObject({ id: adaRun!.id, status: 'waiting', contactId: ada.id });

    // Bo merged into Ada: Ada's list holds both runs (Bo's keeps its contact id); Bo's row still lists its own.
    const merge = await h.t.api({
      method: 'POST',
      url: `/api/contacts/${ada.id}/merge`,
      payload: { contactId: bo.id },
    });
    expect(merge.statusCode, merge.body).toBe(200);
    expect((await runsOf(`contactId=${ada.id}&status=waiting`)).map((r) => r.id).sort()).toEqual(
      [adaRun!.id, boRun!.id].sort(),
    );
    expect((await runsOf(`contactId=${bo.id}`)).map((r) => r.id)).toEqual([boRun!.id]);
    const undo = await h.t.api({ method: 'POST', url: `/api/contact-merges/${merge.json().merge.id}/undo` });
    expect(undo.statusCode, undo.body).toBe(200);
    expect((await runsOf(`contactId=${ada.id}`)).map((r) => r.id)).toEqual([adaRun!.id]);
  });

  it('lists a contact-event run under the contact whose event started it', async () => {
    // Tagged → wait a day for the customer's reply (open meanwhile).
    const tagged = await h.publish({
      schemaVersion: 1,
      trigger: { type: 'contact.updated', fields: ['tags'] },
      nodes: [{ id: 'reply', type: 'wait', for: 'reply', timeout: 'P1D' }],
      edges: [{ from: 'trigger', to: 'reply' }],
    });
    const cy = await visitorWrites('just browsing');
    const dee = await visitorWrites('just looking');
    const res = await h.t.api({ method: 'PATCH', url: `/api/contacts/${cy.id}`, payload: { tags: ['vip'] } });
    expect(res.statusCode, res.body).toBe(200);
    // The harness's app runs no relay of its own: this one starts the runs of the events written so far.
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    await createContactEventRelay({
      prisma: h.t.prisma,
      workflows: h.t.app.workflows,
      logger: silent,
      workspaces: [h.t.workspaceId],
    }).drain();
    const [run] = await eventually(async () => {
      const items = await runsOf(`flowId=${tagged}&contactId=${cy.id}&status=waiting`);
      return items.length > 0 ? items : undefined;
    }, 30_000);
    expect(run).toMatchObject({ flowId: tagged, contactId: cy.id });
    expect(await runsOf(`flowId=${tagged}&contactId=${dee.id}`)).toEqual([]);
  });

  it('refuses a contactId that is not an id, naming the field', async () => {
    for (const bad of ['a"b', 'x'.repeat(101), 'ct%20x']) {
      const res = await h.t.api({ method: 'GET', url: `/api/runs?contactId=${bad}` });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.issues[0].path).toBe('/query/contactId');
    }
  });
});
