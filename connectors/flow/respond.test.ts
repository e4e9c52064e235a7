// The respond node's publish-time checks (through validateFlow, as the API runs them) and its run-time build.
import { describe, expect, it } from 'vitest';
import { buildResponse, respondTimeoutMs, respondsSynchronously } from './respond.js';
import type { RespondNode } from './types.js';
import { validateFlow } from './validate.js';

const flow = (node: object, trigger: object = { type: 'webhook' }, extra: object[] = []) => ({
  schemaVersion: 1,
  trigger,
  nodes: [...extra, { id: 'answer', type: 'respond', ...node }],
  edges: [...extra.map((n) => ({ from: 'trigger', to: (n as { id: string }).id })), { from: 'trigger', to: 'answer' }],
});
const issues = (def: unknown) => validateFlow(def, { actions: {} });
const at = (def: unknown, path: string) => issues(def).filter((i) => i.path === path);

describe('respond validation', () => {
  it('accepts a full respond node in a webhook flow, and its timeout', () => {
    const def = flow(
      { status: 201, headers: { 'X-Order': '{{ trigger.body.id }}', 'Cache-Control': 'no-store' }, body: { ok: true } },
      { type: 'webhook', respond: { timeout: 'PT5S' } },
    );
    expect(issues(def)).toEqual([]);
    expect(issues(flow({}))).toEqual([]);
  });

  it.each([{ type: 'channel.message' }, { type: 'schedule', every: 'PT1H' }, { type: 'contact.created' }])(
    'is an issue on the node in a $type flow (no HTTP caller waits)',
    (trigger) => {
      expect(at(flow({}, trigger), '/nodes/0/type')).toEqual([
        expect.objectContaining({ code: 'respond_trigger', nodeId: 'answer' }),
      ]);
    },
  );

  it.each([99, 100, 600, 200.5, '200'])('refuses status %j', (status) => {
    expect(at(flow({ status }), '/nodes/0/status')).toEqual([expect.objectContaining({ nodeId: 'answer' })]);
  });

  it.each(['content-length', 'Transfer-Encoding', 'connection', 'upgrade', 'host', 'bad name', 'x:y', ''])(
    'refuses header %j',
    (name) => {
      const found = issues(flow({ headers: { [name]: 'v' } }));
      expect(found).toEqual([
        expect.objectContaining({ code: 'respond_header', path: `/nodes/0/headers/${name}`, nodeId: 'answer' }),
      ]);
    },
  );

  it('refuses a literal header value with a line break, a header set twice and a non-string value', () => {
    expect(at(flow({ headers: { 'x-a': 'one\r\nSet-Cookie: x=1' } }), '/nodes/0/headers/x-a')).toEqual([
      expect.objectContaining({ code: 'respond_header' }),
    ]);
    expect(at(flow({ headers: { 'X-A': '1', 'x-a': '2' } }), '/nodes/0/headers/x-a')).toEqual([
      expect.objectContaining({ code: 'respond_header', message: expect.stringContaining('twice') }),
    ]);
    expect(at(flow({ headers: { 'x-a': 5 } }), '/nodes/0/headers/x-a')).toEqual([
      expect.objectContaining({ code: 'schema' }),
    ]);
  });

  it('refuses a body on a 204 or 304', () => {
    expect(at(flow({ status: 204, body: 'x' }), '/nodes/0/body')).toEqual([
      expect.objectContaining({ code: 'respond_body' }),
    ]);
    expect(issues(flow({ status: 204 }))).toEqual([]);
  });

  it('checks the templates of headers and body: syntax and steps that do not run before', () => {
    const def = flow(
      { headers: { 'x-a': '{{ trigger.body.' }, body: { id: '{{ steps.later.output.id }}' } },
      undefined,
      [],
    );
    const found = issues(def);
    expect(found).toContainEqual(expect.objectContaining({ path: '/nodes/0/headers/x-a', code: 'invalid_template' }));
    expect(found).toContainEqual(expect.objectContaining({ path: '/nodes/0/body/id', code: 'invalid_template' }));
  });

  it('is not allowed in a loop’s body (each item runs apart from the caller’s run)', () => {
    const def = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'each', type: 'loop', items: '{{ trigger.body.items }}' },
        { id: 'answer', type: 'respond' },
      ],
      edges: [
        { from: 'trigger', to: 'each' },
        { from: 'each', to: 'answer', branch: 'item' },
      ],
    };
    expect(issues(def)).toContainEqual(expect.objectContaining({ code: 'loop_body_type', nodeId: 'answer' }));
  });

  it.each(['PT0S', 'PT31S', 'PT1M', 'soon'])('refuses respond.timeout %s', (timeout) => {
    const found = issues(flow({}, { type: 'webhook', respond: { timeout } }));
    expect(found).toEqual([expect.objectContaining({ path: '/trigger/respond/timeout', code: 'invalid_duration' })]);
  });

  it('refuses unknown respond settings and respond settings on another trigger', () => {
    expect(at(flow({}, { type: 'webhook', respond: { wait: 'PT1S' } }), '/trigger/respond/wait')).toHaveLength(1);
    expect(issues(flow({}, { type: 'schedule', every: 'PT1H', respond: {} }))).toContainEqual(
      expect.objectContaining({ path: '/trigger/respond' }),
    );
  });
});

describe('buildResponse', () => {
  const ctx = { trigger: { body: { id: 7, name: 'Ada', tags: ['a'] } }, steps: {}, run: {}, contact: null };
  const node = (n: Partial<RespondNode>): RespondNode => ({ id: 'answer', type: 'respond', ...n });

  it('resolves headers and body, lower-cases header names, defaults the status to 200', () => {
    expect(
      buildResponse(
        node({
          headers: { 'X-Id': '{{ trigger.body.id }}', 'X-None': '{{ trigger.body.missing }}' },
          body: '{{ trigger.body }}',
        }),
        ctx,
      ),
    ).toEqual({ status: 200, headers: { 'x-id': '7' }, body: { id: 7, name: 'Ada', tags: ['a'] } });
    expect(buildResponse(node({ status: 204 }), ctx)).toEqual({ status: 204, headers: {} });
  });

  it('fails on a header that resolves to a list or to a line break', () => {
    expect(() => buildResponse(node({ headers: { 'x-t': '{{ trigger.body.tags }}' } }), ctx)).toThrow(
      /list or an object/,
    );
    expect(() =>
      buildResponse(node({ headers: { 'x-t': 'a{{ trigger.body.name }}' } }), {
        ...ctx,
        trigger: { body: { name: 'b\r\nx: y' } },
      }),
    ).toThrow(/line break/);
  });

  it('knows a definition with a respond node, and the trigger timeout', () => {
    expect(respondsSynchronously({ nodes: [{ type: 'set' }, { type: 'respond' }] })).toBe(true);
    expect(respondsSynchronously({ nodes: [{ type: 'set' }] })).toBe(false);
    expect(respondTimeoutMs({ respond: { timeout: 'PT2S' } })).toBe(2000);
    expect(respondTimeoutMs(undefined)).toBe(10_000);
  });
});
