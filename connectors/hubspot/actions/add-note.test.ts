import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { useHubSpotFake } from './test-support.js';

const h = useHubSpotFake();
const action = h.action('addNote');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('hubspot.addNote', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', contactId: '1', body: 'Hi' })).toBe(true);
    expect(
      validate({ account: 'crm_hs', contactId: '1', body: 'Hi', dealId: '2', timestamp: '2026-12-01T10:00:00Z' }),
    ).toBe(true);
    expect(validate({ account: 'crm_hs', contactId: '1', body: '' })).toBe(false);
    expect(validate({ account: 'crm_hs', contactId: '1', body: 'x', timestamp: 'yesterday' })).toBe(false);
  });

  it('creates a note on the contact and the deal (202, 214) with hs_timestamp', async () => {
    const c = h.hs.crm.create('contacts', { email: 'note@example.com' });
    const d = h.hs.crm.create('deals', { dealname: 'D', pipeline: 'default', dealstage: 'qualifiedtobuy' });
    const out = await run({
      account: 'crm_hs',
      contactId: c.id,
      dealId: d.id,
      body: 'Called back',
      timestamp: '2026-12-01T10:00:00Z',
    });
    expect(h.hs.requests.at(-1)!.body).toEqual({
      properties: { hs_timestamp: '2026-12-01T10:00:00.000Z', hs_note_body: 'Called back' },
      associations: [
        { to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
        { to: { id: d.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 214 }] },
      ],
    });
    expect(out).toEqual({ id: expect.any(String), timestamp: '2026-12-01T10:00:00.000Z' });
    expect(h.hs.get('notes', out.id)!.associations).toEqual({ contacts: [c.id], deals: [d.id] });
    expect(h.hs.violations).toEqual([]);
  });

  it('a retry finds the note the first attempt made instead of adding another', async () => {
    const c = h.hs.crm.create('contacts', { email: 'note2@example.com' });
    const first = await run({ account: 'crm_hs', contactId: c.id, body: 'Once' });
    const again = await run({ account: 'crm_hs', contactId: c.id, body: 'Once' }, 2);
    expect(again.id).toBe(first.id);
    expect(h.hs.records('notes').filter((n) => n.properties.hs_note_body === 'Once')).toHaveLength(1);
  });

  it('a missing contact is refused by HubSpot, nothing written', async () => {
    const before = h.hs.records('notes').length;
    await expect(run({ account: 'crm_hs', contactId: '99999', body: 'x' })).rejects.toMatchObject({
      kind: 'validation',
    });
    expect(h.hs.records('notes')).toHaveLength(before);
  });
});
