// `conversations.listOpen` over the real PostgreSQL, through the worker's wiring (worker/deps.ts): a conversation is
// open while the customer wrote last and nobody closed it; an answer or closing it takes it off the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { senderIdentities } from '../../contacts/identity.js';
import type { MessageReceived } from '../../sdk/channel.js';
import { actionContext } from '../../testkit/index.js';
import { createContactsService } from '../../../prisma/contacts.js';
import { setConversationStatus } from '../../../prisma/conversation-status.js';
import { createConversationStore } from '../../../prisma/conversations.js';
import { createWorkspace, testPrisma } from '../../../test/env.js';
import { createWorkerDeps } from '../../../worker/deps.js';
import { builtinConnectors } from '../../builtin.js';
import { createRegistry } from '../../sdk/index.js';
import { digestLine, listOpenAction } from './list-open.js';

const prisma = testPrisma();
const store = createConversationStore(prisma, createContactsService(prisma));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const deps = createWorkerDeps({ prisma, registry: createRegistry(builtinConnectors()), logger: silent, publicUrl: '' });
let ws: string;
beforeAll(async () => {
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const write = (id: string, phone: string, name: string, text: string, timestamp: string) => {
  const event: MessageReceived = {
    type: 'message.received',
    dedupeKey: id,
    providerMessageId: id,
    timestamp,
    sender: { identity: { kind: 'phone', value: phone }, name },
    text,
  };
  return store.recordInbound({
    workspaceId: ws,
    accountId: 'cha_sms',
    channel: 'sms',
    event,
    identities: senderIdentities(event.sender),
  });
};
const run = () =>
  listOpenAction.run(
    actionContext(
      {},
      { workspaceId: ws, services: { ...actionContext({}).services, conversations: deps.services.conversations! } },
    ),
    { limit: 10 },
  );

describe('conversations.listOpen', () => {
  it('lists the conversations whose last message is the customer’s, the longest waiting first', async () => {
    expect(await run()).toEqual({ count: 0, conversations: [], text: 'Nobody is waiting for an answer.' });
    const ann = await write('SM1', '+14155550101', 'Ann', 'Where is   my parcel?', '2026-12-01T09:00:00Z');
    const bob = await write('SM2', '+14155550102', 'Bob', 'Hello', '2026-12-01T08:00:00Z');
    await write('SM3', '+14155550102', 'Bob', 'Anyone there?', '2026-12-01T10:30:00Z');

    const open = await run();
    expect(open.conversations).toEqual([
      {
        id: ann.message.conversationId,
        contactId: ann.contact.id,
        name: 'Ann',
        channel: 'sms',
        text: 'Where is   my parcel?',
        since: '2026-12-01T09:00:00.000Z',
      },
      expect.objectContaining({ id: bob.message.conversationId, text: 'Anyone there?' }),
    ]);
    expect(open.text).toBe(
      '• Ann (sms, since 2026-12-01 09:00 UTC): Where is my parcel?\n' +
        '• Bob (sms, since 2026-12-01 10:30 UTC): Anyone there?',
    );

    // An answer to Ann closes hers.
    const out = await store.beginOutbound({
      workspaceId: ws,
      accountId: 'cha_sms',
      channel: 'sms',
      contactId: ann.contact.id,
      address: { kind: 'phone', value: '+14155550101' },
      idempotencyKey: 'run_x:reply',
      text: 'On its way',
      content: {},
      source: 'test',
    });
    await store.completeOutbound(out.id, { providerMessageId: 'SMout', status: 'sent' });
    expect((await run()).conversations.map((c) => c.name)).toEqual(['Bob']);
    // Closing Bob's (resolved in the inbox) takes it off the list too.
    await setConversationStatus(prisma, ws, bob.message.conversationId, 'closed', { type: 'api' });
    expect(await run()).toMatchObject({ count: 0, conversations: [] });
  });

  it('cuts long texts to one line', () => {
    const line = digestLine({
      id: 'c',
      contactId: 'ct',
      name: null,
      channel: 'webchat',
      text: 'x'.repeat(300),
      since: '2026-12-01T09:00:00.000Z',
    });
    expect(line).toBe(`• Unknown (webchat, since 2026-12-01 09:00 UTC): ${'x'.repeat(119)}…`);
  });

  it('fails saying so where no inbox is wired', async () => {
    await expect(listOpenAction.run(actionContext({}), {})).rejects.toThrow(/inbox is not available/);
  });
});
