import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, testPrisma } from '../../../test/env.js';
import { testContacts } from '../../../test/contacts.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { createContactsService, getContact } from '../../../prisma/contacts.js';
import { actionContext } from '../../testkit/channel.js';
import { ConnectorError, createAjv } from '../../sdk/index.js';
import { contactsConnector } from '../index.js';
import type { ContactMergeActionInput, ContactMergeActionOutput } from './merge.js';

let prisma: PrismaClient;
let ws: string;
beforeAll(async () => {
  prisma = testPrisma();
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const action = contactsConnector.actions.find((a) => a.id === 'merge')!;
const merge = (input: ContactMergeActionInput, workspaceId = ws) =>
  action.run(
    actionContext(
      { contacts: createContactsService(prisma) },
      { workspaceId, runId: 'run_m', flowId: 'flw_m', nodeId: 'join', idempotencyKey: 'run_m:join' },
    ),
    input,
  ) as Promise<ContactMergeActionOutput>;
const person = async (name: string, email: string) =>
  (await testContacts(prisma).upsert(ws, { name, identities: [{ kind: 'email', value: email }] })).contact;

describe('contacts.merge', () => {
  it('takes two contact ids, nothing else', () => {
    const validate = createAjv().compile(
      contactsConnector.manifest.actions.find((a) => a.id === 'contacts.merge')!.input,
    );
    expect(validate({ survivor: 'ct_1', merged: 'ct_2' })).toBe(true);
    expect(validate({ survivor: 'ct_1' })).toBe(false);
    expect(validate({ survivor: 'flw_1', merged: 'ct_2' })).toBe(false);
  });

  it('merges, recording the run step as who did it, and a retried step finds it done', async () => {
    const keep = await person('Mia Keep', `mia.${Date.now()}@example.com`);
    const gone = await person('Mia K.', `mia.k.${Date.now()}@example.org`);
    const out = await merge({ survivor: keep.id, merged: gone.id });
    expect(out).toMatchObject({ alreadyMerged: false, id: keep.id, mergeId: expect.stringMatching(/^mrg_/) });
    expect(out.identities.map((i) => i.value).sort()).toEqual(
      [...keep.identities, ...gone.identities].map((i) => i.value).sort(),
    );
    const row = await prisma.contactMerge.findUniqueOrThrow({ where: { id: out.mergeId! } });
    expect(row.by).toEqual({ type: 'run', ref: 'run_m:join', flowId: 'flw_m' });
    expect((await getContact(prisma, ws, gone.id))?.mergedInto).toBe(keep.id);

    // The same step again (a retry after a lost answer), or either way round: one contact already, nothing changed.
    expect(await merge({ survivor: keep.id, merged: gone.id })).toMatchObject({
      alreadyMerged: true,
      mergeId: null,
      id: keep.id,
    });
    expect(await merge({ survivor: gone.id, merged: keep.id })).toMatchObject({ alreadyMerged: true, id: keep.id });
    expect(await prisma.contactMerge.count({ where: { workspaceId: ws, survivorId: keep.id } })).toBe(1);
  });

  it('refuses a contact with itself, and contacts of another workspace, changing nothing', async () => {
    const a = await person('Solo Person', `solo.${Date.now()}@example.com`);
    await expect(merge({ survivor: a.id, merged: a.id })).rejects.toMatchObject({
      kind: 'validation',
      code: 'merge_self',
      retryable: false,
    });
    const other = await createWorkspace(prisma);
    const b = (
      await testContacts(prisma).upsert(other, {
        identities: [{ kind: 'email', value: `far.${Date.now()}@example.com` }],
      })
    ).contact;
    const refused = await merge({ survivor: a.id, merged: b.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConnectorError);
    expect(refused).toMatchObject({ kind: 'not_found', retryable: false });
    expect((await getContact(prisma, other, b.id))?.mergedInto).toBeUndefined();
    expect((await getContact(prisma, ws, a.id))?.members).toBeUndefined();
  });
});
