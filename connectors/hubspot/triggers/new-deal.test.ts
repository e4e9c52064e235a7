// `hubspot.newDeal` against the spec-checked HubSpot fake: the baseline asks only for the newest deal, later polls ask
// the CRM search for deals created at or after the cursor, oldest first, with the deal id as the key.
import { describe, expect, it } from 'vitest';
import type { TriggerDefinition } from '../../sdk/index.js';
import { pollContext } from '../../testkit/index.js';
import { useHubSpotFake } from '../actions/test-support.js';
import { hubspotConnector } from '../index.js';

const h = useHubSpotFake();
const trigger = hubspotConnector.triggers!.find((t) => t.id === 'newDeal')! as Required<TriggerDefinition>;
const poll = (cursor: unknown, over: { baseline?: boolean; input?: object } = {}) =>
  trigger.poll(
    pollContext(
      { account: 'crm_hs', ...over.input },
      {
        accounts: h.ctx().services.accounts,
        baseline: over.baseline ?? false,
        firstPoll: cursor === null,
        limit: 100,
      },
    ),
    cursor as never,
  );
const searches = () =>
  h.hs.requests.filter((r) => r.path === '/crm/v3/objects/deals/search').map((r) => r.body as Record<string, unknown>);

describe('hubspot.newDeal', () => {
  it('is a poll source in the manifest, its input naming the HubSpot account', () => {
    const m = hubspotConnector.manifest.triggers.find((t) => t.id === 'hubspot.newDeal');
    expect(m).toMatchObject({ name: 'New deal', poll: true, input: { required: ['account'] } });
  });

  it('takes the newest deal as the baseline, then every deal created since, oldest first', async () => {
    const old = h.hs.crm.create('deals', { dealname: 'Old', dealstage: 'qualifiedtobuy', pipeline: 'default' });
    const base = await poll(null, { baseline: true });
    expect(base.items.map((i) => i.key)).toEqual([old.id]);
    expect(searches().at(-1)).toMatchObject({
      sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
      limit: 1,
    });
    expect(base.cursor).toEqual({ since: Date.parse(old.properties.createdate!) });

    await new Promise((r) => setTimeout(r, 5));
    const a = h.hs.crm.create('deals', { dealname: 'A', dealstage: 'qualifiedtobuy', pipeline: 'default' });
    const b = h.hs.crm.create('deals', { dealname: 'B', dealstage: 'qualifiedtobuy', pipeline: 'default' });
    const next = await poll(base.cursor);
    // GTE the cursor: the baseline's deal comes again (the platform skips its key), then the new ones.
    expect(next.items.map((i) => i.key)).toEqual([old.id, a.id, b.id]);
    expect(next.items[1]!.data).toMatchObject({ id: a.id, properties: { dealname: 'A', pipeline: 'default' } });
    expect(searches().at(-1)).toMatchObject({
      filterGroups: [
        {
          filters: [
            { propertyName: 'createdate', operator: 'GTE', value: String((base.cursor as { since: number }).since) },
          ],
        },
      ],
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
      limit: 100,
    });
    expect(next.cursor).toEqual({ since: Date.parse(b.properties.createdate!) });
    expect(h.hs.violations).toEqual([]);
  });

  it('filters on the pipeline when one is set; with no deal there the cursor starts now', async () => {
    const before = Date.now();
    const out = await poll(null, { baseline: true, input: { pipeline: 'enterprise' } });
    expect(searches().at(-1)).toMatchObject({
      filterGroups: [{ filters: [{ propertyName: 'pipeline', operator: 'EQ', value: 'enterprise' }] }],
    });
    expect(out.items).toEqual([]);
    expect((out.cursor as { since: number }).since).toBeGreaterThanOrEqual(before);
  });
});
