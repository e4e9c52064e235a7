import { actionContext } from '../../testkit/channel.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, testPrisma } from '../../../test/env.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { createContactsService, findContactByIdentity } from '../../../prisma/contacts.js';
import { createAjv, ConnectorError, type ActionContext, type Connector } from '../../sdk/index.js';
import { builtinConnectors } from '../../builtin.js';
import { contactsConnector } from '../index.js';
import type { ContactUpsertActionInput, ContactUpsertActionOutput } from './upsert.js';

let prisma: PrismaClient;
let ws: string;
beforeAll(async () => {
  prisma = testPrisma();
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const noop = () => {};
const unusedChannels = {
  send: () => Promise.reject(new Error('unused')),
  reply: () => Promise.reject(new Error('unused')),
};
const upsert = (input: ContactUpsertActionInput, workspaceId = ws, connector: Connector = contactsConnector) => {
  const ctx: ActionContext = actionContext(
    { channels: unusedChannels, contacts: createContactsService(prisma) },
    {
      workspaceId,
      runId: 'run_7',
      nodeId: 'save',
      idempotencyKey: 'run_7:save',
      logger: { debug: noop, info: noop, warn: noop, error: noop },
    },
  );
  return connector.actions[0]!.run(ctx, input) as Promise<ContactUpsertActionOutput>;
};

describe('contacts.upsert', () => {
  it('has a schema that needs one of email, phone or identities', () => {
    expect(contactsConnector.manifest.actions.map((a) => a.id)).toEqual(['contacts.upsert']);
    const validate = createAjv().compile(contactsConnector.manifest.actions[0]!.input);
    expect(validate({ email: 'a@b.co' })).toBe(true);
    expect(validate({ phone: '+14155550123', defaultCountry: 'us', name: null })).toBe(true);
    expect(validate({ identities: [{ kind: 'telegram', value: '1' }] })).toBe(true);
    expect(validate({ name: 'Ada' })).toBe(false);
    expect(validate({ email: 'a@b.co', defaultCountry: 'USA' })).toBe(false);
  });

  it('creates then updates one contact, normalizing email and phone, with provenance', async () => {
    const first = await upsert({ email: ' Ada@Example.com ', name: 'Ada', attributes: { plan: 'free' } });
    expect(first).toMatchObject({
      created: true,
      name: 'Ada',
      attributes: { plan: 'free' },
      identities: [{ kind: 'email', value: 'ada@example.com' }],
    });
    const second = await upsert({
      email: 'ada@example.com',
      phone: '(415) 555-0123',
      defaultCountry: 'US',
      name: null,
      attributes: { plan: 'pro', seats: 3 },
    });
    expect(second).toMatchObject({ id: first.id, created: false, name: 'Ada', attributes: { plan: 'pro', seats: 3 } });
    expect(second.identities).toEqual([
      { kind: 'email', value: 'ada@example.com' },
      { kind: 'phone', value: '+14155550123' },
    ]);
    const row = await prisma.identity.findFirst({ where: { workspaceId: ws, kind: 'phone' } });
    expect(row?.source).toBe('run:run_7:save');
    expect((await findContactByIdentity(prisma, ws, 'phone', '+14155550123'))?.id).toBe(first.id);
  });

  it('uses CONFLUO_DEFAULT_COUNTRY when no defaultCountry is given', async () => {
    const before = process.env.CONFLUO_DEFAULT_COUNTRY;
    process.env.CONFLUO_DEFAULT_COUNTRY = 'GB';
    try {
      // Read where the built-in connectors are made, not inside the action.
      const contacts = builtinConnectors().find((c) => c.id === 'contacts')!;
      const out = await upsert({ phone: '07911 123456', email: null }, ws, contacts);
      expect(out.identities).toEqual([{ kind: 'phone', value: '+447911123456' }]);
    } finally {
      if (before === undefined) delete process.env.CONFLUO_DEFAULT_COUNTRY;
      else process.env.CONFLUO_DEFAULT_COUNTRY = before;
    }
  });

  it('rejects invalid input as a non-retryable validation error and writes nothing', async () => {
    const own = await createWorkspace(prisma);
    for (const [input, field] of [
      [{ email: 'not-an-email' }, 'email'],
      [{ email: 'ok@example.com', phone: '12' }, 'phone'],
      [{ email: null, phone: '' }, 'email'],
    ] as const) {
      const err = await upsert(input, own).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ kind: 'validation', retryable: false, code: 'INPUT_INVALID' });
      expect((err as Error).message).toMatch(new RegExp(`^${field}:`));
    }
    expect(await prisma.contact.count({ where: { workspaceId: own } })).toBe(0);
  });

  it('reports identities owned by another contact as conflicts', async () => {
    const own = await createWorkspace(prisma);
    const a = await upsert({ email: 'x@example.com' }, own);
    await prisma.contact.update({ where: { id: a.id }, data: { createdAt: new Date(Date.now() - 60_000) } });
    const b = await upsert({ identities: [{ kind: 'telegram', value: '99' }] }, own);
    const both = await upsert({ email: 'x@example.com', identities: [{ kind: 'telegram', value: '99' }] }, own);
    expect(both).toMatchObject({ id: a.id, created: false, conflicts: [b.id] });
  });
});
