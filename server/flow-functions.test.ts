// A data function with a wrong literal argument is a validation issue on its node and field: the draft saves with
// the issue, and publishing answers 422 naming it (README.md "Data functions"). Real PostgreSQL and Temporal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const definition = (timeZone: string) => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    {
      id: 'prep',
      type: 'set',
      values: {
        email: '{{ trigger.body.email | text.lower }}',
        day: `{{ trigger.body.at | date.format: "yyyy-MM-dd", "${timeZone}" }}`,
      },
    },
  ],
  edges: [{ from: 'trigger', to: 'prep' }],
});

describe('data functions at publish', () => {
  it('refuses a wrong argument with 422 on the node and field, and publishes once it is fixed', async () => {
    const created = await t.api({
      method: 'POST',
      url: '/api/flows',
      payload: { name: 'fn', definition: definition('Mars/Olympus') },
    });
    expect(created.statusCode, created.body).toBe(201);
    const flow = created.json();
    const issue = {
      path: '/nodes/0/values/day',
      code: 'function_args',
      nodeId: 'prep',
      message: 'date.format: argument 3 (timeZone) "Mars/Olympus" is not an IANA time zone (e.g. Europe/Paris, UTC)',
    };
    expect(flow.issues).toEqual([issue]);

    const refused = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.issues).toEqual([issue]);

    const saved = await t.api({
      method: 'PUT',
      url: `/api/flows/${flow.id}`,
      payload: { definition: definition('Europe/Paris') },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().issues).toEqual([]);
    const published = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(published.statusCode, published.body).toBe(201);
  });
});
