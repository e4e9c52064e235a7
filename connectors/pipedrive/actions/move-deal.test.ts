import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { usePipedriveFake } from './test-support.js';

const h = usePipedriveFake();
const action = h.action('moveDeal');
const createDeal = h.action('createDeal');
const ctx = () => h.ctx();

describe('pipedrive.moveDeal', () => {
  it('needs a deal and a stage', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_pd', dealId: '1', stageId: '2' })).toBe(true);
    expect(validate({ account: 'crm_pd', dealId: '1' })).toBe(false);
    expect(validate({ account: 'crm_pd', dealId: '1', stageId: 2 })).toBe(false);
  });

  it('PATCHes stage_id (not PUT), landing in that stage’s pipeline; moving again changes nothing', async () => {
    const { deal } = await createDeal.run(ctx(), { account: 'crm_pd', title: 'Mover' });
    expect(deal).toMatchObject({ pipelineId: '1', stageId: '1' });
    const moved = await action.run(ctx(), { account: 'crm_pd', dealId: deal.id, stageId: '4' });
    expect(h.pd.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/api/v2/deals/${deal.id}`,
      body: { stage_id: 4 },
    });
    expect(moved).toEqual({ ...deal, pipelineId: '2', stageId: '4' });
    expect(await action.run(ctx(), { account: 'crm_pd', dealId: deal.id, stageId: '4' })).toEqual(moved);
    expect(createAjv().compile(action.output)(moved)).toBe(true);
    expect(h.pd.violations).toEqual([]);
  });

  it('says not_found for a deal that does not exist', async () => {
    await expect(action.run(ctx(), { account: 'crm_pd', dealId: '999999', stageId: '2' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
