import { describe, expect, it } from 'vitest';
import { SAMPLE_MAX_BYTES, TRIGGER_SAMPLE_MAX_BYTES } from './budget.js';
import { definitionLimitIssues, FLOW_LIMITS, validateFlow, validateInput, type JsonSchema } from './validate.js';
import type { ValidationIssue } from './types.js';

const actions: Record<string, { input: JsonSchema }> = {
  'contacts.upsert': {
    input: {
      type: 'object',
      required: ['email'],
      additionalProperties: false,
      properties: {
        email: { type: 'string', format: 'email' },
        name: { type: 'string', 'x-ui': { widget: 'text' } },
        age: { type: 'integer' },
      },
    },
  },
  'http.request': {
    input: {
      type: 'object',
      required: ['url'],
      properties: {
        method: { enum: ['GET', 'POST'], default: 'GET' },
        url: { type: 'string', format: 'uri' },
        body: { type: 'object', properties: { contact: { type: 'string' } } },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
};

/** The reference flow of README.md "The flow definition". */
const referenceFlow = () => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } },
    {
      id: 'save',
      type: 'action',
      action: 'contacts.upsert',
      input: { email: '{{ trigger.body.email }}', name: '{{ trigger.body.name }}' },
    },
    { id: 'pause', type: 'delay', duration: 'PT2S' },
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: { method: 'POST', url: '{{ trigger.body.callback }}', body: { contact: '{{ steps.save.output.id }}' } },
    },
  ],
  edges: [
    { from: 'trigger', to: 'vip' },
    { from: 'vip', to: 'save', branch: 'true' },
    { from: 'save', to: 'pause' },
    { from: 'pause', to: 'notify' },
  ],
});

const codes = (issues: ValidationIssue[]) => issues.map((i) => `${i.code} ${i.path}${i.nodeId ? ` @${i.nodeId}` : ''}`);

describe('validateFlow', () => {
  it('accepts the reference flow of README.md', () => {
    expect(validateFlow(referenceFlow(), { actions })).toEqual([]);
  });

  it('reports schema errors with JSON Pointers and node ids, all of them', () => {
    const def = referenceFlow();
    def.nodes[2] = { id: 'pause', type: 'delay' } as never;
    (def as Record<string, unknown>).extra = true;
    const issues = validateFlow(def, { actions });
    expect(codes(issues)).toEqual(['schema /extra', 'schema /nodes/2/duration @pause']);
    expect(issues[1]!.message).toMatch(/required property 'duration'/);
  });

  it('survives garbage without throwing', () => {
    expect(codes(validateFlow(null, { actions }))).toEqual(['schema ']);
    expect(
      codes(
        validateFlow(
          { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [1, { id: 3 }], edges: [null] },
          { actions },
        ),
      ).every((c) => c.startsWith('schema')),
    ).toBe(true);
  });

  it('finds duplicate ids, unknown edge ends, unreachable nodes and cycles', () => {
    const def = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'a', type: 'delay', duration: 'PT1S' },
        { id: 'a', type: 'delay', duration: 'PT1S' },
        { id: 'b', type: 'delay', duration: 'PT1S' },
        { id: 'c', type: 'delay', duration: 'PT1S' },
        { id: 'lonely', type: 'delay', duration: 'PT1S' },
      ],
      edges: [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b' },
        { from: 'ghost', to: 'a' },
        { from: 'a', to: 'trigger' },
        { from: 'a', to: 'nowhere' },
      ],
    };
    expect(codes(validateFlow(def, { actions }))).toEqual([
      'duplicate_node_id /nodes/1/id @a',
      'unknown_node /edges/4/from',
      'unknown_node /edges/5/to',
      'unknown_node /edges/6/to',
      'unreachable /nodes/4 @lonely',
      'cycle /nodes/2 @b',
    ]);
  });

  it('reports a self-loop as a cycle', () => {
    const def = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [{ id: 'a', type: 'delay', duration: 'PT1S' }],
      edges: [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'a' },
      ],
    };
    expect(codes(validateFlow(def, { actions }))).toEqual(['cycle /nodes/0 @a']);
  });

  it('checks condition branches', () => {
    const def = referenceFlow();
    def.edges[1] = { from: 'vip', to: 'save' } as never;
    def.edges.push({ from: 'save', to: 'notify', branch: 'true' }, { from: 'vip', to: 'pause', branch: 'yes' });
    expect(codes(validateFlow(def, { actions }))).toEqual([
      'condition_branch /edges/1/branch @vip',
      'condition_branch /edges/4/branch @save',
      'condition_branch /edges/5/branch @vip',
    ]);
  });

  it('checks switch cases and branches', () => {
    const def = referenceFlow();
    def.nodes.push({
      id: 'tier',
      type: 'switch',
      cases: [
        { id: 'gold', rule: { '==': [{ var: 'trigger.body.tier' }, 'gold'] } },
        { rule: { '==': [{ var: 'steps.notify.output.ok' }, true] } }, // notify does not run before tier
        { id: 'case1', rule: {} }, // branch used twice (case 2 is case1), and an empty rule
        { id: 'x' }, // no rule
        { id: 'y', rule: { 'text.nope': [1] } },
      ],
    } as never);
    def.edges.push(
      { from: 'vip', to: 'tier', branch: 'false' },
      { from: 'tier', to: 'pause', branch: 'gold' },
      { from: 'tier', to: 'pause', branch: 'default' },
      { from: 'tier', to: 'pause', branch: 'silver' },
      { from: 'tier', to: 'pause' },
    );
    expect(codes(validateFlow(def, { actions }))).toEqual([
      'schema /nodes/4/cases/3/rule @tier',
      'condition_branch /edges/7/branch @tier',
      'condition_branch /edges/8/branch @tier',
      'duplicate_branch /nodes/4/cases/2/id @tier',
      'empty_rule /nodes/4/cases/2/rule @tier',
      'unknown_function /nodes/4/cases/4/rule @tier',
      'invalid_template /nodes/4/cases/1/rule @tier',
    ]);
    const [silver] = validateFlow(def, { actions }).filter((i) => i.path === '/edges/7/branch');
    expect(silver!.message).toBe(
      'an edge leaving switch "tier" needs branch "gold" or "case1" or "case1" or "x" or "y" or "default"',
    );
  });

  it('accepts a valid switch, an error edge from an action and joins, and refuses error edges elsewhere', () => {
    const def = referenceFlow();
    def.nodes.push(
      { id: 'tier', type: 'switch', cases: [{ id: 'gold', rule: true }, { rule: false }] } as never,
      { id: 'fallback', type: 'set', values: { error: '{{ steps.notify.output.error.message }}' } } as never,
      { id: 'end', type: 'delay', duration: 'PT1S', join: 'first' } as never,
    );
    def.edges.push(
      { from: 'vip', to: 'tier', branch: 'false' },
      { from: 'tier', to: 'end', branch: 'gold' },
      { from: 'tier', to: 'end', branch: 'case1' },
      { from: 'tier', to: 'end', branch: 'default' },
      { from: 'notify', to: 'fallback', branch: 'error' },
      { from: 'fallback', to: 'end' },
      { from: 'notify', to: 'end' },
    );
    expect(codes(validateFlow(def, { actions }))).toEqual([]);
    // A join on a node with one incoming edge is fine.
    def.nodes[2] = { ...def.nodes[2]!, join: 'all' } as never;
    expect(codes(validateFlow(def, { actions }))).toEqual([]);

    def.edges.push(
      { from: 'pause', to: 'end', branch: 'error' },
      { from: 'vip', to: 'end', branch: 'error' },
      { from: 'trigger', to: 'end', branch: 'error' },
      { from: 'save', to: 'end', branch: 'failed' },
    );
    expect(codes(validateFlow(def, { actions }))).toEqual([
      'error_branch /edges/11/branch @pause',
      'error_branch /edges/12/branch @vip',
      'error_branch /edges/13/branch',
      'condition_branch /edges/14/branch @save',
    ]);
    expect(validateFlow(def, { actions })[0]!.message).toBe(
      'only an action or a sub-flow has an "error" branch; "pause" is a delay',
    );
  });

  it('reports unknown actions and action inputs, ignoring what templates can still fix', () => {
    const def = referenceFlow();
    def.nodes.push(
      { id: 'x', type: 'action', action: 'nope.run' } as never,
      {
        id: 'bad',
        type: 'action',
        action: 'contacts.upsert',
        input: { name: 5, age: '{{ trigger.body.age }}', extra: '{{ run.id }}' },
      } as never,
      {
        id: 'logic',
        type: 'action',
        action: 'contacts.upsert',
        input: { email: { $logic: { cat: ['a', '@b.c'] } }, age: 'old' },
      } as never,
      {
        id: 'h',
        type: 'action',
        action: 'http.request',
        input: { url: 'not a uri', headers: '{{ trigger.headers }}', method: 'PUT' },
      } as never,
    );
    for (const id of ['x', 'bad', 'logic', 'h']) def.edges.push({ from: 'notify', to: id });
    const issues = validateFlow(def, { actions });
    expect(codes(issues)).toEqual([
      'unknown_action /nodes/4/action @x',
      // required and additionalProperties stay even though other values are templated
      'action_input /nodes/5/input/email @bad',
      'action_input /nodes/5/input/extra @bad',
      'action_input /nodes/5/input/name @bad',
      'action_input /nodes/6/input/age @logic',
      'action_input /nodes/7/input/method @h',
      'action_input /nodes/7/input/url @h',
    ]);
    expect(issues.find((i) => i.path === '/nodes/7/input/method')!.message).toBe(
      'input.method must be equal to one of the allowed values: "GET", "POST"',
    );
  });

  it('reports invalid durations once, with a clear code', () => {
    const def = referenceFlow();
    def.nodes[2] = { id: 'pause', type: 'delay', duration: 'P1M' } as never;
    Object.assign(def.nodes[3]!, { timeout: '30s', retry: { initialInterval: 'PT1S', maximumInterval: 'PT' } });
    expect(codes(validateFlow(def, { actions }))).toEqual([
      'invalid_duration /nodes/2/duration @pause',
      'invalid_duration /nodes/3/timeout @notify',
      'invalid_duration /nodes/3/retry/maximumInterval @notify',
    ]);
  });

  it('bounds every duration by its kind, naming the range', () => {
    const def = referenceFlow();
    def.nodes[2] = { id: 'pause', type: 'delay', duration: 'P9999999W' } as never;
    Object.assign(def.nodes[3]!, { timeout: 'PT2H', retry: { initialInterval: 'PT0.01S', maximumInterval: 'P2D' } });
    const issues = validateFlow(def, { actions });
    expect(codes(issues)).toEqual([
      'invalid_duration /nodes/2/duration @pause',
      'invalid_duration /nodes/3/timeout @notify',
      'invalid_duration /nodes/3/retry/initialInterval @notify',
      'invalid_duration /nodes/3/retry/maximumInterval @notify',
    ]);
    expect(issues[0]!.message).toMatch(/out of range: a delay goes from PT0S to P366D/);
    expect(issues[1]!.message).toMatch(/from PT1S to PT1H/);

    // The bounds themselves are allowed.
    def.nodes[2] = { id: 'pause', type: 'delay', duration: 'P366D' } as never;
    Object.assign(def.nodes[3]!, { timeout: 'PT1H', retry: { initialInterval: 'PT0.1S', maximumInterval: 'P1D' } });
    expect(validateFlow(def, { actions })).toEqual([]);
  });

  it('checks template syntax, roots and step references', () => {
    const def = referenceFlow();
    def.nodes[3]!.input = {
      url: 'https://x.test/{{ trigger.body.id }}',
      f: 'x {{ trigger.body.id',
      body: { contact: '{{ step.save.output.id }}' },
      a: '{{ steps.notify.output }}',
      b: '{{ steps.ghost.output }}',
      c: '{{ steps.save.id }} {{ a b }}',
      d: { $logic: { var: 'steps.pause.output' } },
      e: '{{ contact.email }} {{ run.id }} {{ steps }}',
    } as never;
    def.nodes[0] = {
      id: 'vip',
      type: 'condition',
      rule: { '==': [{ var: 'trigger.body.tier' }, { var: 'steps.notify.output' }] },
    };
    const issues = validateFlow(def, { actions });
    expect(codes(issues)).toEqual([
      'invalid_template /nodes/0/rule @vip',
      'invalid_template /nodes/3/input/f @notify',
      'invalid_template /nodes/3/input/c @notify',
      'invalid_template /nodes/3/input/body/contact @notify',
      'invalid_template /nodes/3/input/a @notify',
      'invalid_template /nodes/3/input/b @notify',
      'invalid_template /nodes/3/input/c @notify',
    ]);
    expect(issues.map((i) => i.message)).toEqual([
      '"steps.notify.output" refers to step "notify", which does not run before "vip"',
      'unclosed "{{" in "x {{ trigger.body.id"',
      '"{{ a b }}" is not a path like trigger.body.items[0].sku',
      '"step.save.output.id" must start with one of trigger, steps, run, contact',
      '"steps.notify.output" refers to step "notify", which does not run before "notify"',
      '"steps.ghost.output" refers to step "ghost", which is not a node',
      '"steps.save.id": a step exposes only its output (steps.save.output...)',
    ]);
  });
});

describe('validateInput', () => {
  const schema = actions['http.request']!.input;

  it('passes a valid input and fills defaults', () => {
    const input: Record<string, unknown> = { url: 'https://example.com/x' };
    expect(validateInput(schema, input)).toEqual([]);
    expect(input.method).toBe('GET');
  });

  it('returns every error as a pointer under /input, without coercion', () => {
    const issues = validateInput(schema, { url: 42, body: { contact: 7 }, headers: { a: 1 } });
    expect(issues.map((i) => i.path)).toEqual(['/input/url', '/input/body/contact', '/input/headers/a']);
    expect(issues.every((i) => i.code === 'action_input')).toBe(true);
    expect(validateInput(actions['contacts.upsert']!.input, {}).map((i) => [i.path, i.message])).toEqual([
      ['/input/email', "input must have required property 'email'"],
    ]);
  });

  it('reuses the compiled schema (cache by object)', () => {
    expect(validateInput(schema, { url: 'https://a.b' })).toEqual([]);
    expect(validateInput(schema, { url: 1 })).toHaveLength(1);
  });
});

describe('limits', () => {
  const empty = (n: number) => ({
    schemaVersion: 1,
    trigger: { type: 'webhook' },
    nodes: Array.from({ length: n }, () => ({})),
    edges: [],
  });

  it('refuses a definition over a size limit with only the limit issues', () => {
    expect(codes(validateFlow(empty(20_000), { actions }))).toEqual(['too_large /nodes']);
    const edges = { ...referenceFlow(), edges: Array.from({ length: 5000 }, () => ({ from: 'trigger', to: 'vip' })) };
    expect(codes(validateFlow(edges, { actions }))).toEqual(['too_large /edges']);
  });

  it('refuses deep nesting and long strings, naming where', () => {
    const def = referenceFlow();
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    Object.assign(def.nodes[3]!, { input: { body: deep } });
    const issues = validateFlow(def, { actions });
    expect(codes(issues)).toEqual([`too_deep /nodes/3/input/body${'/a'.repeat(FLOW_LIMITS.depth - 4)}`]);

    const long = referenceFlow();
    Object.assign(long.nodes[3]!, {
      input: { url: 'https://x.test/', body: 'x'.repeat(FLOW_LIMITS.stringLength + 1) },
    });
    expect(codes(validateFlow(long, { actions }))).toEqual(['too_large /nodes/3/input/body']);
    // Right at the limits, nothing is reported.
    expect(definitionLimitIssues({ s: 'x'.repeat(FLOW_LIMITS.stringLength) })).toEqual([]);
  });

  it("refuses a step's or a trigger's sample over its size, and takes one right at it", () => {
    // 16 KiB of JSON in UTF-8: a string of 2-byte characters plus its two quotes.
    const at = (bytes: number) => 'é'.repeat((bytes - 2) / 2);
    const def = referenceFlow();
    Object.assign(def.nodes[3]!, { sample: at(SAMPLE_MAX_BYTES) });
    Object.assign(def.trigger, { sample: { body: 'x'.repeat(TRIGGER_SAMPLE_MAX_BYTES - 20) } });
    expect(definitionLimitIssues(def)).toEqual([]);
    Object.assign(def.nodes[3]!, { sample: at(SAMPLE_MAX_BYTES + 2) });
    Object.assign(def.trigger, { sample: { body: 'x'.repeat(TRIGGER_SAMPLE_MAX_BYTES) } });
    const issues = validateFlow(def, { actions });
    expect(codes(issues)).toEqual(['too_large /trigger/sample', 'too_large /nodes/3/sample']);
    expect(issues[1]!.message).toContain('16 KiB');
  });

  it('lists at most the cap, the last issue counting them all', () => {
    const def = {
      ...referenceFlow(),
      nodes: Array.from({ length: 300 }, (_, i) => ({ id: `n${i}`, type: 'delay', duration: 'soon' })),
    };
    const issues = validateFlow(def, { actions });
    expect(issues).toHaveLength(FLOW_LIMITS.issues);
    expect(issues.at(-1)).toMatchObject({ code: 'too_many_issues' });
    expect(issues.at(-1)!.message).toMatch(/^\d+ issues in all/);
    expect(Number(/^(\d+)/.exec(issues.at(-1)!.message)![1])).toBeGreaterThan(300);
  });
});
