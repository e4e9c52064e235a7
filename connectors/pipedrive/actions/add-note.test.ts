import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { usePipedriveFake } from './test-support.js';

const h = usePipedriveFake();
const action = h.action('addNote');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('pipedrive.addNote', () => {
  it('needs a person and text', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_pd', personId: '1', text: 'hi' })).toBe(true);
    expect(validate({ account: 'crm_pd', personId: '1', text: '' })).toBe(false);
    expect(validate({ account: 'crm_pd', dealId: '1', text: 'hi' })).toBe(false);
  });

  it('adds an escaped note to a person, and to a deal too', async () => {
    const p = await h.pd.createPerson({ name: 'Noted' });
    const out = await run({ account: 'crm_pd', personId: String(p.id), text: 'Asked about <pricing>\nCall back' });
    expect(h.pd.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/notes',
      body: { content: 'Asked about &lt;pricing&gt;<br>Call back', person_id: p.id },
    });
    expect(out).toEqual({ id: expect.any(String), personId: String(p.id), dealId: null, addedAt: expect.any(String) });
    expect(Date.parse(out.addedAt)).not.toBeNaN();
    expect(out.addedAt).toMatch(/Z$/);
    expect(createAjv().compile(action.output)(out)).toBe(true);

    const created = await h
      .action('createDeal')
      .run(h.ctx(), { account: 'crm_pd', title: 'Noted deal', personId: String(p.id) });
    const onDeal = await run({
      account: 'crm_pd',
      personId: String(p.id),
      dealId: created.deal.id,
      text: 'On the deal',
    });
    expect(h.pd.requests.at(-1)!.body).toEqual({
      content: 'On the deal',
      person_id: p.id,
      deal_id: Number(created.deal.id),
    });
    expect(onDeal.dealId).toBe(created.deal.id);
    expect(h.pd.violations).toEqual([]);
  });

  it('says which id is wrong when the person does not exist', async () => {
    await expect(run({ account: 'crm_pd', personId: '999999', text: 'x' })).rejects.toMatchObject({
      kind: 'validation',
      message: 'Pipedrive note add answered HTTP 400: Person not found',
    });
  });
});
