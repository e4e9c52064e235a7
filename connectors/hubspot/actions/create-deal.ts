// `hubspot.createDeal`: `POST /crm/v3/objects/deals` with dealname, amount, pipeline, dealstage, associated to a
// contact on create (deal→contact type 3, HubSpot's default association table). HubSpot has no idempotency key for
// deals; a retry after a lost answer looks for the deal the first attempt made (same name, pipeline and stage, on
// the same contact) before creating one.
import { Type, defineAction } from '../../sdk/index.js';
import { ASSOCIATION, associateTo, createObject, searchObjects, type SearchFilter } from '../client.js';
import {
  HUBSPOT_ACCOUNT_INPUT,
  HUBSPOT_ID,
  HUBSPOT_RECORD,
  PROPERTIES_INPUT,
  asStrings,
  recordOut,
} from '../schemas.js';

export const createDealAction = defineAction({
  id: 'createDeal',
  name: 'Create deal',
  description: 'Create a HubSpot deal in a pipeline stage, optionally associated with a contact.',
  input: Type.Object(
    {
      account: HUBSPOT_ACCOUNT_INPUT,
      name: Type.String({ minLength: 1, maxLength: 500, title: 'Deal name' }),
      stage: Type.String({
        pattern: '^[A-Za-z0-9_-]{1,100}$',
        title: 'Stage',
        description: 'The stage id, e.g. appointmentscheduled.',
      }),
      pipeline: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z0-9_-]{1,100}$',
          title: 'Pipeline',
          description: 'The pipeline id; default: the account default pipeline.',
        }),
      ),
      amount: Type.Optional(Type.Number({ title: 'Amount' })),
      contactId: Type.Optional({ ...HUBSPOT_ID, title: 'Contact id' }),
      properties: Type.Optional(PROPERTIES_INPUT),
    },
    { additionalProperties: false },
  ),
  output: HUBSPOT_RECORD,
  ui: { group: 'Deals' },
  async run(ctx, input) {
    const call = { account: await ctx.services.accounts.open(input.account), signal: ctx.signal };
    const properties = {
      ...asStrings(input.properties),
      dealname: input.name,
      dealstage: input.stage,
      pipeline: input.pipeline ?? 'default',
      ...(input.amount !== undefined && { amount: String(input.amount) }),
    };
    if (ctx.attempt > 1) {
      const filters: SearchFilter[] = [
        { propertyName: 'dealname', operator: 'EQ', value: properties.dealname },
        { propertyName: 'pipeline', operator: 'EQ', value: properties.pipeline },
        { propertyName: 'dealstage', operator: 'EQ', value: properties.dealstage },
        ...(input.contactId
          ? [{ propertyName: 'associations.contact', operator: 'EQ' as const, value: input.contactId }]
          : []),
      ];
      const page = await searchObjects(call, 'deals', {
        filterGroups: [{ filters }],
        properties: Object.keys(properties),
        sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
        limit: 1,
      });
      if (page.results[0]) return recordOut(page.results[0]);
    }
    const deal = await createObject(
      call,
      'deals',
      properties,
      input.contactId ? [associateTo(input.contactId, ASSOCIATION.dealToContact)] : [],
    );
    return recordOut(deal);
  },
});
