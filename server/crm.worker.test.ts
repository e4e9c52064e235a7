// CRM webhooks through the gateway, end to end on the real Temporal dev server and PostgreSQL: a HubSpot account
// (against the spec-checked HubSpot fake) is created through the API (its token checked by asking HubSpot who it is),
// a contact made in HubSpot arrives as a v3-signed webhook, is made durable (one `crmChange` per event id, so a
// redelivery changes nothing), and lands on the Confluo contact with the HubSpot record id as an identity; a forged
// webhook is 401 and changes nothing. Pipedrive's webhooks v2 (HTTP Basic) the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHubSpotFake,
  startPipedriveFake,
  type HubSpotFake,
  type PipedriveFake,
} from '../connectors/testkit/index.js';
import { startChannelHarness, type ChannelHarness } from './test-channels.js';
import { eventually } from './test-app.js';

let h: ChannelHarness;
let hubspot: HubSpotFake;
let pipedrive: PipedriveFake;
let account: { id: string; inboundUrl: string };
const clientSecret = 'hubspot-client-secret-for-tests';

beforeAll(async () => {
  h = await startChannelHarness();
  hubspot = await startHubSpotFake({ accessToken: 'pat-na1-test-token', clientSecret, portalId: 4242 });
  account = await h.createAccount({
    connector: 'hubspot',
    name: 'Our HubSpot',
    credentials: { accessToken: 'pat-na1-test-token', clientSecret },
    settings: { apiBaseUrl: hubspot.url },
  });
  hubspot.setWebhookUrl(account.inboundUrl);
}, 120_000);

afterAll(async () => {
  await hubspot?.close();
  await pipedrive?.close();
  await h?.close();
});

const contactByEmail = (email: string, crm = 'hubspot') =>
  eventually(async () => {
    const res = await h.t.api({ method: 'GET', url: `/api/contacts?identity=${encodeURIComponent(`email:${email}`)}` });
    const [c] = res.json().items as any[];
    return c?.identities.some((i: any) => i.kind === crm) ? c : undefined;
  }, 30_000);

describe('HubSpot webhooks into contacts', () => {
  it('refuses an account whose token HubSpot rejects, storing nothing', async () => {
    const res = await h.t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: {
        connector: 'hubspot',
        name: 'Wrong token',
        credentials: { accessToken: 'pat-na1-wrong' },
        settings: { apiBaseUrl: hubspot.url },
      },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'registration_failed', issues: [{ path: '/body/credentials' }] });
    // A portal id that is not the token's (it would also have let the token go unchecked): refused too.
    const wrongPortal = await h.t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: {
        connector: 'hubspot',
        name: 'Wrong portal',
        credentials: { accessToken: 'pat-na1-wrong' },
        settings: { apiBaseUrl: hubspot.url, portalId: '4242' },
      },
    });
    expect(wrongPortal.statusCode, wrongPortal.body).toBe(422);
    expect(wrongPortal.json().error.issues[0]).toMatchObject({ path: '/body/credentials' });
    const otherPortal = await h.t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: {
        connector: 'hubspot',
        name: 'Other portal',
        credentials: { accessToken: 'pat-na1-test-token', clientSecret },
        settings: { apiBaseUrl: hubspot.url, portalId: '999' },
      },
    });
    expect(otherPortal.statusCode, otherPortal.body).toBe(422);
    expect(otherPortal.json().error).toMatchObject({ issues: [{ path: '/body/settings' }] });
    expect(otherPortal.json().error.message).toContain('belongs to portal 4242, not 999');
    const list = (await h.t.api({ method: 'GET', url: '/api/channel-accounts?connector=hubspot' })).json();
    expect(list.items.map((a: any) => a.id)).toEqual([account.id]);
  });

  it('a contact made in HubSpot becomes a Confluo contact with the record id as an identity', async () => {
    const record = hubspot.crm.create('contacts', {
      email: 'Grace.Hopper@Example.com',
      firstname: 'Grace',
      lastname: 'Hopper',
      phone: '+1 212 555 0142',
    });
    await hubspot.flush();
    const contact = await contactByEmail('grace.hopper@example.com');
    expect(contact.name).toBe('Grace Hopper');
    expect(contact.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'hubspot',
          value: `4242:${record.id}`,
          verified: true,
          source: { type: 'crm', accountId: account.id, recordId: record.id },
        }),
        expect.objectContaining({ kind: 'email', value: 'grace.hopper@example.com', verified: false }),
        expect.objectContaining({ kind: 'phone', value: '+12125550142' }),
      ]),
    );
  }, 60_000);

  it('a redelivered webhook changes nothing', async () => {
    const record = hubspot.crm.create('contacts', { email: 'ada@example.com', firstname: 'Ada' });
    await hubspot.flush();
    const first = await contactByEmail('ada@example.com');
    const delivery = hubspot.deliveries.at(-1)!;
    const again = await hubspot.retry(delivery);
    expect(again.status).toBe(200);
    const after = await contactByEmail('ada@example.com');
    expect(after.id).toBe(first.id);
    expect(after.identities.filter((i: any) => i.kind === 'hubspot')).toEqual([
      expect.objectContaining({ value: `4242:${record.id}` }),
    ]);
  }, 60_000);

  it('refuses a forged or stale webhook with 401 and starts nothing', async () => {
    const forged = await hubspot.deliver(
      account.inboundUrl,
      [hubspot.event('contact.creation', { objectId: 999_001 })],
      { secret: 'not-the-client-secret' },
    );
    expect(forged.status).toBe(401);
    const stale = await hubspot.deliver(
      account.inboundUrl,
      [hubspot.event('contact.creation', { objectId: 999_002 })],
      {
        ageMs: 10 * 60_000,
      },
    );
    expect(stale.status).toBe(401);
  });
});

describe('Pipedrive webhooks into contacts', () => {
  const token = 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0';
  const hook = { user: 'confluo', password: 'a-long-webhook-password' };
  let pdAccount: { id: string; inboundUrl: string };

  beforeAll(async () => {
    pipedrive = await startPipedriveFake({ apiToken: token, companyId: 777 });
    pdAccount = await h.createAccount({
      connector: 'pipedrive',
      name: 'Our Pipedrive',
      credentials: { apiToken: token, webhookUser: hook.user, webhookPassword: hook.password },
      settings: { apiBaseUrl: pipedrive.url },
    });
    pipedrive.subscribe({ url: pdAccount.inboundUrl, ...hook });
  }, 60_000);

  it('a person made in Pipedrive becomes a contact with the person id as an identity', async () => {
    const person = await pipedrive.createPerson({ name: 'Alan Turing', emails: ['alan@example.org'] });
    await pipedrive.flush();
    const contact = await contactByEmail('alan@example.org', 'pipedrive');
    expect(contact.name).toBe('Alan Turing');
    expect(contact.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'pipedrive', value: `777:${person.id}`, verified: true }),
      ]),
    );
  }, 60_000);

  it('refuses a webhook with the wrong Basic credentials', async () => {
    const res = await fetch(pdAccount.inboundUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Basic ' + Buffer.from(`${hook.user}:wrong-password-here`).toString('base64'),
      },
      body: JSON.stringify({ meta: { action: 'create', entity: 'person', entity_id: '1', id: 'x' }, data: {} }),
    });
    expect(res.status).toBe(401);
  });
});
