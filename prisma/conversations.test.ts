// The conversation store over the real PostgreSQL: one conversation per contact, inbound dedupe, outbound idempotency,
// statuses only forwards, consent, waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { senderIdentities } from '../connectors/contacts/identity.js';
import type { MessageReceived } from '../connectors/sdk/channel.js';
import { createAjv } from '../connectors/flow/ajv.js';
import { IDENTITY_SOURCE_SCHEMA } from '../connectors/sdk/identity-schemas.js';
import { testContacts } from '../test/contacts.js';
import { createWorkspace, testPrisma } from '../test/env.js';
import { createContactsService, getContact } from './contacts.js';
import { createConversationStore, type InboundInput } from './conversations.js';

const prisma = testPrisma();
const store = createConversationStore(prisma, createContactsService(prisma));
/** As the ingest activity calls it: the sender's identities through the matching rules. */
const inbound = (input: Omit<InboundInput, 'identities'>) =>
  store.recordInbound({ ...input, identities: senderIdentities(input.event.sender) });
let ws: string;
beforeAll(async () => {
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const received = (id: string, phone: string, over: Partial<MessageReceived> = {}): MessageReceived => ({
  type: 'message.received',
  dedupeKey: id,
  providerMessageId: id,
  timestamp: '2026-11-29T10:00:00Z',
  sender: { identity: { kind: 'phone', value: phone } },
  text: `text of ${id}`,
  ...over,
});

describe('conversation store', () => {
  it("keeps a provider's time as sent, but one PostgreSQL cannot store is the time it was received", async () => {
    const record = (id: string, timestamp: string) =>
      inbound({
        workspaceId: ws,
        accountId: 'cha_t',
        channel: 'sms',
        event: received(id, '+14155550077', { timestamp }),
      });
    expect((await record('SM-old', '1960-05-01T00:00:00.000Z')).message.sentAt).toBe('1960-05-01T00:00:00.000Z');
    // Dates JavaScript reads but PostgreSQL refuses (the ingest activity failed on them, retrying for ever).
    for (const [id, timestamp] of [
      ['SM-bc', '-271821-04-20T00:00:00.000Z'],
      ['SM-zero', '0000-01-01T00:00:00.000Z'],
      ['SM-far', '+275760-09-13T00:00:00.000Z'],
    ]) {
      const before = Date.now();
      const { message } = await record(id!, timestamp!);
      expect(Date.parse(message.sentAt), timestamp).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(message.sentAt), timestamp).toBeLessThanOrEqual(Date.now() + 1000);
    }
    const status = {
      type: 'message.status',
      dedupeKey: 'd',
      providerMessageId: 'SM-old',
      status: 'delivered',
    } as const;
    expect(await store.recordStatus('cha_t', { ...status, timestamp: '-271821-04-20T00:00:00.000Z' })).toBe(true);
  });

  it('files messages of one person in one conversation, once per provider id', async () => {
    const a = await inbound({
      workspaceId: ws,
      accountId: 'cha_a',
      channel: 'sms',
      event: received('SM1', '+14155550001'),
    });
    const b = await inbound({
      workspaceId: ws,
      accountId: 'cha_b',
      channel: 'whatsapp',
      event: received('wamid.1', '14155550001', {
        sender: {
          identity: { kind: 'whatsapp', value: '14155550001' },
          identities: [{ kind: 'phone', value: '+14155550001' }],
        },
      }),
    });
    const again = await inbound({
      workspaceId: ws,
      accountId: 'cha_a',
      channel: 'sms',
      event: received('SM1', '+14155550001'),
    });
    expect(a.duplicate).toBe(false);
    expect(b.contact.id).toBe(a.contact.id);
    expect(b.message.conversationId).toBe(a.message.conversationId);
    expect(again).toMatchObject({ duplicate: true, message: { id: a.message.id } });
    expect(await prisma.message.count({ where: { contactId: a.contact.id } })).toBe(2);
    // "Last used" is arrival order, whatever the providers' clocks say.
    expect((await store.lastInbound(ws, a.contact.id))?.channel).toBe('whatsapp');
  });

  it('keeps one outbound record per step and applies statuses only forwards', async () => {
    const { contact } = await inbound({
      workspaceId: ws,
      accountId: 'cha_a',
      channel: 'sms',
      event: received('SM2', '+14155550002'),
    });
    const input = {
      workspaceId: ws,
      accountId: 'cha_a',
      channel: 'sms',
      contactId: contact.id,
      address: { kind: 'phone', value: '+14155550002' },
      idempotencyKey: 'run_1:send',
      text: 'hi',
      content: {},
      source: 'run:run_1:send',
    };
    const first = await store.beginOutbound(input);
    const second = await store.beginOutbound(input);
    expect(second.id).toBe(first.id);
    await store.completeOutbound(first.id, { providerMessageId: 'SMout', status: 'queued' });
    expect((await store.findOutbound('cha_a', 'run_1:send'))?.providerMessageId).toBe('SMout');

    const status = (s: 'sent' | 'delivered' | 'read' | 'failed') =>
      store.recordStatus('cha_a', {
        type: 'message.status',
        dedupeKey: `SMout:${s}`,
        providerMessageId: 'SMout',
        status: s,
        timestamp: '2026-11-29T10:01:00Z',
      });
    expect(await status('read')).toBe(true);
    expect(await status('delivered')).toBe(true);
    expect((await prisma.message.findUnique({ where: { id: first.id } }))?.status).toBe('read');
    expect(
      await store.recordStatus('cha_a', {
        type: 'message.status',
        dedupeKey: 'x',
        providerMessageId: 'nope',
        status: 'sent',
        timestamp: '2026-11-29T10:01:00Z',
      }),
    ).toBe(false);
  });

  it('records consent from a message and lists waiting runs for the sender', async () => {
    const stop = await inbound({
      workspaceId: ws,
      accountId: 'cha_a',
      channel: 'sms',
      event: received('SM3', '+14155550003', { text: 'STOP', consent: 'opted_out' }),
    });
    expect(await store.consent(stop.contact.id, 'sms')).toMatchObject({
      status: 'opted_out',
      source: `message:${stop.message.id}`,
    });
    expect(await store.consent(stop.contact.id, 'whatsapp')).toBeNull();

    await store.registerWait({
      runId: 'run_w',
      nodeId: 'wait',
      workspaceId: ws,
      flowId: 'flw_1',
      contactId: stop.contact.id,
      expiresAt: new Date(Date.now() + 60_000),
    });
    await store.registerWait({
      runId: 'run_old',
      nodeId: 'wait',
      workspaceId: ws,
      flowId: 'flw_1',
      contactId: stop.contact.id,
      expiresAt: new Date(Date.now() - 1000),
    });
    const next = await inbound({
      workspaceId: ws,
      accountId: 'cha_a',
      channel: 'sms',
      event: received('SM4', '+14155550003', { text: 'START', consent: 'opted_in' }),
    });
    expect(next.waits).toEqual([{ runId: 'run_w', nodeId: 'wait', flowId: 'flw_1' }]);
    expect((await store.consent(stop.contact.id, 'sms'))?.status).toBe('opted_in');
    await store.clearWait('run_w', 'wait');
    expect(await prisma.runWait.count({ where: { runId: 'run_w' } })).toBe(0);
  });

  it("re-files a phone's nameless messages on the line's own contact when a differently named person shares it", async () => {
    const own = await createWorkspace(prisma);
    const contacts = testContacts(prisma);
    const family = '+14155550188';
    const sms = (id: string, over: Partial<MessageReceived> = {}) =>
      inbound({ workspaceId: own, accountId: 'cha_sms', channel: 'sms', event: received(id, family, over) });
    // Ana writes an SMS (nameless), then on WhatsApp under her name (the same contact, named now), then SMS again,
    // one of them STOP.
    const first = await sms('SM-f1', { timestamp: '2026-11-29T10:00:00Z' });
    const wa = await inbound({
      workspaceId: own,
      accountId: 'cha_wa',
      channel: 'whatsapp',
      event: received('wamid.f', '14155550188', {
        timestamp: '2026-11-29T10:05:00Z',
        sender: {
          identity: { kind: 'whatsapp', value: '14155550188' },
          identities: [{ kind: 'phone', value: family }],
          name: 'Ana García',
        },
      }),
    });
    const ana = wa.contact.id;
    expect(ana).toBe(first.contact.id);
    const stop = await sms('SM-f2', { timestamp: '2026-11-29T10:10:00Z', text: 'STOP', consent: 'opted_out' });
    expect(stop.contact.id).toBe(ana);
    const anaConversation = wa.message.conversationId;

    // Luis orders with the family phone under his own name: the phone is shared now, and the two SMS could be either
    // person's: they move to the phone's own nameless contact; the WhatsApp message (named) stays with Ana.
    const luis = await contacts.upsert(own, {
      identities: [
        { kind: 'phone', value: family },
        { kind: 'email', value: 'luis@example.com' },
      ],
      name: 'Luis Garcia',
      source: { type: 'run', runId: 'run_order', nodeId: 'save' },
    });
    expect(luis).toMatchObject({ created: true, sharedWith: [ana] });
    const rows = await prisma.message.findMany({
      where: { workspaceId: own },
      select: { providerMessageId: true, contactId: true, conversationId: true },
      orderBy: { sentAt: 'asc' },
    });
    const line = rows.find((m) => m.providerMessageId === 'SM-f1')!.contactId;
    expect(line).not.toBe(ana);
    expect(line).not.toBe(luis.contact.id);
    expect(rows.map((m) => [m.providerMessageId, m.contactId === line ? 'line' : m.contactId])).toEqual([
      ['SM-f1', 'line'],
      ['wamid.f', ana],
      ['SM-f2', 'line'],
    ]);
    const lineContact = await prisma.contact.findUniqueOrThrow({ where: { id: line }, include: { identities: true } });
    expect(lineContact.name).toBeNull();
    expect(lineContact.identities.map((i) => [i.kind, i.key, i.shared, i.source])).toEqual([
      ['phone', family, true, { type: 'run', runId: 'run_order', nodeId: 'save' }],
    ]);
    // A source the API's schema takes (its serializer refused the rule's once: a 500 on the inbox).
    const view = await getContact(prisma, own, line);
    const fits = createAjv().compile(IDENTITY_SOURCE_SCHEMA);
    expect(view!.identities.map((i) => fits(i.source))).toEqual([true]);
    const lineConversation = rows.find((m) => m.providerMessageId === 'SM-f1')!.conversationId;
    expect(lineConversation).not.toBe(anaConversation);
    expect(rows.find((m) => m.providerMessageId === 'SM-f2')!.conversationId).toBe(lineConversation);
    // Each conversation's last message is its own again.
    const conv = async (id: string) => (await prisma.conversation.findUniqueOrThrow({ where: { id } })).lastMessageAt;
    expect((await conv(anaConversation))?.toISOString()).toBe('2026-11-29T10:05:00.000Z');
    expect((await conv(lineConversation))?.toISOString()).toBe('2026-11-29T10:10:00.000Z');
    // The line's STOP stays with the line (Ana keeps hers too).
    expect(await store.consent(line, 'sms')).toMatchObject({ status: 'opted_out' });
    expect(await store.consent(ana, 'sms')).toMatchObject({ status: 'opted_out' });
    // Said on both sides, by the rule, naming the messages.
    const refilings = async () =>
      (
        await prisma.contactEvent.findMany({
          where: { workspaceId: own, contactId: { in: [ana, line] }, type: 'contact.updated' },
          orderBy: { id: 'asc' },
        })
      ).filter((e) => (e.payload as { refiled?: unknown }).refiled);
    const events = await refilings();
    expect(events.map((e) => [e.contactId === ana ? 'ana' : 'line', e.payload])).toEqual([
      [
        'ana',
        expect.objectContaining({
          fields: ['messages'],
          changes: {
            messages: {
              from: `2 sms messages from ${family}`,
              to: `re-filed on the line's own contact ${line} (${family} is shared with Luis Garcia)`,
            },
          },
          refiled: { to: line, messages: [first.message.id, stop.message.id] },
          by: { type: 'rule', ref: 'shared-line run:run_order:save' },
        }),
      ],
      [
        'line',
        expect.objectContaining({
          changes: {
            messages: {
              from: `on Ana García (${ana})`,
              to: `2 sms messages from ${family} re-filed here (${family} is shared with Luis Garcia)`,
            },
          },
          refiled: { from: ana, messages: [first.message.id, stop.message.id] },
        }),
      ],
    ]);

    // From now on a nameless SMS goes to the line; the same order again moves nothing more.
    expect((await sms('SM-f3', { timestamp: '2026-11-29T10:20:00Z' })).contact.id).toBe(line);
    await contacts.upsert(own, {
      identities: [
        { kind: 'phone', value: family },
        { kind: 'email', value: 'luis@example.com' },
      ],
      name: 'Luis Garcia',
    });
    expect(await prisma.message.count({ where: { workspaceId: own, contactId: line } })).toBe(3);
    expect(await refilings()).toHaveLength(2);
    // A phone held by one person only moves nothing when a second person of the same name comes along.
    const solo = '+14155550189';
    await inbound({ workspaceId: own, accountId: 'cha_sms', channel: 'sms', event: received('SM-s1', solo) });
    await contacts.upsert(own, { identities: [{ kind: 'phone', value: solo }], name: 'Zoe Park' });
    expect(await prisma.contact.count({ where: { workspaceId: own } })).toBe(4);
  });
});
