import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { pipedriveConnector } from '../index.js';
import { usePipedriveFake } from './test-support.js';

const h = usePipedriveFake((pd) => pd.persons.clear());
const action = h.action('findOrCreatePerson');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

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
    expect(h.pd.persons.size).toBe(1);
    expect(h.pd.violations).toEqual([]);
  });

  it('finds by phone when no email is given, and names a new person after the phone', async () => {
    const p = await h.pd.createPerson({ name: 'Phone Person', phones: ['+14155550100'] });
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
    expect(h.pd.requests).toHaveLength(0);
  });
});
