// `hubspot.newDeal`: a poll trigger (README.md "Poll triggers"), the model for plugin authors. Each poll asks HubSpot's
// CRM search (`POST /crm/v3/objects/deals/search`, NOTES.md) for the deals created at or after the cursor's
// `createdate`, oldest first, one page of at most `ctx.limit`; the deal id is the dedupe key, so the deals at the
// cursor's own millisecond, which come again, start nothing twice. The baseline asks only for the newest deal: its
// `createdate` is where the next poll starts, so a big CRM costs one search, not a listing of every deal.
import { ConnectorError, Type, definePollTrigger } from '../../sdk/index.js';
import { searchObjects, type SearchFilter } from '../client.js';
import { HUBSPOT_ACCOUNT_INPUT, HUBSPOT_RECORD, recordOut } from '../schemas.js';

/** HubSpot's search answers up to 200 results a page (NOTES.md "PublicObjectSearchRequest"). */
const PAGE_MAX = 200;
const DEAL_PROPERTIES = ['dealname', 'amount', 'pipeline', 'dealstage', 'closedate', 'createdate'];

const cursorSince = (cursor: unknown): number | undefined => {
  const since = (cursor as { since?: unknown } | null)?.since;
  return typeof since === 'number' && Number.isFinite(since) ? since : undefined;
};

export const newDealTrigger = definePollTrigger({
  id: 'newDeal',
  name: 'New deal',
  description: 'Starts a run for every deal created in HubSpot (polled through the CRM search).',
  input: Type.Object(
    {
      account: HUBSPOT_ACCOUNT_INPUT,
      pipeline: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z0-9_-]{1,100}$',
          title: 'Pipeline',
          description: 'Only deals of this pipeline (its id); absent: every pipeline.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output: HUBSPOT_RECORD,
  ui: { group: 'Deals' },
  async poll(ctx, cursor) {
    const call = { account: await ctx.services.accounts.open(ctx.input.account), signal: ctx.signal };
    const since = cursorSince(cursor);
    const filters: SearchFilter[] = [
      ...(since !== undefined ? [{ propertyName: 'createdate', operator: 'GTE' as const, value: String(since) }] : []),
      ...(ctx.input.pipeline ? [{ propertyName: 'pipeline', operator: 'EQ' as const, value: ctx.input.pipeline }] : []),
    ];
    const baseline = ctx.baseline && since === undefined;
    const page = await searchObjects(call, 'deals', {
      filterGroups: filters.length > 0 ? [{ filters }] : [],
      properties: DEAL_PROPERTIES,
      sorts: [{ propertyName: 'createdate', direction: baseline ? 'DESCENDING' : 'ASCENDING' }],
      limit: baseline ? 1 : Math.min(ctx.limit, PAGE_MAX),
    });
    let next = since;
    const items = page.results.map((deal) => {
      const created = Date.parse(deal.properties.createdate ?? deal.createdAt);
      if (Number.isNaN(created))
        throw new ConnectorError('upstream', `HubSpot deals search answered deal ${deal.id} without a createdate`, {
          code: 'BAD_RESPONSE',
        });
      next = Math.max(next ?? created, created);
      return { key: deal.id, data: recordOut(deal) };
    });
    // No deal yet: start from now, so the first deal ever made is new.
    return { items, cursor: { since: next ?? Date.now() } };
  },
});
