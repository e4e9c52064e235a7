// Cursors and web chat `after` values: every one PostgreSQL cannot compare with (a time outside four-digit years, an id
// that is no id of the listed kind) is a 400 naming the query parameter, before any query; the API's own cursors, even
// for a message a provider dated 1960, still page.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContacts } from '../test/contacts.js';
import { newId } from '../prisma/ids.js';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
let conversationId: string;
let webchat: string;
let visitor: { visitorId: string; token: string };

const hex = () => randomBytes(16).toString('hex');
const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const visitorCursor = (key: unknown) => `c1.${cursorOf(key)}`;

beforeAll(async () => {
  t = await startTestApp({ secretKey: randomBytes(32) });
  const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
    identities: [{ kind: 'email', value: `${hex()}@example.com` }],
    source: { type: 'api', ref: 'test' },
  });
  conversationId = newId('cnv');
  await t.prisma.conversation.create({
    data: { id: conversationId, workspaceId: t.workspaceId, contactId: contact.id, lastMessageAt: new Date() },
  });
  // Provider times are kept as sent: one from 1960, one from now.
  for (const sentAt of [new Date('1960-05-01T00:00:00.000Z'), new Date()]) {
    await t.prisma.message.create({
      data: {
        id: newId('msg'),
        workspaceId: t.workspaceId,
        conversationId,
        contactId: contact.id,
        direction: 'in',
        channel: 'email',
        accountId: 'cha_gone',
        status: 'received',
        address: { kind: 'email', value: 'x@example.com' },
        text: 'hi',
        sentAt,
      },
    });
  }
  const created = await t.api({
    method: 'POST',
    url: '/api/channel-accounts',
    payload: { connector: 'webchat', name: 'Site', credentials: {}, settings: {} },
  });
  expect(created.statusCode, created.body).toBe(201);
  webchat = created.json().id;
  const session = await t.app.inject({ method: 'POST', url: `/webchat/${webchat}/sessions`, payload: {} });
  expect(session.statusCode, session.body).toBe(200);
  visitor = session.json();
});
afterAll(async () => t?.close());

/** Keys JavaScript reads but PostgreSQL cannot take (or that name no row of the kind); `id` is a valid id. */
const badKeys = (id: string) => [
  ['+275760-09-13T00:00:00.000Z', id],
  ['-271821-04-20T00:00:00.000Z', id],
  ['0000-01-01T00:00:00.000Z', id],
  ['+010000-01-01T00:00:00.000Z', id],
  ['2026-01-01T00:00:00.000Z', 'x\u0000y'],
  ['2026-01-01T00:00:00.000Z', `${id.split('_')[0]}_\ud800`],
  ['2026-01-01T00:00:00.000Z', 'not-an-id'],
  ['2026-01-01T00:00:00.000Z', 42],
  ['2026-01-01T00:00:00.000Z', id, 'extra'],
  [1_700_000_000_000, id],
];

describe('cursors PostgreSQL cannot store', () => {
  const lists: Array<[string, string]> = [
    ['/api/flows', 'flow'],
    ['/api/channel-accounts', 'cha'],
    ['/api/conversations', 'cnv'],
    [`/api/conversations/{conversation}/messages`, 'msg'],
  ];

  it('are a 400 on /query/cursor for every keyset list, in milliseconds', async () => {
    for (const [route, prefix] of lists) {
      const url = route.replace('{conversation}', conversationId);
      for (const key of badKeys(`${prefix}_${hex()}`)) {
        const started = Date.now();
        const res = await t.api({ method: 'GET', url: `${url}?cursor=${cursorOf(key)}` });
        expect(res.statusCode, `${url} ${JSON.stringify(key)} ${res.body}`).toBe(400);
        expect(res.json().error).toMatchObject({
          code: 'validation_failed',
          issues: [{ path: '/query/cursor', code: 'cursor' }],
        });
        expect(Date.now() - started).toBeLessThan(1000);
      }
    }
  });

  it('a contact cursor is a contact id: anything else is a 400 on /query/cursor', async () => {
    for (const cursor of ['not-an-id', 'flow_' + hex(), `ct_${'g'.repeat(32)}`]) {
      const res = await t.api({ method: 'GET', url: `/api/contacts?cursor=${cursor}` });
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().error.issues).toEqual([{ path: '/query/cursor', code: 'cursor', message: expect.any(String) }]);
    }
    expect((await t.api({ method: 'GET', url: `/api/contacts?cursor=ct_${hex()}` })).statusCode).toBe(200);
  });

  it("the API's own cursors still page, also past a message a provider dated 1960", async () => {
    const url = `/api/conversations/${conversationId}/messages`;
    const first = await t.api({ method: 'GET', url: `${url}?limit=1` });
    expect(first.statusCode, first.body).toBe(200);
    const second = await t.api({ method: 'GET', url: `${url}?limit=1&cursor=${first.json().nextCursor}` });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().items.map((m: { sentAt: string }) => m.sentAt)).toEqual(['1960-05-01T00:00:00.000Z']);
    // Edges of the window: the first and the last millisecond PostgreSQL takes from us.
    for (const at of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      const res = await t.api({ method: 'GET', url: `${url}?cursor=${cursorOf([at, newId('msg')])}` });
      expect(res.statusCode, `${at} ${res.body}`).toBe(200);
    }
  });
});

describe('web chat `after` PostgreSQL cannot store', () => {
  const messages = (after: string) =>
    t.app.inject({
      method: 'GET',
      url: `/webchat/${webchat}/messages`,
      query: { visitorId: visitor.visitorId, token: visitor.token, after },
    });

  it('is a 400 on /query/after: watermarks outside the storable window, ids that are no message ids', async () => {
    for (const after of [
      visitorCursor([8.64e15, []]),
      visitorCursor([-8.64e15, []]),
      visitorCursor([1e300, []]),
      visitorCursor([253402300799999 + 1, []]),
      visitorCursor([-62135596800000, []]), // the window reaches 10 s before the watermark
      visitorCursor([1.5, []]),
      'not-a-message-id',
      `msg_${'z'.repeat(32)}`,
    ]) {
      const res = await messages(after);
      expect(res.statusCode, `${after} ${res.body}`).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', issues: [{ path: '/query/after' }] });
    }
  });

  it("takes the API's own cursors, including the empty conversation's (watermark 0)", async () => {
    const first = await messages(visitorCursor([0, []]));
    expect(first.statusCode, first.body).toBe(200);
    const again = await messages(first.json().cursor);
    expect(again.statusCode, again.body).toBe(200);
    expect((await messages(newId('msg'))).statusCode).toBe(400); // well-formed, but not one of the visitor's
  });
});
