// The templates gallery: every template's definition passes the checks publish runs (schema, graph, action inputs,
// accounts) once its needs are filled, and flags each need until then; the routes list them and create drafts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { TEMPLATES, fillTemplate, needIssues, type FlowTemplate } from '../connectors/flow/templates/index.js';
import { createRegistry } from '../connectors/sdk/index.js';
import { accountIssues, flowIssues } from './services/flow-checks.js';
import { startTestApp, type TestApp } from './test-app.js';

const registry = createRegistry(builtinConnectors());

/** A value for each need: an account id named for its connector, else the text's placeholder. */
const filled = (t: FlowTemplate): Record<string, string> =>
  Object.fromEntries(t.needs.map((n) => [n.key, n.kind === 'account' ? `acc_${n.connector}` : n.placeholder!]));
/** The accounts lookup publish uses, over accounts named `acc_<connector>`. */
const lookup = async (ids: string[]) =>
  ids.filter((id) => id.startsWith('acc_')).map((id) => ({ id, connector: id.slice(4) }));

describe('every template', () => {
  it('has a unique kebab slug, and the eight jobs are covered', () => {
    expect(TEMPLATES.length).toBeGreaterThanOrEqual(8);
    expect(new Set(TEMPLATES.map((t) => t.slug)).size).toBe(TEMPLATES.length);
    for (const t of TEMPLATES) expect(t.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(TEMPLATES.map((t) => [t.slug, t] as const))('%s is valid once its needs are filled', async (_, t) => {
    const values = filled(t);
    expect(needIssues(t, values)).toEqual([]);
    const definition = fillTemplate(t, values);
    expect(flowIssues(registry, definition)).toEqual([]);
    expect(await accountIssues(lookup, registry, definition)).toEqual([]);
    // Every need lands where it says, and the template itself is left as it was.
    for (const n of t.needs)
      for (const path of n.paths) {
        const at = path
          .split('/')
          .slice(1)
          .reduce<any>((v, k) => v?.[k], definition);
        expect(at, `${t.slug} ${path}`).toBe(values[n.key]);
      }
    expect(fillTemplate(t, {})).toEqual(t.definition);
  });

  it.each(TEMPLATES.filter((t) => t.needs.some((n) => n.default === undefined)).map((t) => [t.slug, t] as const))(
    '%s cannot publish before its needs are picked: an issue on each placeholder',
    (_, t) => {
      const issues = flowIssues(registry, t.definition);
      // A set node's value may be anything (the review page): there only the import's own check holds.
      for (const n of t.needs.filter((need) => need.default === undefined))
        for (const path of n.paths.filter((p) => !/\/values\//.test(p)))
          expect(issues.map((i) => i.path)).toContain(path);
      expect(needIssues(t, {}).map((i) => i.key)).toEqual(
        t.needs.filter((n) => n.default === undefined).map((n) => n.key),
      );
    },
  );

  it('refuses a text need that does not fit its pattern, and an unknown key', () => {
    const digest = TEMPLATES.find((t) => t.slug === 'daily-open-digest')!;
    expect(needIssues(digest, { slack: 'acc_slack', channel: '#general', nope: 'x' })).toEqual([
      { key: 'channel', message: expect.stringContaining('"#general" does not match') },
      { key: 'nope', message: 'this template needs no "nope"' },
    ]);
  });
});

describe('/api/templates', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ secretKey: randomBytes(32) });
  });
  afterAll(async () => t?.close());

  it('lists the gallery with what each template uses and needs', async () => {
    const res = await t.api({ method: 'GET', url: '/api/templates' });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items;
    expect(items.map((i: { slug: string }) => i.slug)).toEqual(TEMPLATES.map((x) => x.slug));
    expect(items[0]).toMatchObject({
      slug: 'whatsapp-missed-reply-sms',
      connectors: ['whatsapp', 'conversations', 'sms'],
      needs: [{ key: 'sms', kind: 'account', connector: 'sms' }],
    });
  });

  it('creates a ready draft from a template, and refuses missing or wrong needs naming the field', async () => {
    const missing = await t.api({ method: 'POST', url: '/api/templates/order-status-keyword/flows', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.issues).toEqual([
      { path: '/body/values/ordersUrl', code: 'template_need', message: expect.stringContaining('required') },
    ]);

    const created = await t.api({
      method: 'POST',
      url: '/api/templates/order-status-keyword/flows',
      payload: { values: { ordersUrl: ' https://shop.example.com/api/orders ' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Order status answer by keyword', issues: [] });
    const flow = await t.api({ method: 'GET', url: `/api/flows/${created.json().id}` });
    expect(flow.json().definition.nodes[1].input.url).toBe('https://shop.example.com/api/orders');
    expect(flow.json().issues).toEqual([]);
    const published = await t.api({ method: 'POST', url: `/api/flows/${created.json().id}/publish` });
    expect(published.statusCode, published.body).toBe(201);

    // A web chat account where a Slack workspace is needed, and an account of no one.
    const webchat = await t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: { connector: 'webchat', name: 'Site', credentials: {}, settings: {} },
    });
    expect(webchat.statusCode, webchat.body).toBe(201);
    const wrong = await t.api({
      method: 'POST',
      url: '/api/templates/crm-deal-to-slack/flows',
      payload: { name: 'Deals', values: { slack: webchat.json().id, channel: 'C0DEALS' } },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.issues).toEqual([
      { path: '/body/values/slack', code: 'account_connector', message: expect.stringContaining('webchat account') },
    ]);
    const unknown = await t.api({
      method: 'POST',
      url: '/api/templates/crm-deal-to-slack/flows',
      payload: { values: { slack: 'cha_nobody', channel: 'C0DEALS' } },
    });
    expect(unknown.json().error.issues[0]).toMatchObject({ path: '/body/values/slack', code: 'unknown_account' });

    const none = await t.api({ method: 'POST', url: '/api/templates/nope/flows', payload: {} });
    expect(none.statusCode).toBe(404);
  });
});
