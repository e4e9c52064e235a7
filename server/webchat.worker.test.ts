// The web chat channel end to end, on the real PostgreSQL and Temporal server with a real worker: a visitor's session,
// messages through the channel gateway, a flow's and an agent's replies reaching the visitor by long poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitorToken } from '../connectors/webchat/token.js';
import { testContacts } from '../test/contacts.js';
import { eventually } from './test-app.js';
import { startChannelHarness, type ChannelHarness } from './test-channels.js';

const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example';

let h: ChannelHarness;
let account: string;
let visitor: ReturnType<typeof visitorClient>;

beforeAll(async () => {
  h = await startChannelHarness();
  const created = await h.createAccount({
    connector: 'webchat',
    name: 'Website',
    credentials: {},
    settings: { allowedOrigins: [SHOP], title: 'Shop help', greeting: 'Hi! Ask us anything.', color: '#0f766e' },
  });
  account = created.id;
  expect((created as unknown as { credentialKeys: string[] }).credentialKeys).toEqual(['widgetSecret']);
  visitor = visitorClient(h.base, account, SHOP);
  // Answers messages saying hello; other messages are for the agents.
  await h.publish({
    schemaVersion: 1,
    trigger: {
      type: 'channel.message',
      channels: ['webchat'],
      filter: { in: ['hello', { var: 'trigger.message.text' }] },
    },
    nodes: [
      {
        id: 'greet',
        type: 'action',
        action: 'conversations.reply',
        input: { contact: '{{ contact.id }}', text: 'Hi {{ contact.name }}, you said: {{ trigger.message.text }}' },
      },
    ],
    edges: [{ from: 'trigger', to: 'greet' }],
  });
});

afterAll(async () => {
  await h?.close();
});

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; issues?: { path: string }[] } }).error;
const inbound = (accountId: string, v: Visitor, clientMessageId: string) =>
  h.t.prisma.message.findMany({ where: { accountId, providerMessageId: `${v.visitorId}:${clientMessageId}` } });
/** The cursor after everything the visitor has now. */
async function cursorOf(v: Visitor): Promise<string> {
  const res = await visitor.messages(v);
  expect(res.status).toBe(200);
  return ((await res.json()) as { cursor: string }).cursor;
}
const outTexts = (got: VisitorMessage[]) => got.filter((m) => m.direction === 'out').map((m) => m.text);

describe('web chat sessions', () => {
  it('gives a new visitor an id, a token and the widget config; a returning visitor keeps them', async () => {
    const res = await visitor.session();
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('vary')).toMatch(/Origin/);
    const s = (await res.json()) as Visitor & { config: unknown };
    expect(s.visitorId).toMatch(/^v_[A-Za-z0-9_-]{22}$/);
    expect(s.config).toEqual({ title: 'Shop help', greeting: 'Hi! Ask us anything.', color: '#0f766e' });

    const again = await visitor.session({ visitorId: s.visitorId, token: s.token });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(s);

    const other = (await (await visitor.session()).json()) as Visitor;
    expect(other.visitorId).not.toBe(s.visitorId);
  });

  it('continues a visitor only with their token (401 otherwise, readable by the page)', async () => {
    const s = await visitor.start();
    for (const body of [
      { visitorId: s.visitorId },
      { visitorId: s.visitorId, token: `${s.token}x` },
      { visitorId: 'v_someoneelse0001', token: s.token },
    ]) {
      const res = await visitor.session(body);
      expect(res.status, JSON.stringify(body)).toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect((await errorOf(res)).code).toBe('token_invalid');
    }
  });

  it('refuses origins the account does not list (403, no CORS header), answers preflights for those it does', async () => {
    const res = await visitorClient(h.base, account, EVIL).session();
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await errorOf(res)).code).toBe('origin_not_allowed');
    // Without an Origin (not a browser, or the server's own pages) the token is what counts.
    expect((await visitorClient(h.base, account).session()).status).toBe(200);

    const preflight = await fetch(`${h.base}/webchat/${account}/sessions`, {
      method: 'OPTIONS',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(
      Object.fromEntries(
        ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers'].map((k) => [
          k,
          preflight.headers.get(k),
        ]),
      ),
    ).toEqual({
      'access-control-allow-origin': SHOP,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type',
    });
    const refused = await fetch(`${h.base}/webchat/${account}/sessions`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(refused.status).toBe(403);
  });

  it('takes JSON as application/json too, and names invalid fields (400)', async () => {
    const json = await fetch(`${h.base}/webchat/${account}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(200);
    const bad = await visitor.session({ visitorId: 'not a visitor id!', token: 'x' });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: 'validation_failed', issues: [{ path: '/body/visitorId' }] });
    const notJson = await fetch(`${h.base}/webchat/${account}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe('invalid_json');
  });

  it('is 404 for unknown accounts and for accounts of other channels', async () => {
    expect((await visitorClient(h.base, 'cha_nope').session()).status).toBe(404);
    const { id } = await h.createAccount({
      connector: 'sms',
      name: 'not web chat',
      credentials: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'token' },
      settings: { from: '+14155550100' },
    });
    const res = await visitorClient(h.base, id).session();
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ code: 'not_found', message: 'web chat account not found' });
    expect((await visitorClient(h.base, id).messages({ visitorId: 'v_abcdefgh', token: 'x' })).status).toBe(404);
  });
});

describe('web chat conversations', () => {
  it('a visitor writes, the flow answers, and the long poll brings the answer', async () => {
    const v = await visitor.start();
    const first = await visitor.messages(v);
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const empty = (await first.json()) as { messages: VisitorMessage[]; cursor: string };
    expect(empty.messages).toEqual([]);

    // One long poll, waiting before the message is even sent, answers with it.
    const polling = visitor.messages(v, { after: empty.cursor, wait: 25 });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await visitor.write(v, { text: 'hello there', clientMessageId: 'm1', name: 'Ada' });
    expect(sent.status).toBe(202);
    expect(await sent.json()).toEqual({ ok: true });
    expect(sent.headers.get('access-control-allow-origin')).toBe('*');
    const polled = (await (await polling).json()) as { messages: VisitorMessage[] };
    expect(polled.messages[0]).toMatchObject({ direction: 'in', text: 'hello there', clientMessageId: 'm1' });

    const { got } = await visitor.until(v, empty.cursor, (g) => outTexts(g).length > 0);
    expect(got.map((m) => [m.direction, m.text, m.clientMessageId])).toEqual([
      ['in', 'hello there', 'm1'],
      ['out', 'Hi Ada, you said: hello there', undefined],
    ]);

    const [message] = await inbound(account, v, 'm1');
    const contact = await h.t.prisma.contact.findUniqueOrThrow({
      where: { id: message!.contactId },
      include: { identities: true },
    });
    expect(contact.name).toBe('Ada');
    expect(contact.identities.map((i) => [i.kind, i.value])).toEqual([['webchat', v.visitorId]]);
    const rows = await h.t.prisma.message.findMany({
      where: { conversationId: message!.conversationId },
      orderBy: { createdAt: 'asc' },
    });
    expect(rows.map((m) => [m.direction, m.channel, m.status, m.text])).toEqual([
      ['in', 'webchat', 'received', 'hello there'],
      ['out', 'webchat', 'delivered', 'Hi Ada, you said: hello there'],
    ]);
    expect(rows[1]!.providerMessageId).toMatch(/^wc_[0-9a-f]{32}$/);
    expect(rows[1]!.address).toEqual({ kind: 'webchat', value: v.visitorId });

    // A returning visitor (no cursor) gets the conversation so far; `after` a message id gets what came after it.
    const history = (await (await visitor.messages(v)).json()) as { messages: VisitorMessage[] };
    expect(history.messages.map((m) => m.id)).toEqual(got.map((m) => m.id));
    const afterFirst = (await (await visitor.messages(v, { after: got[0]!.id })).json()) as {
      messages: VisitorMessage[];
    };
    expect(afterFirst.messages.map((m) => m.id)).toEqual([got[1]!.id]);
  });

  it('an agent reply from the inbox reaches the visitor', async () => {
    const v = await visitor.start();
    const cursor = await cursorOf(v);
    expect((await visitor.write(v, { text: 'I would like to talk to a person', clientMessageId: 'q1' })).status).toBe(
      202,
    );
    const [message] = await eventually(async () =>
      (await inbound(account, v, 'q1')).length === 1 ? inbound(account, v, 'q1') : undefined,
    );
    const reply = await h.t.api({
      method: 'POST',
      url: `/api/conversations/${message!.conversationId}/messages`,
      payload: { text: 'Sam here, how can I help?' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().message).toMatchObject({
      channel: 'webchat',
      status: 'delivered',
      to: { kind: 'webchat', value: v.visitorId },
    });

    const { got } = await visitor.until(v, cursor, (g) => outTexts(g).length > 0);
    expect(got.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'I would like to talk to a person'],
      ['out', 'Sam here, how can I help?'],
    ]);
  });

  it('the same clientMessageId posted twice is one message', async () => {
    const v = await visitor.start();
    const cursor = await cursorOf(v);
    for (let i = 0; i < 2; i++)
      expect((await visitor.write(v, { text: 'only once, please', clientMessageId: 'dup' })).status).toBe(202);
    expect((await visitor.write(v, { text: 'and a second message', clientMessageId: 'dup2' })).status).toBe(202);
    const { got, cursor: next } = await visitor.until(v, cursor, (g) => g.length >= 2);
    await new Promise((r) => setTimeout(r, 1500));
    const more = (await (await visitor.messages(v, { after: next, wait: 1 })).json()) as { messages: VisitorMessage[] };
    expect(more.messages).toEqual([]);
    // Visitors read inbound messages in the order they became visible (the cursor is by visibility); two ingests
    // running at once may write in either order, so only which messages there are is checked here.
    expect(got.map((m) => m.clientMessageId).sort()).toEqual(['dup', 'dup2']);
    expect(await inbound(account, v, 'dup')).toHaveLength(1);
  });

  it('a message that becomes visible late (sent before one the visitor already saw) still reaches them, once', async () => {
    const v = await visitor.start();
    const cursor = await cursorOf(v);
    expect((await visitor.write(v, { text: 'are you open today?', clientMessageId: 'late1' })).status).toBe(202);
    const { got, cursor: seen } = await visitor.until(v, cursor, (g) => g.length > 0);
    const [message] = await inbound(account, v, 'late1');
    const row = (id: string, status: string, sentAt: Date) => ({
      id,
      workspaceId: h.t.workspaceId,
      conversationId: message!.conversationId,
      contactId: message!.contactId,
      direction: 'out',
      channel: 'webchat',
      accountId: account,
      idempotencyKey: id,
      providerMessageId: status === 'pending' ? null : `wc_${id}`,
      status,
      address: { kind: 'webchat', value: v.visitorId },
      text: id,
      sentAt,
    });
    // A send whose clock was behind (or that committed late): its sent_at is before the message the visitor already has.
    const earlier = new Date(new Date(got[0]!.sentAt).getTime() - 3000);
    await h.t.prisma.message.create({ data: row('msg_late_delivered', 'delivered', earlier) });
    await h.t.prisma.message.create({ data: row('msg_still_pending', 'pending', new Date()) });
    await h.t.prisma.message.create({ data: row('msg_failed_send', 'failed', new Date()) });
    const late = (await (await visitor.messages(v, { after: seen, wait: 5 })).json()) as {
      messages: VisitorMessage[];
      cursor: string;
    };
    expect(late.messages.map((m) => m.id)).toEqual(['msg_late_delivered']);
    const nothing = (await (await visitor.messages(v, { after: late.cursor, wait: 1 })).json()) as {
      messages: VisitorMessage[];
    };
    expect(nothing.messages).toEqual([]);
  });

  it('refuses bad tokens and other websites, at the gateway and for messages', async () => {
    const v = await visitor.start();
    const forged = await visitor.write(
      { visitorId: v.visitorId, token: visitorToken('another-secret-another-secret-1234', v.visitorId) },
      { text: 'hello', clientMessageId: 'f1' },
    );
    expect(forged.status).toBe(401);
    expect((await errorOf(forged)).code).toBe('signature_invalid');
    const foreign = await visitorClient(h.base, account, EVIL).write(v, { text: 'hello', clientMessageId: 'f2' });
    expect(foreign.status).toBe(401);
    expect(await errorOf(foreign)).toEqual({
      code: 'signature_invalid',
      message: 'this website (Origin) is not allowed to use this chat',
    });

    const badToken = await visitor.messages(v, { token: 'nope' });
    expect(badToken.status).toBe(401);
    expect((await errorOf(badToken)).code).toBe('token_invalid');
    const otherSite = await visitorClient(h.base, account, EVIL).messages(v);
    expect(otherSite.status).toBe(403);

    await new Promise((r) => setTimeout(r, 1000));
    expect(
      await h.t.prisma.message.count({
        where: { accountId: account, address: { equals: { kind: 'webchat', value: v.visitorId } } },
      }),
    ).toBe(0);
  });

  it('answers 400 naming the field for a bad query or a malformed message', async () => {
    const v = await visitor.start();
    const tooLong = await visitor.messages(v, { after: await cursorOf(v), wait: 26 });
    expect(tooLong.status).toBe(400);
    expect((await errorOf(tooLong)).issues?.map((i) => i.path)).toEqual(['/query/wait']);
    const garbage = await visitor.messages(v, { after: 'garbage' });
    expect(garbage.status).toBe(400);
    expect((await errorOf(garbage)).issues?.map((i) => i.path)).toEqual(['/query/after']);
    const missing = await fetch(`${h.base}/webchat/${account}/messages?token=x`);
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).issues?.map((i) => i.path)).toEqual(['/query/visitorId']);
    const noText = await visitor.write(v, { clientMessageId: 'x1' });
    expect(noText.status).toBe(400);
    expect(await errorOf(noText)).toEqual({ code: 'payload_invalid', message: 'text must be a non-empty string' });
  });

  it('a long poll with nothing new answers empty after `wait`, and one the visitor abandons ends', async () => {
    const v = await visitor.start();
    const cursor = await cursorOf(v);
    const res = await visitor.messages(v, { after: cursor, wait: 1 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { messages: unknown[] }).messages).toEqual([]);
    const gone = new AbortController();
    const abandoned = visitor.messages(v, { after: cursor, wait: 25 }, gone.signal).catch((e: Error) => e.name);
    setTimeout(() => gone.abort(), 300);
    expect(await abandoned).toBe('AbortError');
    // The server still answers (the poll did not hold anything up).
    expect((await visitor.messages(v)).status).toBe(200);
  });
});

describe('web chat visitors and contacts', () => {
  it('a visitor who gives an email joins the contact who wrote with that email before', async () => {
    const contacts = testContacts(h.t.prisma);
    const { contact: grace } = await contacts.upsert(h.t.workspaceId, {
      identities: [{ kind: 'email', value: 'grace@example.com' }],
      name: 'Grace Hopper',
      source: { type: 'api', ref: 'test' },
    });
    const v = await visitor.start();
    const cursor = await cursorOf(v);
    expect(
      (await visitor.write(v, { text: 'hello from your website', clientMessageId: 'g1', email: ' Grace@Example.COM ' }))
        .status,
    ).toBe(202);
    const { got } = await visitor.until(v, cursor, (g) => outTexts(g).length > 0);
    expect(outTexts(got)).toEqual(['Hi Grace Hopper, you said: hello from your website']);
    const [message] = await inbound(account, v, 'g1');
    expect(message!.contactId).toBe(grace.id);
    const identities = await h.t.prisma.identity.findMany({
      where: { contactId: grace.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(identities.map((i) => [i.kind, i.value])).toEqual([
      ['email', 'grace@example.com'],
      ['webchat', v.visitorId],
    ]);
  });

  it('a visitor who wrote anonymously first and gives an email later still gets the answers, and only their own messages', async () => {
    const contacts = testContacts(h.t.prisma);
    const { contact: linus } = await contacts.upsert(h.t.workspaceId, {
      identities: [{ kind: 'email', value: 'linus@example.com' }],
      name: 'Linus',
      source: { type: 'api', ref: 'test' },
    });
    // Linus's email conversation: not something a web visitor typing his address may read.
    const conversationId = `cnv_linus${Date.now()}`;
    await h.t.prisma.conversation.create({
      data: { id: conversationId, workspaceId: h.t.workspaceId, contactId: linus.id, lastMessageAt: new Date() },
    });
    await h.t.prisma.message.create({
      data: {
        id: `msg_linus${Date.now()}`,
        workspaceId: h.t.workspaceId,
        conversationId,
        contactId: linus.id,
        direction: 'in',
        channel: 'email',
        accountId: 'cha_mail',
        providerMessageId: '<private@example.com>',
        status: 'received',
        address: { kind: 'email', value: 'linus@example.com' },
        text: 'my private order details',
        sentAt: new Date(),
      },
    });
    const v = await visitor.start();
    const cursor = await cursorOf(v);
    expect((await visitor.write(v, { text: 'anyone?', clientMessageId: 'a1' })).status).toBe(202);
    await eventually(async () => ((await inbound(account, v, 'a1')).length === 1 ? true : undefined));
    expect(
      (await visitor.write(v, { text: 'hello, it is Linus', clientMessageId: 'a2', email: 'linus@example.com' }))
        .status,
    ).toBe(202);
    const { got } = await visitor.until(v, cursor, (g) => outTexts(g).length > 0);
    expect(got.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'anyone?'],
      ['in', 'hello, it is Linus'],
      ['out', 'Hi Linus, you said: hello, it is Linus'],
    ]);
    // The typed email links the visitor's contact to Linus's: merged into the older (by rule, undoable); both
    // messages stay on the visitor's row, in Linus's conversation; the visitor still sees only their own chat.
    const [a1] = await inbound(account, v, 'a1');
    const [a2] = await inbound(account, v, 'a2');
    expect(a1!.contactId).not.toBe(linus.id);
    expect(a2!.contactId).toBe(a1!.contactId);
    expect(a2!.conversationId).toBe(conversationId);
    const visitorRow = await h.t.prisma.contact.findUniqueOrThrow({ where: { id: a1!.contactId! } });
    expect(visitorRow.mergedIntoId).toBe(linus.id);
    const merge = await h.t.prisma.contactMerge.findFirstOrThrow({ where: { mergedId: visitorRow.id } });
    expect(merge).toMatchObject({ survivorId: linus.id, undoneAt: null });
    expect(merge.by).toMatchObject({ type: 'rule' });
    const history = (await (await visitor.messages(v)).json()) as { messages: VisitorMessage[] };
    expect(history.messages.map((m) => m.text)).toEqual([
      'anyone?',
      'hello, it is Linus',
      'Hi Linus, you said: hello, it is Linus',
    ]);
  });
});

describe('web chat assets', () => {
  it('serves the widget as JavaScript with a short cache and an ETag', async () => {
    const res = await fetch(`${h.base}/webchat/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = await res.text();
    expect(body).toContain('hooks/channels/');
    expect(body).not.toMatch(/innerHTML|eval\(|new Function/);
    const etag = res.headers.get('etag')!;
    expect((await fetch(`${h.base}/webchat/widget.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('serves a demo page embedding the widget, for web chat accounts only', async () => {
    const res = await fetch(`${h.base}/webchat/${account}/demo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script src="../widget.js" data-account="${account}" async></script>`);
    expect(html).toContain('<h1>Shop help</h1>');
    expect((await fetch(`${h.base}/webchat/cha_nope/demo`)).status).toBe(404);
  });
});

// --- The visitor's side, as the widget does it ---------------------------------------------------------------------

interface VisitorMessage {
  id: string;
  direction: 'in' | 'out';
  text: string | null;
  sentAt: string;
  clientMessageId?: string;
}

interface Visitor {
  visitorId: string;
  token: string;
}

/** The visitor's side of one account, as the widget does it (with an Origin, like a browser on the embedding site). */
function visitorClient(base: string, accountId: string, origin?: string) {
  const headers = (extra: Record<string, string> = {}) => ({ ...(origin && { origin }), ...extra });
  return {
    session: (body: object = {}) =>
      fetch(`${base}/webchat/${accountId}/sessions`, {
        method: 'POST',
        headers: headers({ 'content-type': 'text/plain;charset=UTF-8' }),
        body: JSON.stringify(body),
      }),
    async start(): Promise<Visitor> {
      const res = await this.session();
      expect(res.status).toBe(200);
      const { visitorId, token } = (await res.json()) as Visitor;
      return { visitorId, token };
    },
    write: (v: Visitor, fields: Record<string, unknown>) =>
      fetch(`${base}/hooks/channels/${accountId}`, {
        method: 'POST',
        headers: headers({ 'content-type': 'text/plain;charset=UTF-8' }),
        body: JSON.stringify({ visitorId: v.visitorId, token: v.token, ...fields }),
      }),
    messages: (v: Visitor, query: { after?: string; wait?: number; token?: string } = {}, signal?: AbortSignal) => {
      const q = new URLSearchParams({ visitorId: v.visitorId, token: query.token ?? v.token });
      if (query.after !== undefined) q.set('after', query.after);
      if (query.wait !== undefined) q.set('wait', String(query.wait));
      return fetch(`${base}/webchat/${accountId}/messages?${q}`, { headers: headers(), ...(signal && { signal }) });
    },
    /** Long-polls from `after` until `done` holds for everything received since; returns that and the last cursor. */
    async until(
      v: Visitor,
      after: string,
      done: (got: VisitorMessage[]) => boolean,
      timeoutMs = 30_000,
    ): Promise<{ got: VisitorMessage[]; cursor: string }> {
      const got: VisitorMessage[] = [];
      let cursor = after;
      const deadline = Date.now() + timeoutMs;
      while (!done(got)) {
        if (Date.now() > deadline)
          throw new Error(`the visitor did not get what was expected in time; got ${JSON.stringify(got)}`);
        const res = await this.messages(v, { after: cursor, wait: 5 });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { messages: VisitorMessage[]; cursor: string };
        got.push(...body.messages);
        cursor = body.cursor;
      }
      return { got, cursor };
    },
  };
}
