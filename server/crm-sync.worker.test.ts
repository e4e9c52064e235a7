// Two-way CRM sync end to end on the real Temporal dev server and PostgreSQL, against the spec-checked HubSpot and
// Pipedrive fakes (their webhooks signed and sent as the CRMs send them, their rate limits enforced): a contact made
// or changed in Confluo appears and changes in the CRM, a change made in the CRM comes back, our own writes do not come
// back as changes (no echo loop), an outage or a 429 is waited out with nothing lost, and a refusal shows on the
// contact's sync status.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHubSpotFake,
  startPipedriveFake,
  type HubSpotFake,
  type PipedriveFake,
} from '../connectors/testkit/index.js';
import { resolveIdentities } from '../connectors/contacts/identity.js';
import { createContactAttributeStore } from '../prisma/contact-attributes.js';
import { createContactsService } from '../prisma/contacts.js';
import { createConversationStore } from '../prisma/conversations.js';
import { startChannelHarness, type ChannelHarness } from './test-channels.js';
import { eventually } from './test-app.js';
import { createCrmSync } from '../worker/crm-sync.js';

let h: ChannelHarness;
let hubspot: HubSpotFake;
let pipedrive: PipedriveFake;
let hs: { id: string; inboundUrl: string };
let pd: { id: string; inboundUrl: string };
const clientSecret = 'hubspot-client-secret-for-tests';
const pdToken = 'f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9';
const hook = { user: 'confluo', password: 'a-long-webhook-password' };

/** A contact as a channel delivery or a flow step makes it (the contacts service the gateway and steps use). */
async function upsert(identities: { kind: string; value: string }[], name?: string, attributes?: object) {
  const contacts = createContactsService(h.t.prisma);
  const { contact } = await contacts.upsert(h.t.workspaceId, {
    identities: resolveIdentities(identities),
    ...(name && { name }),
    ...(attributes && { attributes: attributes as never }),
    source: { type: 'api' },
  });
  return contact;
}

const hubspotByEmail = (email: string) =>
  eventually(async () => hubspot.records('contacts').find((r) => r.properties.email === email), 30_000);

const crmStatus = async (contactId: string) =>
  (await h.t.api({ method: 'GET', url: `/api/contacts/${contactId}/crm` })).json().items as any[];

/** The contact's sync status on the account once `want` holds; on a timeout the error shows the last one seen. */
async function statusOn(contactId: string, accountId: string, want: (s: any) => boolean) {
  let last: unknown;
  try {
    return await eventually(async () => {
      const s = (await crmStatus(contactId)).find((l) => l.accountId === accountId);
      last = s;
      return s && want(s) ? s : undefined;
    }, 30_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}; the last status: ${JSON.stringify(last)}`, { cause: err });
  }
}

/** API writes the HubSpot fake received (searches and reads left out). */
const writesTo = (id: string) =>
  hubspot.requests.filter((r) => r.method === 'PATCH' && r.path === `/crm/v3/objects/contacts/${id}`).length;

/** The contact once `want` holds of it (the API's view). */
const contactWhen = (id: string, want: (c: any) => boolean) =>
  eventually(async () => {
    const c = (await h.t.api({ method: 'GET', url: `/api/contacts/${id}` })).json();
    return want(c) ? c : undefined;
  }, 30_000);

const quiet = new DefaultLogger('ERROR');

const settle = () => new Promise((r) => setTimeout(r, 3000));

beforeAll(async () => {
  h = await startChannelHarness({ crmSync: { debounceMs: 200, catchUpMs: 1500 } });
  hubspot = await startHubSpotFake({ accessToken: 'pat-na1-sync-token', clientSecret, portalId: 5151 });
  pipedrive = await startPipedriveFake({ apiToken: pdToken, companyId: 888 });
  // A customer Confluo knew before any CRM was connected: the initial sync writes it.
  await upsert([{ kind: 'email', value: 'early.bird@example.com' }], 'Early Bird');
  hs = await h.createAccount({
    connector: 'hubspot',
    name: 'Sync HubSpot',
    credentials: { accessToken: 'pat-na1-sync-token', clientSecret },
    // `tier` maps to a property this portal lacks: HubSpot refuses writes of it (the refusal test).
    settings: { apiBaseUrl: hubspot.url, fieldMap: { tier: 'loyalty_tier' } },
  });
  hubspot.setWebhookUrl(hs.inboundUrl);
  pd = await h.createAccount({
    connector: 'pipedrive',
    name: 'Sync Pipedrive',
    credentials: { apiToken: pdToken, webhookUser: hook.user, webhookPassword: hook.password },
    settings: { apiBaseUrl: pipedrive.url },
  });
  pipedrive.subscribe({ url: pd.inboundUrl, ...hook });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await hubspot?.close();
  await pipedrive?.close();
});

describe('Confluo contacts into the CRM', () => {
  it('connecting a CRM writes the contacts Confluo already had', async () => {
    const record = await hubspotByEmail('early.bird@example.com');
    expect(record).toMatchObject({ properties: { firstname: 'Early', lastname: 'Bird' } });
    const person = await eventually(
      async () => [...pipedrive.persons.values()].find((p) => p.name === 'Early Bird'),
      30_000,
    );
    expect(person.emails.map((e: any) => e.value)).toEqual(['early.bird@example.com']);
  }, 60_000);

  it('a round with nothing due ends at once and asks the loop to sleep (an idle account holds no activity slot)', async () => {
    const early = await h.contactBy('email', 'early.bird@example.com');
    await statusOn(early.id, hs.id, (s) => s.status === 'synced');
    // A round that waited for work would run for roundMs (10 minutes here) and time the test out.
    const sync = createCrmSync({ ...h.workerDeps.crm!, roundMs: 600_000, idleMs: 1234 });
    const round = await new MockActivityEnvironment(undefined, { logger: quiet }).run(sync.syncCrmRound, {
      accountId: hs.id,
      failures: 0,
    });
    expect(round).toEqual({ waitMs: 1234, failures: 0, written: 0 });
  }, 30_000);

  it('a new contact appears in HubSpot and Pipedrive, linked by a record-id identity, its status synced', async () => {
    const contact = await upsert(
      [
        { kind: 'email', value: 'Maria.Lopez@Example.com' },
        { kind: 'phone', value: '+34 612 34 56 78' },
      ],
      'María López',
      { city: 'Sevilla', jobTitle: 'Owner' },
    );
    const record = await hubspotByEmail('maria.lopez@example.com');
    expect(record.properties).toMatchObject({
      firstname: 'María',
      lastname: 'López',
      phone: '+34612345678',
      city: 'Sevilla',
      jobtitle: 'Owner',
    });
    const person = await eventually(
      async () => [...pipedrive.persons.values()].find((p) => p.name === 'María López'),
      30_000,
    );
    expect(person).toMatchObject({ job_title: 'Owner' });
    const hsStatus = await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    expect(hsStatus).toMatchObject({ connector: 'hubspot', recordId: record.id, error: null });
    await statusOn(contact.id, pd.id, (s) => s.status === 'synced' && s.recordId === String(person.id));
    const view = (await h.t.api({ method: 'GET', url: `/api/contacts/${contact.id}` })).json();
    expect(view.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'hubspot', value: `5151:${record.id}`, verified: true }),
        expect.objectContaining({ kind: 'pipedrive', value: `888:${person.id}`, verified: true }),
      ]),
    );
    expect(hubspot.violations).toEqual([]);
    expect(pipedrive.violations).toEqual([]);
  }, 60_000);

  it('a change made in Confluo is written once, and does not come back as a change (no echo loop)', async () => {
    const contact = await upsert([{ kind: 'email', value: 'echo.test@example.com' }], 'Echo Test');
    const record = await hubspotByEmail('echo.test@example.com');
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    const before = writesTo(record.id);
    const person = await statusOn(contact.id, pd.id, (s) => s.status === 'synced');
    const pdReads = () =>
      pipedrive.requests.filter((r) => r.method === 'GET' && r.path === `/api/v2/persons/${person.recordId}`).length;
    const pdReadsBefore = pdReads();
    const res = await h.t.api({
      method: 'PATCH',
      url: `/api/contacts/${contact.id}`,
      payload: { name: 'Echo Tester', attributes: { city: 'Lyon' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    await eventually(
      async () => (hubspot.get('contacts', record.id)?.properties.city === 'Lyon' ? true : undefined),
      30_000,
    );
    expect(hubspot.get('contacts', record.id)!.properties).toMatchObject({ firstname: 'Echo', lastname: 'Tester' });
    // HubSpot reports our write back as property changes; they must change nothing and write nothing more.
    await hubspot.flush();
    await settle();
    expect(writesTo(record.id)).toBe(before + 1);
    // Pipedrive's webhook for our write says the token's user changed it through the API: not read back either.
    await pipedrive.flush();
    expect(pipedrive.persons.get(Number(person.recordId))!.name).toBe('Echo Tester');
    expect(pdReads()).toBe(pdReadsBefore);
    const after = (await h.t.api({ method: 'GET', url: `/api/contacts/${contact.id}` })).json();
    expect(after).toMatchObject({ name: 'Echo Tester', attributes: { city: 'Lyon' } });
  }, 60_000);

  it('waits out a CRM outage (status retrying meanwhile) and a 429, losing nothing', async () => {
    const contact = await upsert([{ kind: 'email', value: 'outage@example.com' }], 'Out Age');
    const record = await hubspotByEmail('outage@example.com');
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    hubspot.outage(true);
    try {
      await h.t.api({ method: 'PATCH', url: `/api/contacts/${contact.id}`, payload: { attributes: { city: 'Oslo' } } });
      const retrying = await statusOn(contact.id, hs.id, (s) => s.status === 'retrying');
      expect(retrying.error).toMatchObject({ retrying: true });
    } finally {
      hubspot.outage(false);
    }
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    expect(hubspot.get('contacts', record.id)!.properties.city).toBe('Oslo');

    const limited = hubspot.rateLimited;
    hubspot.failNext({
      status: 429,
      body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' },
      headers: { 'retry-after': '1' },
    });
    await h.t.api({ method: 'PATCH', url: `/api/contacts/${contact.id}`, payload: { attributes: { city: 'Bergen' } } });
    await eventually(
      async () => (hubspot.get('contacts', record.id)?.properties.city === 'Bergen' ? true : undefined),
      30_000,
    );
    expect(hubspot.rateLimited).toBe(limited);
  }, 90_000);

  it('a value the CRM refuses shows as failed on the contact, and the next change goes through', async () => {
    const contact = await upsert([{ kind: 'email', value: 'refused@example.com' }], 'Re Fused');
    const record = await hubspotByEmail('refused@example.com');
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    await h.t.api({ method: 'PATCH', url: `/api/contacts/${contact.id}`, payload: { attributes: { tier: 'gold' } } });
    const failed = await statusOn(contact.id, hs.id, (s) => s.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'HUBSPOT_BAD_REQUEST', retrying: false });
    expect(failed.error.message).toContain('loyalty_tier');
    await h.t.api({
      method: 'PATCH',
      url: `/api/contacts/${contact.id}`,
      payload: { attributes: { tier: null, city: 'Turin' } },
    });
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    expect(hubspot.get('contacts', record.id)!.properties.city).toBe('Turin');
  }, 60_000);

  it('a merge in Confluo merges the two records in HubSpot and in Pipedrive', async () => {
    const first = await upsert([{ kind: 'email', value: 'merge.one@example.com' }], 'Mer Ge');
    const second = await upsert([{ kind: 'email', value: 'merge.two@example.com' }], 'Mer Ge');
    const one = await hubspotByEmail('merge.one@example.com');
    const two = await hubspotByEmail('merge.two@example.com');
    await statusOn(first.id, pd.id, (s) => s.status === 'synced');
    const gone = await statusOn(second.id, pd.id, (s) => s.status === 'synced');
    const res = await h.t.api({
      method: 'POST',
      url: `/api/contacts/${first.id}/merge`,
      payload: { contactId: second.id },
    });
    expect(res.statusCode, res.body).toBe(200);
    await eventually(async () => (hubspot.records('contacts').some((r) => r.id === two.id) ? undefined : true), 30_000);
    expect(hubspot.get('contacts', one.id)).toBeDefined();
    await eventually(async () => (pipedrive.persons.get(Number(gone.recordId))?.is_deleted ? true : undefined), 30_000);
    await statusOn(first.id, hs.id, (s) => s.status === 'synced');
    const links = (await crmStatus(first.id)).filter((l) => l.accountId === hs.id);
    expect(links).toEqual([expect.objectContaining({ recordId: one.id, status: 'synced' })]);
  }, 60_000);

  it('with logMessages on, each message of a linked contact becomes a note on its HubSpot record', async () => {
    const res = await h.t.api({
      method: 'PATCH',
      url: `/api/channel-accounts/${hs.id}`,
      payload: { settings: { apiBaseUrl: hubspot.url, fieldMap: { tier: 'loyalty_tier' }, logMessages: true } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const contact = await upsert([{ kind: 'phone', value: '+34 699 000 111' }], 'Lola Log');
    const record = await eventually(
      async () => hubspot.records('contacts').find((r) => r.properties.phone === '+34699000111'),
      30_000,
    );
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    const store = createConversationStore(h.t.prisma, createContactsService(h.t.prisma));
    for (const [i, text] of ['Hola, ¿tenéis talla M?', 'Gracias'].entries())
      await store.recordInbound({
        workspaceId: h.t.workspaceId,
        accountId: 'cha_whatsapp_elsewhere',
        channel: 'whatsapp',
        identities: resolveIdentities([{ kind: 'phone', value: '+34699000111', verified: true }]),
        event: {
          type: 'message.received',
          dedupeKey: `log-${i}`,
          providerMessageId: `wamid.log${i}`,
          timestamp: new Date().toISOString(),
          sender: { identity: { kind: 'phone', value: '+34699000111' } },
          text,
        },
      });
    const notes = await eventually(async () => {
      const on = hubspot.records('notes').filter((n) => n.associations.contacts?.includes(record.id));
      return on.length >= 2 ? on : undefined;
    }, 30_000);
    expect(notes.map((n) => n.properties.hs_note_body)).toEqual([
      'Received on whatsapp: Hola, ¿tenéis talla M?',
      'Received on whatsapp: Gracias',
    ]);
    await settle();
    expect(hubspot.records('notes').filter((n) => n.associations.contacts?.includes(record.id))).toHaveLength(2);
  }, 60_000);

  it('a contact known only by a chat id is not written to the CRM', async () => {
    const contact = await upsert([{ kind: 'telegram', value: '99887766' }], 'Chat Only');
    const status = await statusOn(contact.id, hs.id, (s) => s.status !== 'pending');
    expect(status).toMatchObject({ status: 'not_synced', recordId: null });
  }, 60_000);
});

describe('CRM changes back into Confluo', () => {
  it('a change made in HubSpot comes back, only the changed field, and is not written back', async () => {
    const contact = await upsert([{ kind: 'email', value: 'roundtrip@example.com' }], 'Round Trip', { city: 'Rome' });
    const record = await hubspotByEmail('roundtrip@example.com');
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    const before = writesTo(record.id);
    hubspot.crm.update('contacts', record.id, { jobtitle: 'Buyer' });
    await hubspot.flush();
    const back = await contactWhen(contact.id, (c) => c.attributes.jobTitle === 'Buyer');
    expect(back).toMatchObject({ name: 'Round Trip', attributes: { city: 'Rome', jobTitle: 'Buyer' } });
    await settle();
    expect(writesTo(record.id)).toBe(before);
  }, 60_000);

  it('a change made in Pipedrive comes back', async () => {
    const contact = await upsert([{ kind: 'email', value: 'pd.roundtrip@example.com' }], 'Pedro Drive');
    const person = await eventually(
      async () => [...pipedrive.persons.values()].find((p) => p.name === 'Pedro Drive'),
      30_000,
    );
    await statusOn(contact.id, pd.id, (s) => s.status === 'synced');
    await pipedrive.changePerson(person.id, { name: 'Pedro Drivé', phones: ['+44 20 7946 0958'] });
    const back = await contactWhen(contact.id, (c) => c.name === 'Pedro Drivé');
    expect(back.identities).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'phone', value: '+442079460958' })]),
    );
  }, 60_000);

  it('a merge made in HubSpot merges the two Confluo contacts', async () => {
    const keep = await upsert([{ kind: 'email', value: 'hs.keep@example.com' }], 'Kay Keep');
    const gone = await upsert(
      [
        { kind: 'phone', value: '+1 415 555 0199' },
        { kind: 'email', value: 'hs.gone@example.com' },
      ],
      'Kay Keep',
    );
    const primary = await hubspotByEmail('hs.keep@example.com');
    const merged = await hubspotByEmail('hs.gone@example.com');
    await statusOn(keep.id, hs.id, (s) => s.status === 'synced');
    await statusOn(gone.id, hs.id, (s) => s.status === 'synced');
    hubspot.crm.merge('contacts', primary.id, merged.id);
    await hubspot.flush();
    const after = await contactWhen(gone.id, (c) => c.mergedInto);
    expect(after.mergedInto).toBe(keep.id);
    const merges = (await h.t.api({ method: 'GET', url: `/api/contacts/${keep.id}/merges` })).json();
    expect(merges.items[0]).toMatchObject({ survivorId: keep.id, mergedId: gone.id, by: { type: 'rule' } });
  }, 60_000);

  it('a change whose webhook never came is caught up by the poll', async () => {
    const contact = await upsert([{ kind: 'email', value: 'no.webhook@example.com' }], 'Quiet Change');
    const record = await hubspotByEmail('no.webhook@example.com');
    await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
    hubspot.setWebhookUrl(undefined);
    try {
      hubspot.crm.update('contacts', record.id, { city: 'Quito' });
      await contactWhen(contact.id, (c) => c.attributes.city === 'Quito');
    } finally {
      hubspot.setWebhookUrl(hs.inboundUrl);
    }
  }, 60_000);

  it('a CRM value a defined attribute cannot hold is left out, the rest of the change read in, the sync not failed', async () => {
    const attributes = createContactAttributeStore(h.t.prisma);
    await attributes.create(h.t.workspaceId, {
      key: 'jobTitle',
      label: 'Job title',
      type: 'select',
      options: ['Buyer', 'Owner'],
    });
    try {
      const contact = await upsert([{ kind: 'email', value: 'typed.crm@example.com' }], 'Typed Crm', {
        jobTitle: 'owner',
      });
      // A machine's write: the option in any case is the option.
      expect(contact.attributes).toEqual({ jobTitle: 'Owner' });
      const record = await hubspotByEmail('typed.crm@example.com');
      await statusOn(contact.id, hs.id, (s) => s.status === 'synced');
      hubspot.crm.update('contacts', record.id, { jobtitle: 'Chief Everything', city: 'Oslo' });
      await hubspot.flush();
      const back = await contactWhen(contact.id, (c) => c.attributes.city === 'Oslo');
      expect(back.attributes).toEqual({ jobTitle: 'Owner', city: 'Oslo' });
      expect((await statusOn(contact.id, hs.id, (s) => s.status === 'synced')).error).toBeNull();
    } finally {
      await attributes.remove(h.t.workspaceId, 'jobTitle');
    }
  }, 60_000);

  // Last: the account's loop waits a minute before it tries a refused token again.
  it('a token revoked in HubSpot stops the account’s sync, which the account shows with the reason', async () => {
    const account = async () => (await h.t.api({ method: 'GET', url: `/api/channel-accounts/${hs.id}` })).json();
    expect((await account()).crmSync).toMatchObject({ error: null, pending: expect.any(Number) });
    const token = hubspot.accessToken;
    hubspot.accessToken = 'pat-na1-rotated';
    try {
      await upsert([{ kind: 'email', value: 'after.revoke@example.com' }], 'After Revoke');
      const stopped = await eventually(async () => {
        const a = await account();
        return a.crmSync.error ? a : undefined;
      }, 30_000);
      expect(stopped.crmSync.error).toMatchObject({
        code: 'HUBSPOT_UNAUTHORIZED',
        message: expect.stringMatching(/token/i),
        at: expect.any(String),
      });
      // The change waits, counted on the account; nothing reached HubSpot.
      expect(stopped.crmSync.pending).toBeGreaterThanOrEqual(1);
      expect(hubspot.records('contacts').some((r) => r.properties.email === 'after.revoke@example.com')).toBe(false);
      const listed = (await h.t.api({ method: 'GET', url: '/api/channel-accounts?connector=hubspot' })).json();
      expect(listed.items.find((a: any) => a.id === hs.id).crmSync.error.code).toBe('HUBSPOT_UNAUTHORIZED');
    } finally {
      hubspot.accessToken = token;
    }
  }, 60_000);
});
