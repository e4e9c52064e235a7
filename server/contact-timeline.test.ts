// GET /api/contacts/:id/timeline over the real stores: every event type (messages on two channels, a note, identities
// added and detached with their run step or CRM record, a change with from→to, a merge and its undo on both sides,
// the CRM's change, sync and failure), the type and channel filters, keyset pages without gaps or repeats (ties and
// events arriving meanwhile included), every bad query value a 400 naming it, and pruning the outbox keeping the
// timeline's history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactEventStore } from '../prisma/contact-events.js';
import { createCrmSyncStore } from '../prisma/crm-sync.js';
import { newId } from '../prisma/ids.js';
import { createWorkspace } from '../test/env.js';
import { testContacts } from '../test/contacts.js';
import { startTestApp, type TestApp } from './test-app.js';

interface Event {
  id: string;
  type: string;
  at: string;
  contactId?: string;
  identity?: { kind: string; value: string };
  message?: { id: string; channel: string; text: string | null; status: string };
  note?: { text: string };
  merge?: { id: string; survivor: { id: string; name: string | null }; merged: { id: string; name: string | null } };
  changes?: { field: string; from: unknown; to: unknown }[];
  crm?: { accountId: string; connector: string; recordId: string | null; sent?: unknown; error?: unknown };
  source?: string;
  runId?: string;
  nodeId?: string;
}

let t: TestApp;
let other: string;
beforeAll(async () => {
  t = await startTestApp();
  other = await createWorkspace(t.prisma);
});
afterAll(async () => t?.close());

const timeline = async (id: string, query = '') => {
  const res = await t.api({ method: 'GET', url: `/api/contacts/${id}/timeline${query && `?${query}`}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Event[]; nextCursor?: string };
};
const all = async (id: string, query = '') => (await timeline(id, `limit=200${query && `&${query}`}`)).items;

/** Every page of `limit`, following nextCursor; the items in order. */
async function paged(id: string, limit: number, query = '', between?: () => Promise<void>) {
  const items: Event[] = [];
  let before: string | undefined;
  for (let n = 0; n < 100; n++) {
    const page = await timeline(id, `limit=${limit}${query && `&${query}`}${before ? `&before=${before}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (!page.nextCursor) return items;
    expect(page.items).toHaveLength(limit);
    before = page.nextCursor;
    await between?.();
  }
  throw new Error('more than 100 pages');
}

async function conversation(contactId: string) {
  const id = newId('cnv');
  await t.prisma.conversation.create({ data: { id, workspaceId: t.workspaceId, contactId } });
  return id;
}

async function message(
  contactId: string,
  conversationId: string,
  m: { direction: 'in' | 'out'; channel: string; text: string; sentAt: Date; source?: string },
) {
  const id = newId('msg');
  await t.prisma.message.create({
    data: {
      id,
      workspaceId: t.workspaceId,
      conversationId,
      contactId,
      direction: m.direction,
      channel: m.channel,
      accountId: `cha_${m.channel}`,
      status: m.direction === 'in' ? 'received' : 'sent',
      address: { kind: 'phone', value: '+14155550100' },
      text: m.text,
      sentAt: m.sentAt,
      ...(m.source && { source: m.source }),
    },
  });
  return id;
}

const sortedNewestFirst = (items: Event[]) =>
  items.every((e, i) => i === 0 || Date.parse(items[i - 1]!.at) >= Date.parse(e.at));

describe('GET /api/contacts/:id/timeline', () => {
  let ann: string;
  let work: string;
  let account: string;
  let sms: string;
  let sentSms: string;
  let whatsapp: string;

  beforeAll(async () => {
    const contacts = testContacts(t.prisma);
    ann = (
      await contacts.upsert(t.workspaceId, {
        identities: [{ kind: 'email', value: 'ann.timeline@example.com' }],
        name: 'Ann',
        source: { type: 'run', runId: 'run_welcome', nodeId: 'save' },
      })
    ).contact.id;
    const cnv = await conversation(ann);
    const now = Date.now();
    sms = await message(ann, cnv, { direction: 'in', channel: 'sms', text: 'Hi by SMS', sentAt: new Date(now - 3000) });
    whatsapp = await message(ann, cnv, {
      direction: 'in',
      channel: 'whatsapp',
      text: 'Hola por WhatsApp',
      sentAt: new Date(now - 2000),
    });
    sentSms = await message(ann, cnv, {
      direction: 'out',
      channel: 'sms',
      text: 'Your order shipped',
      sentAt: new Date(now - 1000),
      source: 'run:run_ship:notify',
    });
    const note = await t.api({ method: 'POST', url: `/api/contacts/${ann}/notes`, payload: { text: 'Prefers SMS' } });
    expect(note.statusCode, note.body).toBe(201);
    const patch = await t.api({
      method: 'PATCH',
      url: `/api/contacts/${ann}`,
      payload: { name: 'Ann Lee', attributes: { plan: 'pro' } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    // A run step sets an attribute.
    await contacts.upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: 'ann.timeline@example.com' }],
      attributes: { tier: 'gold' },
      source: { type: 'run', runId: 'run_tier', nodeId: 'tag', flowId: 'flow_tiers' },
    });
    // A phone added by hand, then detached.
    const added = await t.api({
      method: 'POST',
      url: `/api/contacts/${ann}/identities`,
      payload: { kind: 'phone', value: '+14155550199' },
    });
    expect(added.statusCode, added.body).toBe(201);
    const phone = added.json().identities.find((i: { kind: string }) => i.kind === 'phone').id;
    const detached = await t.api({ method: 'DELETE', url: `/api/contacts/${ann}/identities/${phone}` });
    expect(detached.statusCode, detached.body).toBe(200);
    // A second record of her, merged in and the merge undone.
    work = (
      await contacts.upsert(t.workspaceId, {
        identities: [{ kind: 'email', value: 'ann.work.timeline@example.com' }],
        name: 'Ann at work',
      })
    ).contact.id;
    const merged = await t.api({ method: 'POST', url: `/api/contacts/${ann}/merge`, payload: { contactId: work } });
    expect(merged.statusCode, merged.body).toBe(200);
    const undone = await t.api({ method: 'POST', url: `/api/contact-merges/${merged.json().merge.id}/undo` });
    expect(undone.statusCode, undone.body).toBe(200);
    // A CRM account: her record linked (the sync wrote her), a change made in the CRM, a write that failed.
    account = newId('cha');
    await t.prisma.channelAccount.create({
      data: {
        id: account,
        workspaceId: t.workspaceId,
        connector: 'hubspot',
        name: 'HubSpot',
        credentials: Buffer.from('x'),
      },
    });
    const crm = createCrmSyncStore(t.prisma);
    await crm.ensure(account, t.workspaceId);
    await crm.saveRecord(t.workspaceId, {
      accountId: account,
      contactId: ann,
      recordId: '501',
      identity: { kind: 'hubspot', value: 'p1:501' },
      sent: { name: 'Ann Lee', emails: ['ann.timeline@example.com'] },
      seen: { name: 'Ann Lee' },
      seenUpdatedAt: new Date().toISOString(),
    });
    await contacts.upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: 'ann.timeline@example.com' }],
      name: 'Ann Lee-Smith',
      source: { type: 'crm', accountId: account, recordId: '501' },
    });
    const link = await t.prisma.crmLink.findUniqueOrThrow({
      where: { accountId_contactId: { accountId: account, contactId: ann } },
    });
    await crm.failed(account, ann, link.version, { code: 'UPSTREAM', message: 'HubSpot answered 503' }, new Date());
  });

  it('tells every kind of event, newest first, with who or what did it', async () => {
    const items = await all(ann);
    expect(sortedNewestFirst(items)).toBe(true);
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
    const of = (type: string) => items.filter((e) => e.type === type);
    expect(of('contact.created')).toEqual([
      expect.objectContaining({ contactId: ann, source: 'run:run_welcome:save', runId: 'run_welcome', nodeId: 'save' }),
    ]);
    expect(of('identity.added').map((e) => [e.identity?.kind, e.identity?.value, e.source, e.runId, e.nodeId])).toEqual(
      [
        ['hubspot', 'p1:501', `crm:${account}:501`, undefined, undefined],
        ['phone', '+14155550199', 'api', undefined, undefined],
        ['email', 'ann.timeline@example.com', 'run:run_welcome:save', 'run_welcome', 'save'],
      ],
    );
    expect(of('identity.detached')).toEqual([
      expect.objectContaining({ identity: { kind: 'phone', value: '+14155550199' }, source: 'api' }),
    ]);
    expect(
      items.filter((e) => e.message).map((e) => [e.type, e.message!.id, e.message!.channel, e.runId, e.nodeId]),
    ).toEqual([
      ['message.sent', sentSms, 'sms', 'run_ship', 'notify'],
      ['message.received', whatsapp, 'whatsapp', undefined, undefined],
      ['message.received', sms, 'sms', undefined, undefined],
    ]);
    expect(of('note.added')).toEqual([
      expect.objectContaining({ note: expect.objectContaining({ text: 'Prefers SMS' }), source: 'api' }),
    ]);
    expect(of('contact.updated')).toEqual([
      expect.objectContaining({
        changes: [{ field: 'attributes.tier', from: null, to: 'gold' }],
        source: 'run:run_tier:tag',
        runId: 'run_tier',
        nodeId: 'tag',
        flowId: 'flow_tiers',
      }),
      expect.objectContaining({
        contactId: ann,
        source: 'api',
        changes: [
          { field: 'name', from: 'Ann', to: 'Ann Lee' },
          { field: 'attributes.plan', from: null, to: 'pro' },
        ],
      }),
    ]);
    expect(of('crm.updated')).toEqual([
      expect.objectContaining({
        source: `crm:${account}:501`,
        changes: [{ field: 'name', from: 'Ann Lee', to: 'Ann Lee-Smith' }],
      }),
    ]);
    const sides = { survivor: { id: ann, name: 'Ann Lee-Smith' }, merged: { id: work, name: 'Ann at work' } };
    expect(of('contact.merged')).toEqual([
      expect.objectContaining({ merge: expect.objectContaining(sides), source: 'api' }),
    ]);
    expect(of('contact.unmerged')).toEqual([
      expect.objectContaining({ merge: expect.objectContaining(sides), source: 'api' }),
    ]);
    expect(of('crm.synced')).toEqual([
      expect.objectContaining({
        contactId: ann,
        crm: expect.objectContaining({
          accountId: account,
          connector: 'hubspot',
          recordId: '501',
          sent: { name: 'Ann Lee', emails: ['ann.timeline@example.com'] },
        }),
      }),
    ]);
    expect(of('crm.sync_failed')).toEqual([
      expect.objectContaining({
        crm: expect.objectContaining({ error: { code: 'UPSTREAM', message: 'HubSpot answered 503', retrying: true } }),
      }),
    ]);
    // The merge is on the other side's timeline too; its own creation, not Ann's.
    const theirs = await all(work);
    expect(theirs.map((e) => e.type)).toEqual(
      expect.arrayContaining(['contact.unmerged', 'contact.merged', 'identity.added', 'contact.created']),
    );
    expect(theirs.filter((e) => e.type === 'message.received')).toEqual([]);
    expect((await t.api({ method: 'GET', url: `/api/contacts/${ann}/timeline` })).json().items).toHaveLength(
      items.length,
    );
  });

  it('filters by type and by channel, on the server', async () => {
    const types = async (query: string) => (await all(ann, query)).map((e) => e.type);
    expect(await types('types=message.received')).toEqual(['message.received', 'message.received']);
    expect(await types('types=message.sent,note.added')).toEqual(
      expect.arrayContaining(['message.sent', 'note.added']),
    );
    expect((await types('types=message.sent,note.added')).length).toBe(2);
    expect((await all(ann, 'channel=sms')).map((e) => e.message?.id)).toEqual([sentSms, sms]);
    expect((await all(ann, 'channel=whatsapp&types=message.received')).map((e) => e.message?.id)).toEqual([whatsapp]);
    expect(await all(ann, 'channel=sms&types=note.added')).toEqual([]);
    expect(await all(ann, 'channel=telegram')).toEqual([]);
    expect(await types('types=contact.updated')).toEqual(['contact.updated', 'contact.updated']);
    expect(await types('types=crm.updated')).toEqual(['crm.updated']);
    expect((await types('types=crm.updated,crm.synced,crm.sync_failed')).sort()).toEqual([
      'crm.sync_failed',
      'crm.synced',
      'crm.updated',
    ]);
    expect(await types('types=contact.merged,contact.unmerged')).toEqual(['contact.unmerged', 'contact.merged']);
    expect(await types('types=identity.detached')).toEqual(['identity.detached']);
  });

  it('pages through everything without gaps or repeats, whatever the page size', async () => {
    const full = (await all(ann)).map((e) => e.id);
    for (const limit of [1, 2, 3, 7])
      expect(
        (await paged(ann, limit)).map((e) => e.id),
        `limit ${limit}`,
      ).toEqual(full);
    const sent = (await all(ann, 'channel=sms')).map((e) => e.id);
    expect((await paged(ann, 1, 'channel=sms')).map((e) => e.id)).toEqual(sent);
    expect((await timeline(ann)).nextCursor).toBeUndefined();
    expect((await timeline(ann, `limit=${full.length}`)).nextCursor).toBeUndefined();
    expect((await timeline(ann, `limit=${full.length - 1}`)).nextCursor).toEqual(expect.any(String));
  });

  it('breaks ties deterministically, and stays stable while new events arrive', async () => {
    const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: 'ties.timeline@example.com' }],
    });
    const cnv = await conversation(contact.id);
    // Five messages, three notes and the contact's creation at one instant.
    const at = new Date(Date.now() - 60_000);
    await t.prisma.contact.update({ where: { id: contact.id }, data: { createdAt: at } });
    await t.prisma.identity.updateMany({ where: { contactId: contact.id }, data: { createdAt: at } });
    for (let i = 0; i < 5; i++)
      await message(contact.id, cnv, { direction: i % 2 ? 'out' : 'in', channel: 'sms', text: `m${i}`, sentAt: at });
    for (let i = 0; i < 3; i++)
      await t.prisma.contactNote.create({
        data: {
          id: newId('note'),
          workspaceId: t.workspaceId,
          contactId: contact.id,
          text: `n${i}`,
          by: { type: 'api' },
          createdAt: at,
        },
      });
    const full = await all(contact.id);
    expect(full.map((e) => e.type)).toEqual([
      ...Array(3).fill('note.added'),
      ...full.slice(3, 8).map((e) => e.type),
      'identity.added',
      'contact.created',
    ]);
    expect(full.slice(3, 8).every((e) => e.type.startsWith('message.'))).toBe(true);
    expect(await all(contact.id)).toEqual(full);
    for (const limit of [1, 2, 4])
      expect(
        (await paged(contact.id, limit)).map((e) => e.id),
        `limit ${limit}`,
      ).toEqual(full.map((e) => e.id));
    // New events while paging (newer than any page read) change nothing of the older pages.
    let n = 0;
    const during = await paged(contact.id, 2, '', async () => {
      await message(contact.id, cnv, { direction: 'in', channel: 'sms', text: `late ${n++}`, sentAt: new Date() });
    });
    expect(during.map((e) => e.id)).toEqual(full.map((e) => e.id));
    expect((await all(contact.id)).length).toBe(full.length + n);
  });

  it('answers 400 naming the query field for bad values, 404 for a contact not in the workspace', async () => {
    const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const cases: [string, string][] = [
      ['types=message.received,nope', 'types'],
      ['types=message.received,', 'types'],
      ['types=', 'types'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['channel=SMS', 'channel'],
      ['channel=a%20b', 'channel'],
      ['before=not-a-cursor', 'before'],
      [`before=${cursor(['2026-01-01T00:00:00.000Z', 'nope', 'msg_1'])}`, 'before'],
      [`before=${cursor(['2026-01-01T00:00:00.000Z', 'contact.updated', 'msg_1'])}`, 'before'],
      [`before=${cursor(['+275760-09-13T00:00:00.000Z', 'note.added', 'note_1'])}`, 'before'],
      [`before=${cursor(['2026-01-01T00:00:00.000Z', 'note.added', 'x\u0000y'])}`, 'before'],
      [`before=${cursor(['2026-01-01T00:00:00.000Z', 'note.added'])}`, 'before'],
    ];
    for (const [query, field] of cases) {
      const res = await t.api({ method: 'GET', url: `/api/contacts/${ann}/timeline?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('validation_failed');
      expect(
        res.json().error.issues.map((i: { path: string }) => i.path),
        query,
      ).toContain(`/query/${field}`);
    }
    // The largest page and a real cursor of another type are fine.
    expect((await timeline(ann, 'limit=200')).items.length).toBeGreaterThan(5);
    expect(
      (await timeline(ann, `before=${cursor(['2026-01-01T00:00:00.000Z', 'contact.updated', '12'])}`)).items,
    ).toEqual(expect.any(Array));
    expect((await t.api({ method: 'GET', url: '/api/contacts/ct_nope/timeline' })).statusCode).toBe(404);
    const theirs = (
      await testContacts(t.prisma).upsert(other, {
        identities: [{ kind: 'email', value: 'other.timeline@example.com' }],
      })
    ).contact.id;
    const res = await t.api({ method: 'GET', url: `/api/contacts/${theirs}/timeline` });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('keeps its history of changes when the relayed outbox is pruned', async () => {
    const before = await all(ann);
    // This workspace's events as if relayed long ago (nobody else's are that old), then pruned.
    await t.prisma.contactEvent.updateMany({
      where: { workspaceId: t.workspaceId },
      data: { dispatchedAt: new Date('2000-01-01T00:00:00.000Z') },
    });
    const pruned = await createContactEventStore(t.prisma).prune(new Date('2001-01-01T00:00:00.000Z'));
    expect(pruned).toBeGreaterThan(0);
    const kept = await t.prisma.contactEvent.findMany({
      where: { workspaceId: t.workspaceId },
      select: { type: true },
    });
    expect([...new Set(kept.map((e) => e.type))].sort()).toEqual(['contact.unmerged', 'contact.updated']);
    expect(await all(ann)).toEqual(before);
  });

  it('is documented with its filters, paging and 400', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/contacts/{id}/timeline'].get;
    expect(op.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['types', 'channel', 'before', 'limit']),
    );
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});
