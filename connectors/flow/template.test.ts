import { describe, expect, it } from 'vitest';
import {
  isTemplated,
  parsePath,
  resolvePath,
  resolveTemplates,
  ruleRefs,
  templateRefs,
  templateRefsAt,
  templateSyntaxError,
} from './template.js';
import type { RunContext } from './types.js';

const ctx: RunContext = {
  trigger: {
    body: { email: 'a@b.c', total: 12.5, vip: true, items: [{ sku: 'x1' }, { sku: 'x2' }], tags: ['a'], none: null },
    headers: { 'x-sig': 'abc' },
  },
  steps: { save: { output: { id: 'c_1', meta: { n: 2 } } } },
  run: { id: 'r1', flowId: 'f1', version: 3, startedAt: '2026-01-01T00:00:00Z' },
  contact: null,
};

describe('parsePath / resolvePath', () => {
  it('parses dots and indexes', () => {
    expect(parsePath(' trigger.body.items[0].sku ')).toEqual(['trigger', 'body', 'items', 0, 'sku']);
    expect(parsePath('trigger..x')).toBeNull();
    expect(parsePath('a b')).toBeNull();
    expect(parsePath('')).toBeNull();
  });

  it('resolves own properties only, missing as null', () => {
    expect(resolvePath(ctx, 'trigger.body.items[1].sku')).toBe('x2');
    expect(resolvePath(ctx, 'trigger.body.items.0.sku')).toBe('x1');
    expect(resolvePath(ctx, 'trigger.headers.x-sig')).toBe('abc');
    expect(resolvePath(ctx, 'trigger.body.items[5].sku')).toBeNull();
    expect(resolvePath(ctx, 'trigger.constructor')).toBeNull();
    expect(resolvePath(ctx, 'trigger.body.email.length')).toBeNull();
  });
});

describe('resolveTemplates', () => {
  it('keeps the type of an exact placeholder', () => {
    expect(resolveTemplates('{{ steps.save.output }}', ctx)).toEqual({ id: 'c_1', meta: { n: 2 } });
    expect(resolveTemplates('{{trigger.body.total}}', ctx)).toBe(12.5);
    expect(resolveTemplates('{{ trigger.body.vip }}', ctx)).toBe(true);
    expect(resolveTemplates('{{ trigger.body.none }}', ctx)).toBeNull();
    expect(resolveTemplates('{{ trigger.body.missing.deep }}', ctx)).toBeNull();
    expect(resolveTemplates('{{ run.version }}', ctx)).toBe(3);
  });

  it('stringifies placeholders inside longer strings', () => {
    expect(resolveTemplates('Hi {{ trigger.body.email }}, total {{ trigger.body.total }}', ctx)).toBe(
      'Hi a@b.c, total 12.5',
    );
    expect(resolveTemplates('m={{ steps.save.output.meta }}', ctx)).toBe('m={"n":2}');
    expect(resolveTemplates('[{{ trigger.body.none }}|{{ nope.x }}]', ctx)).toBe('[|]');
    expect(resolveTemplates(' {{ run.version }}', ctx)).toBe(' 3');
  });

  it('walks objects and arrays deeply and evaluates $logic', () => {
    const input = {
      email: '{{ trigger.body.email }}',
      list: ['{{ trigger.body.items[0].sku }}', 7, null, { n: '{{ steps.save.output.meta.n }}' }],
      big: { $logic: { '>': [{ var: 'trigger.body.total' }, 10] } },
      notLogic: { $logic: 1, other: '{{ run.id }}' },
    };
    expect(resolveTemplates(input, ctx)).toEqual({
      email: 'a@b.c',
      list: ['x1', 7, null, { n: 2 }],
      big: true,
      notLogic: { $logic: 1, other: 'r1' },
    });
  });

  it('does not re-scan resolved data for placeholders', () => {
    const c = { trigger: { body: { text: '{{ run.id }}' } }, run: { id: 'secret' } };
    expect(resolveTemplates('{{ trigger.body.text }}', c)).toBe('{{ run.id }}');
    expect(resolveTemplates('say {{ trigger.body.text }}', c)).toBe('say {{ run.id }}');
  });

  it('leaves malformed placeholders as written', () => {
    expect(resolveTemplates('{{ not a path }} and {{ run.id }}', ctx)).toBe('{{ not a path }} and r1');
    expect(resolveTemplates('open {{ run.id', ctx)).toBe('open {{ run.id');
  });

  it('does not mutate its input', () => {
    const input = { a: '{{ run.id }}' };
    resolveTemplates(input, ctx);
    expect(input).toEqual({ a: '{{ run.id }}' });
  });
});

describe('isTemplated / templateSyntaxError', () => {
  it('detects placeholders and $logic objects', () => {
    expect(isTemplated('x {{ a.b }}')).toBe(true);
    expect(isTemplated('plain')).toBe(false);
    expect(isTemplated({ $logic: { var: 'a' } })).toBe(true);
    expect(isTemplated({ $logic: 1, b: 2 })).toBe(false);
    expect(isTemplated(3)).toBe(false);
  });

  it('reports unclosed and non-path placeholders', () => {
    expect(templateSyntaxError('fine {{ a.b }} {{c[1]}}')).toBeNull();
    expect(templateSyntaxError('{"a":{"b":1}}')).toBeNull();
    expect(templateSyntaxError('oops {{ a.b')).toMatch(/unclosed/);
    expect(templateSyntaxError('{{ a + b }}')).toMatch(/not a path/);
    expect(templateSyntaxError('{{}}')).toMatch(/not a path/);
    // A placeholder never spans a line break (the runtime would leave it as written).
    expect(templateSyntaxError('{{ a.b\n}}')).toMatch(/unclosed/);
    expect(templateSyntaxError('{{ a.b }}\n{{ c }}')).toBeNull();
  });

  it('quotes at most an excerpt of a long string', () => {
    expect(templateSyntaxError(`${'x'.repeat(5000)} {{`)!.length).toBeLessThan(200);
    expect(templateSyntaxError(`{{ ${'a + '.repeat(5000)} }}`)!.length).toBeLessThan(200);
  });

  it('scans strings of many unclosed or many closed placeholders in one pass', () => {
    // With a lazy regular expression each of these took minutes (quadratic); a linear scan takes milliseconds.
    const unclosed = '{{'.repeat(200_000);
    expect(templateSyntaxError(unclosed)).toMatch(/^unclosed/);
    expect(isTemplated(unclosed)).toBe(false);
    expect(resolveTemplates(unclosed, {})).toBe(unclosed);
    expect(templateRefsAt(unclosed)).toEqual([]);
    const many = `${'{{ trigger.a }}'.repeat(50_000)}{{`;
    expect(resolveTemplates(many, { trigger: { a: 1 } })).toBe(`${'1'.repeat(50_000)}{{`);
    expect(templateRefsAt(many)).toHaveLength(50_000);
  });
});

describe('placeholder scanning matches the lazy pattern /\\{\\{(.*?)\\}\\}/g', () => {
  // The reference: what the runtime did with a regular expression before the scan replaced it.
  const reference = (s: string, ctx: object) =>
    s.replace(/\{\{(.*?)\}\}/g, (whole, path: string) => {
      if (!parsePath(path)) return whole;
      const v = resolvePath(ctx, path);
      return v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  const ctx = { trigger: { a: 'A', b: { c: 2 } } };
  // Seeded, so a failure reproduces: strings over an alphabet of the characters that matter.
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['{{', '}}', '{', '}', ' ', '\n', '\r', 'trigger.a', 'trigger.b', 'x', '.', '\u2028'];
  it('on 2,000 random strings', () => {
    for (let i = 0; i < 2000; i++) {
      const s = Array.from(
        { length: Math.floor(next() * 12) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
      if (/^\{\{(.*?)\}\}$/.test(s) && parsePath(s.slice(2, -2))) continue; // a whole placeholder keeps its type
      expect(resolveTemplates(s, ctx), JSON.stringify(s)).toBe(reference(s, ctx));
      expect(isTemplated(s), JSON.stringify(s)).toBe(/\{\{(.*?)\}\}/.test(s));
    }
  });
});

describe('templateRefs', () => {
  it('lists distinct references from strings and $logic vars with their pointers', () => {
    const v = {
      a: 'x {{ trigger.body.email }} {{ steps.save.output.id }}',
      'b/c': ['{{ trigger.body.email }}'],
      d: { $logic: { and: [{ var: 'contact.tier' }, { some: [{ var: 'trigger.body.items' }, { var: 'sku' }] }] } },
    };
    expect(templateRefs(v)).toEqual([
      'trigger.body.email',
      'steps.save.output.id',
      'contact.tier',
      'trigger.body.items',
    ]);
    expect(templateRefsAt(v, '/input')).toEqual([
      { pointer: '/input/a', path: 'trigger.body.email' },
      { pointer: '/input/a', path: 'steps.save.output.id' },
      { pointer: '/input/b~1c/0', path: 'trigger.body.email' },
      { pointer: '/input/d', path: 'contact.tier' },
      { pointer: '/input/d', path: 'trigger.body.items' },
    ]);
  });

  it('reads var names given as [name, default]', () => {
    expect(ruleRefs({ '==': [{ var: ['trigger.a', 1] }, { var: '' }] })).toEqual(['trigger.a']);
  });
});
