// `pipedrive.moveDeal`: moves a deal to another stage (v2 PATCH `stage_id`; Pipedrive moves it to that stage's
// pipeline). Moving to the stage it is in changes nothing, so a retry is harmless.
import { Type, defineAction } from '../../sdk/index.js';
import { pipedriveId, updateDeal } from '../client.js';
import { CRM_ACCOUNT_INPUT, DEAL_OUTPUT, crmCall, dealOutput } from '../schemas.js';

export const moveDealInput = Type.Object(
  {
    account: CRM_ACCOUNT_INPUT,
    dealId: Type.String({ pattern: '^[1-9][0-9]{0,15}$', title: 'Deal id' }),
    stageId: Type.String({ pattern: '^[1-9][0-9]{0,15}$', title: 'Stage id' }),
  },
  { additionalProperties: false },
);

export const moveDealAction = defineAction({
  id: 'moveDeal',
  name: 'Move deal',
  description: 'Move a Pipedrive deal to another stage.',
  input: moveDealInput,
  output: DEAL_OUTPUT,
  ui: { group: 'Deals' },
  async run(ctx, input) {
    const { account, signal } = await crmCall(ctx, input.account);
    const deal = await updateDeal(
      account,
      pipedriveId(input.dealId, 'dealId'),
      { stage_id: pipedriveId(input.stageId, 'stageId') },
      signal,
    );
    return dealOutput(deal);
  },
});
