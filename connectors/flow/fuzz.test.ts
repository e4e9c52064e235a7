// Property-based fuzzing of the flow model's pure parts (fast-check): the validator, template resolution and
// json-logic. Seeded and bounded: the same seed finds the same inputs (FUZZ_SEED=<n> to try others; a failure prints
// its seed and path to replay). The routes are fuzzed in server/fuzz.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRule } from './logic.js';
import { isTemplated, resolveTemplates, templateRefsAt, templateSyntaxError } from './template.js';
import type { JsonValue } from './types.js';
import { FLOW_LIMITS, validateFlow } from './validate.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const runs = (n: number) => ({ seed: SEED, numRuns: n });

const actions = {
  'http.request': {
    input: {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string', format: 'uri' }, method: { enum: ['GET', 'POST'] } },
    },
  },
};

/** Text rich in the characters templates and paths care about. */
const templateText = fc
  .array(
    fc.oneof(
      fc.constantFrom('{{', '}}', '{', '}', ' ', '.', '[0]', '\n', 'trigger', 'steps', 'body', 'a', '-', '$logic'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

const nodeId = fc.constantFrom('a', 'b', 'c', 'trigger', 'x-1', '');
const node = fc.oneof(
  fc.record({ id: nodeId, type: fc.constant('set'), values: fc.dictionary(fc.string(), fc.jsonValue()) }),
  fc.record({
    id: nodeId,
    type: fc.constant('delay'),
    duration: fc.oneof(fc.constantFrom('PT1S', 'P1D', 'P9999W', 'PT'), fc.string()),
  }),
  fc.record({ id: nodeId, type: fc.constant('condition'), rule: fc.jsonValue() }),
  fc.record({
    id: nodeId,
    type: fc.constant('action'),
    action: fc.constantFrom('http.request', 'nope.x', ''),
    input: fc.dictionary(fc.constantFrom('url', 'method', 'body'), fc.oneof(templateText, fc.jsonValue())),
  }),
  fc.record({ id: nodeId, type: fc.constantFrom('wait', 'loop', 42), timeout: fc.string() }, { requiredKeys: [] }),
);
const flowish = fc.record(
  {
    schemaVersion: fc.constantFrom(1, 2, '1'),
    trigger: fc.oneof(fc.record({ type: fc.constantFrom('webhook', 'channel.message', 'cron') }), fc.jsonValue()),
    nodes: fc.array(node, { maxLength: 8 }),
    edges: fc.array(
      fc.record({ from: nodeId, to: nodeId, branch: fc.constantFrom('true', 'false', 'received', undefined) }),
      { maxLength: 8 },
    ),
  },
  { requiredKeys: [] },
);

describe('validateFlow (fuzzed)', () => {
  it('answers every value with a bounded list of well-formed issues, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(flowish, fc.jsonValue()), (def) => {
        const issues = validateFlow(def, { actions, channels: ['sms'] });
        expect(issues.length).toBeLessThanOrEqual(FLOW_LIMITS.issues);
        for (const issue of issues) {
          expect(typeof issue.path).toBe('string');
          expect(issue.code).toMatch(/^[a-z_]+$/);
          expect(typeof issue.message).toBe('string');
          expect(issue.message.length).toBeLessThan(1000);
        }
      }),
      runs(400),
    );
  });
});

describe('templates (fuzzed)', () => {
  const ctx = { trigger: { body: { a: 1, s: 'x{{ trigger.body.a }}' } }, steps: {}, run: {}, contact: null };
  it('resolve, detect and check any text without throwing, and never re-read a resolved value', () => {
    fc.assert(
      fc.property(templateText, (s) => {
        const out = resolveTemplates(s, ctx);
        if (typeof out === 'string' && !isTemplated(s)) expect(out).toBe(s);
        // A value from the context is data: its own {{ }} are never resolved again.
        expect(resolveTemplates('{{ trigger.body.s }}', ctx)).toBe('x{{ trigger.body.a }}');
        const error = templateSyntaxError(s);
        if (error !== null) expect(error.length).toBeLessThan(300);
        for (const ref of templateRefsAt(s)) expect(ref.pointer).toBe('');
      }),
      runs(1000),
    );
  });
});

describe('json-logic (fuzzed)', () => {
  const operators = fc.constantFrom(
    'var',
    'missing',
    '==',
    'if',
    'cat',
    'map',
    'filter',
    'merge',
    'in',
    'substr',
    '+',
    'method',
    'constructor',
    '__proto__',
    'toString.call',
    'log',
  );
  const rule = fc.letrec((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 1 }),
      fc.constantFrom(
        'trigger',
        'trigger.constructor',
        'trigger.body.__proto__',
        'trigger.toString',
        'constructor.name',
      ),
      fc.dictionary(operators, fc.array(tie('rule'), { maxLength: 3 }), { minKeys: 1, maxKeys: 1 }),
    ),
  })).rule as fc.Arbitrary<JsonValue>;

  it('evaluates to JSON data or throws an Error; never reaches a function or a prototype', () => {
    const data = { trigger: { body: { a: [1, 2], s: 'x' } } };
    fc.assert(
      fc.property(rule, (r) => {
        let result: unknown;
        try {
          result = evaluateRule(r as never, data);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          return;
        }
        const seen: unknown[] = [result];
        while (seen.length > 0) {
          const v = seen.pop();
          expect(typeof v).not.toBe('function');
          if (v !== null && typeof v === 'object') {
            expect([Object.prototype, Array.prototype, null]).toContain(Object.getPrototypeOf(v));
            if (v !== Object.prototype) seen.push(...Object.values(v));
          }
        }
      }),
      runs(1000),
    );
  });
});
