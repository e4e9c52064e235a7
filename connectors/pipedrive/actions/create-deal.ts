// `pipedrive.createDeal`: a v2 deal (`title` required) with value, currency, pipeline, stage and person. Pipedrive
// does not deduplicate writes, so a retried attempt first searches for a deal of the same title on the same person and
// takes it as the one the failed attempt made (a first attempt always creates: two deals of one title may be wanted).
import { Type, defineAction } from '../../sdk/index.js';
import { createDeal, getDeal, pipedriveId, searchDeals } from '../client.js';
import { CRM_ACCOUNT_INPUT, DEAL_OUTPUT, crmCall, dealOutput } from '../schemas.js';

const idString = (title: string) => Type.String({ pattern: '^[1-9][0-9]{0,15}$', title });

export const createDealInput = Type.Object(
  {
    account: CRM_ACCOUNT_INPUT,
    title: Type.String({ minLength: 1, maxLength: 255, title: 'Title' }),
    value: Type.Optional(Type.Number({ minimum: 0, title: 'Value' })),
    currency: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{3}$',
        title: 'Currency',
        description: 'ISO 4217, e.g. EUR; default: the company’s',
      }),
    ),
    pipelineId: Type.Optional(idString('Pipeline id')),
    stageId: Type.Optional(idString('Stage id')),
    personId: Type.Optional(idString('Person id')),
  },
  { additionalProperties: false },
);

export const createDealAction = defineAction({
  id: 'createDeal',
  name: 'Create deal',
  description: 'Create a Pipedrive deal, optionally in a pipeline and stage and for a person.',
  input: createDealInput,
  output: Type.Object({ created: Type.Boolean(), deal: DEAL_OUTPUT }),
  ui: { group: 'Deals' },
  async run(ctx, input) {
    const { account, signal } = await crmCall(ctx, input.account);
    const personId = input.personId === undefined ? undefined : pipedriveId(input.personId, 'personId');
    if (ctx.attempt > 1) {
      const [existing] = await searchDeals(account, input.title, personId, signal);
      if (existing !== undefined) return { created: false, deal: dealOutput(await getDeal(account, existing, signal)) };
    }
    const deal = await createDeal(
      account,
      {
        title: input.title,
        ...(input.value !== undefined && { value: input.value }),
        ...(input.currency !== undefined && { currency: input.currency }),
        ...(input.pipelineId !== undefined && { pipeline_id: pipedriveId(input.pipelineId, 'pipelineId') }),
        ...(input.stageId !== undefined && { stage_id: pipedriveId(input.stageId, 'stageId') }),
        ...(personId !== undefined && { person_id: personId }),
      },
      signal,
    );
    return { created: true, deal: dealOutput(deal) };
  },
});
