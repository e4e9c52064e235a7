// `conversations.setConsent` over the real PostgreSQL, through the worker's wiring: the consent the platform's sends
// check (worker/channels.ts reads `store.consent`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionContext } from '../../testkit/index.js';
import { resolveIdentities } from '../../contacts/identity.js';
import { createContactsService } from '../../../prisma/contacts.js';
import { createConversationStore } from '../../../prisma/conversations.js';
import { createWorkspace, testPrisma } from '../../../test/env.js';
import { createWorkerDeps } from '../../../worker/deps.js';
import { builtinConnectors } from '../../builtin.js';
import { createRegistry } from '../../sdk/index.js';
import { setConsentAction } from './set-consent.js';

const prisma = testPrisma();
const contacts = createContactsService(prisma);
const store = createConversationStore(prisma, contacts);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const deps = createWorkerDeps({ prisma, registry: createRegistry(builtinConnectors()), logger: silent, publicUrl: '' });
let ws: string;
beforeAll(async () => {
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

describe('conversations.setConsent', () => {
  it("records the contact's opt-out on the channel, then the opt-in again", async () => {
    const { contact } = await contacts.upsert(ws, {
      identities: resolveIdentities([{ kind: 'phone', value: '+14155550199' }]),
      source: { type: 'api' },
    });
    const ctx = actionContext(
      {},
      {
        workspaceId: ws,
        runId: 'run_1',
        nodeId: 'optout',
        services: { ...actionContext({}).services, conversations: deps.services.conversations! },
      },
    );
    expect(await setConsentAction.run(ctx, { contact: contact.id, channel: 'whatsapp', status: 'opted_out' })).toEqual({
      contact: contact.id,
      channel: 'whatsapp',
      status: 'opted_out',
    });
    expect(await store.consent(contact.id, 'whatsapp')).toMatchObject({
      status: 'opted_out',
      source: 'run:run_1:optout',
    });
    expect(await store.consent(contact.id, 'sms')).toBeNull();
    await setConsentAction.run(ctx, { contact: contact.id, channel: 'whatsapp', status: 'opted_in' });
    expect((await store.consent(contact.id, 'whatsapp'))?.status).toBe('opted_in');
  });
});
