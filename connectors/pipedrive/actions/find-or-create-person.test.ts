import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import {
  actionContext,
  directAccounts,
  startPipedriveFake,
  testAccount,
  type PipedriveFake,
} from '../../testkit/index.js';
import { pipedriveConnector } from '../index.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
let pd: PipedriveFake;
beforeAll(async () => {
  pd = await startPipedriveFake({ apiToken: TOKEN, burst: { limit: 10_000 } });
});
afterAll(() => pd.close());
beforeEach(() => {
  pd.violations.length = 0;
  pd.requests.length = 0;
  pd.persons.clear();
});

const action = pipedriveConnector.actions.find((a) => a.id === 'findOrCreatePerson')!;
const accounts = () =>
  directAccounts([testAccount({ id: 'crm_pd', credentials: { apiToken: TOKEN }, settings: { apiBaseUrl: pd.url } })]);
const run = (input: Record<string, unknown>, attempt = 1) =>
  action.run(actionContext({ accounts: accounts() }, { attempt }), input);

describe('pipedrive.findOrCreatePerson', () => {
  it('is listed with the other actions, each with its group', () => {
    expect(pipedriveConnector.manifest.actions.map((a) => [a.id, a.ui?.group])).toEqual([
      ['pipedrive.findOrCreatePerson', 'People'],
      ['pipedrive.updatePerson', 'People'],
      ['pipedrive.addNote', 'Notes'],
      ['pipedrive.createDeal', 'Deals'],
      ['pipedrive.moveDeal', 'Deals'],
    ]);
  });

  it('validates its input: an email or a phone, and the account', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_pd', email: 'a@example.com' })).toBe(true);
    expect(validate({ account: 'crm_pd', phone: '+14155550100', name: 'A' })).toBe(true);
    expect(validate({ account: 'crm_pd', name: 'A' })).toBe(false);
    expect(validate({ account: 'crm_pd', email: 'not an email' })).toBe(false);
    expect(validate({ email: 'a@example.com' })).toBe(false);
    expect(validate({ account: 'crm_pd', email: 'a@example.com', org: 1 })).toBe(false);
  });

  it('creates the person when absent, then finds the same one (a retried step finds the first attempt’s)', async () => {
    const first = await run({ account: 'crm_pd', email: 'new@example.com', name: 'New Person' });
    expect(first).toMatchObject({
      created: true,
      person: { name: 'New Person', emails: ['new@example.com'], phones: [] },
    });
    expect(createAjv().compile(action.output)(first)).toBe(true);
    const retried = await run({ account: 'crm_pd', email: 'NEW@example.com', name: 'New Person' }, 2);
    expect(retried).toEqual({ created: false, person: first.person });
    expect(pd.persons.size).toBe(1);
    expect(pd.violations).toEqual([]);
  });

  it('finds by phone when no email is given, and names a new person after the phone', async () => {
    const p = await pd.createPerson({ name: 'Phone Person', phones: ['+14155550100'] });
    expect(await run({ account: 'crm_pd', phone: '+14155550100' })).toMatchObject({
      created: false,
      person: { id: String(p.id) },
    });
    expect(await run({ account: 'crm_pd', phone: '+14155550199' })).toMatchObject({
      created: true,
      person: { name: '+14155550199', phones: ['+14155550199'] },
    });
  });

  it('opens only accounts of its own workspace and connector (the accounts service refuses others)', async () => {
    await expect(run({ account: 'crm_other', email: 'x@example.com' })).rejects.toMatchObject({ kind: 'not_found' });
    expect(pd.requests).toHaveLength(0);
  });
});
