import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { usePipedriveFake } from './test-support.js';

const h = usePipedriveFake();
const action = h.action('updatePerson');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('pipedrive.updatePerson', () => {
  it('needs something to change', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_pd', personId: '1' })).toBe(false);
    expect(validate({ account: 'crm_pd', personId: 'abc', name: 'x' })).toBe(false);
    expect(validate({ account: 'crm_pd', personId: '1', emails: ['a@example.com'] })).toBe(true);
  });

  it('PATCHes the given fields only: emails replaced (the first primary), fields by API name', async () => {
    const p = await h.pd.createPerson({ name: 'Up Date', emails: ['old@example.com'], phones: ['+15550000001'] });
    const out = await run({
      account: 'crm_pd',
      personId: String(p.id),
      emails: ['new@example.com', 'old@example.com'],
      fields: { job_title: 'CFO' },
    });
    expect(h.pd.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/api/v2/persons/${p.id}`,
      body: {
        emails: [
          { value: 'new@example.com', primary: true, label: 'work' },
          { value: 'old@example.com', primary: false, label: 'work' },
        ],
        job_title: 'CFO',
      },
    });
    expect(out).toMatchObject({
      id: String(p.id),
      name: 'Up Date',
      emails: ['new@example.com', 'old@example.com'],
      phones: ['+15550000001'],
      fields: { job_title: 'CFO' },
    });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(h.pd.violations).toEqual([]);
  });

  it('says not_found for a person that does not exist', async () => {
    await expect(run({ account: 'crm_pd', personId: '999999', name: 'x' })).rejects.toMatchObject({
      kind: 'not_found',
      retryable: false,
    });
  });
});
