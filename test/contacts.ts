// The contact store as its callers use it: identities go through the matching rules (connectors/contacts/identity.ts)
// first, so a test can give them as written.
import { resolveIdentities } from '../connectors/contacts/identity.js';
import type {
  ContactIdentityInput,
  ContactRecord,
  ContactUpsertInput,
  ContactUpsertResult,
} from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import { createContactsService } from '../prisma/contacts.js';

export type WrittenUpsert = Omit<ContactUpsertInput, 'identities'> & { identities: ContactIdentityInput[] };

export function testContacts(prisma: PrismaClient) {
  const store = createContactsService(prisma);
  return {
    upsert: (workspaceId: string, input: WrittenUpsert): Promise<ContactUpsertResult> =>
      store.upsert(workspaceId, { ...input, identities: resolveIdentities(input.identities) }),
  };
}

/** A contact's identities as kind and value only. */
export const kindValues = (c: Pick<ContactRecord, 'identities'>) =>
  c.identities.map(({ kind, value }) => ({ kind, value }));
