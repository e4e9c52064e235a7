import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { usePipedriveFake } from './test-support.js';

const h = usePipedriveFake((pd) => pd.deals.clear());
const action = h.action('createDeal');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('pipedrive.createDeal', () => {
  it('needs a title', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_pd', title: 'T' })).toBe(true);
    expect(validate({ account: 'crm_pd', value: 10 })).toBe(false);
    expect(validate({ account: 'crm_pd', title: 'T', currency: 'euro' })).toBe(false);
  });

  it('creates a v2 deal with value, currency, pipeline, stage and person', async () => {
    const p = await h.pd.createPerson({ name: 'Buyer' });
    const out = await run({
      account: 'crm_pd',
      title: 'Annual plan',
      value: 1200,
      currency: 'EUR',
      pipelineId: '2',
      stageId: '5',
      personId: String(p.id),
    });
    expect(h.pd.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v2/deals',
      body: { title: 'Annual plan', value: 1200, currency: 'EUR', pipeline_id: 2, stage_id: 5, person_id: p.id },
    });
    expect(out).toEqual({
      created: true,
      deal: {
        id: expect.any(String),
        title: 'Annual plan',
        personId: String(p.id),
        pipelineId: '2',
        stageId: '5',
        value: 1200,
        currency: 'EUR',
        status: 'open',
      },
    });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(h.pd.violations).toEqual([]);
  });

  it('on a retry takes the deal the first attempt made; a first attempt always creates', async () => {
    const p = await h.pd.createPerson({ name: 'Retry Buyer' });
    const input = { account: 'crm_pd', title: 'Upsell', personId: String(p.id) };
    const first = await run(input);
    const retried = await run(input, 2);
    expect(retried).toEqual({ created: false, deal: first.deal });
    expect(h.pd.deals.size).toBe(1);
    expect((await run(input)).created).toBe(true);
    expect(h.pd.deals.size).toBe(2);
  });

  it('refuses a stage outside the pipeline as a validation error', async () => {
    await expect(run({ account: 'crm_pd', title: 'X', pipelineId: '1', stageId: '4' })).rejects.toMatchObject({
      kind: 'validation',
    });
  });
});
