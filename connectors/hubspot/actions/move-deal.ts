// `hubspot.moveDeal`: move a deal to another stage (PATCH dealstage, and pipeline when given); idempotent.
import { Type, defineAction } from '../../sdk/index.js';
import { updateObject } from '../client.js';
import { HUBSPOT_ACCOUNT_INPUT, HUBSPOT_ID, HUBSPOT_RECORD, recordOut } from '../schemas.js';

export const moveDealAction = defineAction({
  id: 'moveDeal',
  name: 'Move deal',
  description: 'Move a HubSpot deal to another stage (and pipeline).',
  input: Type.Object(
    {
      account: HUBSPOT_ACCOUNT_INPUT,
      dealId: { ...HUBSPOT_ID, title: 'Deal id' },
      stage: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$', title: 'Stage' }),
      pipeline: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$', title: 'Pipeline' })),
    },
    { additionalProperties: false },
  ),
  output: HUBSPOT_RECORD,
  ui: { group: 'Deals' },
  async run(ctx, input) {
    const call = { account: await ctx.services.accounts.open(input.account), signal: ctx.signal };
    const properties = { dealstage: input.stage, ...(input.pipeline !== undefined && { pipeline: input.pipeline }) };
    return recordOut(await updateObject(call, 'deals', input.dealId, properties));
  },
});
