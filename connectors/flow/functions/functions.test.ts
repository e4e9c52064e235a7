import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../ajv.js';
import { evaluateRule, FunctionError, RuleBudgetError, RULE_BUDGET } from '../logic.js';
import { resolveTemplates } from '../template.js';
import { FUNCTIONS, type ArgSchema } from './catalog.js';
import { checkArgument } from './checks.js';
import { functionsMarkdown, pipeExample } from './docs.js';
import { IMPLEMENTATIONS } from './implementations.js';
import { parsePipeline } from './pipes.js';

const NOW = Date.parse('2026-03-29T10:30:00Z');
const run = (rule: unknown, data: unknown = {}) => evaluateRule(rule as never, data, { now: NOW });
const call = (name: string, ...args: unknown[]) =>
  run(
    { [name]: args.map((a) => (a !== null && typeof a === 'object' ? { var: `a${args.indexOf(a)}` } : a)) },
    Object.fromEntries(args.map((a, i) => [`a${i}`, a])),
  );
const fails = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};

describe('the catalog', () => {
  it('has an implementation for every function and a function for every implementation', () => {
    expect(Object.keys(IMPLEMENTATIONS).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    for (const f of FUNCTIONS) expect(f.name).toMatch(/^[a-z]+\.[A-Za-z0-9]+$/);
  });

  it.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s: its example gives its documented result', (_name, f) => {
    expect(run(f.example.call)).toEqual(f.example.result);
  });

  it.each(FUNCTIONS.filter((f) => pipeExample(f)).map((f) => [pipeExample(f)!, f] as const))(
    'the template %s gives the example result',
    (template, f) => {
      expect(resolveTemplates(template, {}, { now: NOW })).toEqual(f.example.result);
    },
  );

  it('uses only the schema keywords the sandbox checker knows, and ajv compiles every schema', () => {
    const known = new Set([
      'type',
      'enum',
      'minimum',
      'maximum',
      'minLength',
      'maxLength',
      'items',
      'properties',
      'additionalProperties',
      'x-check',
      'description',
    ]);
    const ajv = createAjv();
    const walk = (s: ArgSchema) => {
      for (const k of Object.keys(s)) expect(known.has(k), k).toBe(true);
      if (s.items) walk(s.items);
      for (const p of Object.values(s.properties ?? {})) walk(p);
    };
    for (const f of FUNCTIONS)
      for (const a of f.args) {
        walk(a.schema);
        expect(() => ajv.compile(a.schema)).not.toThrow();
      }
  });

  it('agrees with ajv on what fits a schema', () => {
    const ajv = createAjv();
    const values = ['x', '', 3, 2.5, -1, true, null, [], ['a'], [1], {}, { style: 'currency' }, { bogus: 1 }];
    for (const f of FUNCTIONS)
      for (const a of f.args) {
        const validate = ajv.compile(a.schema);
        const { 'x-check': _check, ...plain } = a.schema;
        for (const v of values)
          expect(checkArgument(plain, v) === null, `${f.name} ${a.name} ${JSON.stringify(v)}`).toBe(validate(v));
      }
  });
});

describe('argument errors name the function and the argument', () => {
  it.each([
    [{ 'text.lower': [3] }, 'text.lower: argument 1 (text) must be a string, got number 3'],
    [{ 'text.lower': [] }, 'text.lower: takes 1 argument (text), got 0'],
    [{ 'text.replace': ['a', 'b'] }, 'text.replace: takes 3 arguments (text, search, replacement), got 2'],
    [{ 'text.pad': ['a', -1] }, 'text.pad: argument 2 (length) must be at least 0, got -1'],
    [{ 'text.test': ['a', '('] }, 'text.test: argument 2 (pattern) is not a valid regular expression'],
    [{ 'text.test': ['a', '(a+)+$'] }, 'may take exponential time'],
    [{ 'text.test': ['a'.repeat(50_001), 'a'] }, 'text.test: argument 1 (text) must have at most 50000 characters'],
    [{ 'text.match': ['a', 'a', 'gg'] }, 'text.match: argument 3 (flags) may hold only'],
    [
      { 'date.format': ['2026-03-29T12:00:00Z', 'yyyy', 'Mars/Olympus'] },
      'date.format: argument 3 (timeZone) "Mars/Olympus" is not an IANA time zone',
    ],
    [{ 'date.format': ['yesterday', 'yyyy'] }, 'date.format: argument 1 (date) the text "yesterday" is not a date'],
    [
      { 'date.format': ['2026-03-29T12:00:00Z', 'YYYY-MM-dd'] },
      'date.format: argument 2 (format) is not a date format',
    ],
    [
      { 'date.add': ['2026-03-29T12:00:00Z', '1 day'] },
      'date.add: argument 2 (duration) "1 day" is not an ISO 8601 duration',
    ],
    [
      { 'date.diff': ['2026-03-29T12:00:00Z', '2026-03-30T12:00:00Z', 'fortnights'] },
      'date.diff: argument 3 (unit) must be one of',
    ],
    [{ 'number.format': [1, 'not a locale!'] }, 'number.format: argument 2 (locale) "not a locale!" is not a locale'],
    [{ 'number.format': [1, 'en', { style: 'currency', useGrouping: true }] }, 'number.format: argument 3 (options)'],
    [{ 'phone.e164': ['0612345678', 'XX'] }, 'phone.e164: argument 2 (country) "XX" is not a country code'],
    [{ 'json.parse': ['{'] }, 'json.parse: argument 1 (text) is not JSON'],
    [{ 'hash.hmac': ['a', 'k', 'md5'] }, 'hash.hmac: argument 3 (algorithm) must be one of "sha256", "sha512", "sha1"'],
    [{ 'object.pick': [{ var: 'o' }, ['a', 1]] }, 'object.pick: argument 2 (keys) item 1 must be a string'],
    [{ 'object.merge': [{ var: 'o' }, 3] }, 'object.merge: argument 2 (objects) must be an object'],
  ])('%j', (rule, message) => {
    const err = fails(() => run(rule, { o: { a: 1 } }));
    expect(err).toBeInstanceOf(FunctionError);
    expect(err.message).toContain(message);
  });

  it('a function needs the run clock for date.now', () => {
    expect(fails(() => evaluateRule({ 'date.now': [] }, {})).message).toBe(
      'date.now: this evaluation has no run time (only flow runs have a clock)',
    );
  });

  it('a function name cannot reach json-logic internals', () => {
    expect(() => run({ 'text.constructor': ['x'] })).toThrow(/Unrecognized operation/);
    expect(() => run({ 'text.__proto__': ['x'] })).toThrow(/Unrecognized operation/);
  });
});

describe('text', () => {
  it('replaces, splits, joins and pads', () => {
    expect(call('text.replace', 'aaa', 'a', 'bb')).toBe('bbbbbb');
    expect(call('text.replace', 'a.b', '.', '$&')).toBe('a$&b'); // plain text, no patterns
    expect(call('text.replaceRegex', 'a1b22', '\\d+', '#', 'g')).toBe('a#b#');
    expect(call('text.replaceRegex', 'a1b22', '\\d+', '[$&]')).toBe('a[1]b22');
    expect(call('text.replaceRegex', 'xay', '(x)a', '$1-', 'g')).toBe('x-y');
    expect(call('text.split', 'héé', '')).toEqual(['h', 'é', 'é']);
    expect(call('text.split', 'a,b,c', ',', 2)).toEqual(['a', 'b']);
    expect(call('text.join', ['a', null, 3, true], '-')).toBe('a--3-true');
    expect(call('text.join', ['a', 'b'])).toBe('a, b');
    expect(call('text.pad', 'ab', 5, '.', 'end')).toBe('ab...');
    expect(call('text.pad', 'abcdef', 3)).toBe('abcdef');
    expect(() => call('text.join', [['nested']])).toThrow('text.join: argument 1 (list) item 0 is a list or an object');
  });

  it('slugifies, tests and matches', () => {
    expect(call('text.slugify', '  Ça va? Über-Straße 12  ')).toBe('ca-va-uber-straße-12');
    expect(call('text.slugify', '---')).toBe('');
    expect(call('text.test', 'HELLO', 'hello', 'i')).toBe(true);
    expect(call('text.test', 'a', 'a', 'g')).toBe(true); // a `g` flag cannot make test stateful
    expect(call('text.match', 'no digits', '\\d')).toBeNull();
    expect(call('text.match', 'a1 b2', '[a-z](\\d)', 'g')).toEqual(['a1', 'b2']);
    expect(call('text.match', 'ab', 'a(x)?b')).toEqual(['ab', null]);
  });

  it('counts against the budget and refuses results over it', () => {
    const big = 'x'.repeat(RULE_BUDGET.stringLength);
    expect(fails(() => call('text.pad', 'a', RULE_BUDGET.stringLength + 1)).message).toContain(
      'text.pad: the result would be longer',
    );
    expect(fails(() => call('text.replace', big, 'x', 'yy')).message).toContain(
      'text.replace: the result would be longer',
    );
    expect(fails(() => call('text.replaceRegex', 'x'.repeat(50_000), 'x', 'y'.repeat(25), 'g')).message).toContain(
      'text.replaceRegex: the result',
    );
    // A split into a million parts is a million operations: over the budget.
    expect(fails(() => call('text.split', big, ''))).toBeInstanceOf(RuleBudgetError);
    // Sorting 60,000 items costs n log n.
    const items = Array.from({ length: 60_000 }, (_, i) => i);
    expect(fails(() => call('list.sortBy', items))).toBeInstanceOf(RuleBudgetError);
    expect(call('list.sortBy', items.slice(0, 5000), null, 'desc')).toHaveLength(5000);
    // A list holding one long text many times cannot be written out.
    const wide = Array.from({ length: 2000 }, () => 'y'.repeat(1000));
    expect(fails(() => call('json.stringify', wide)).message).toContain('json.stringify: the result would be longer');
    expect(fails(() => call('text.join', wide.concat(wide)))).toBeInstanceOf(FunctionError);
  });
});

describe('numbers', () => {
  it('rounds halves away from zero without binary artefacts', () => {
    expect(call('number.round', 1.005, 2)).toBe(1.01);
    expect(call('number.round', -2.5)).toBe(-3);
    expect(call('number.round', 1e-7, 3)).toBe(0);
    expect(call('number.round', 123.456, 1)).toBe(123.5);
  });

  it('formats and parses for a locale', () => {
    expect(call('number.format', 1234.5)).toBe('1,234.5');
    expect(call('number.format', 0.256, 'en-US', { style: 'percent', maximumFractionDigits: 1 })).toBe('25.6%');
    expect(call('number.parse', '1,234.5')).toBe(1234.5);
    expect(call('number.parse', '1 234,5 €', 'fr-FR')).toBe(1234.5);
    expect(call('number.parse', '-12', 'de-DE')).toBe(-12);
    expect(call('number.parse', 'twelve')).toBeNull();
    expect(call('number.parse', '')).toBeNull();
  });
});

describe('dates', () => {
  it("now is the evaluation's clock", () => {
    expect(evaluateRule({ 'date.now': [] }, {}, { now: 0 })).toBe('1970-01-01T00:00:00.000Z');
    expect(run({ 'date.format': [{ 'date.now': [] }, 'HH:mm', 'Asia/Tokyo'] })).toBe('19:30');
  });

  it('parses ISO dates, numbers and formats in a time zone', () => {
    expect(call('date.parse', '2026-03-29')).toBe('2026-03-29T00:00:00.000Z');
    expect(call('date.parse', '2026-03-29T14:00:00+02:00')).toBe('2026-03-29T12:00:00.000Z');
    expect(call('date.parse', '03/29/2026', 'MM/dd/yyyy')).toBe('2026-03-29T00:00:00.000Z');
    expect(fails(() => call('date.parse', '29.03.2026', 'MM/dd/yyyy')).message).toContain(
      'date.parse: argument 1 (text) "29.03.2026" does not match the format "MM/dd/yyyy"',
    );
    expect(call('date.format', 0, "yyyy-MM-dd'T'HH:mm", 'America/New_York')).toBe('1969-12-31T19:00');
  });

  it('adds calendar durations on the wall clock of a time zone across daylight saving', () => {
    // Paris moves to summer time on 2026-03-29: a day later is 23 hours later.
    expect(call('date.add', '2026-03-28T09:00:00Z', 'P1D', 'Europe/Paris')).toBe('2026-03-29T08:00:00.000Z');
    expect(call('date.add', '2026-03-28T09:00:00Z', 'PT24H', 'Europe/Paris')).toBe('2026-03-29T09:00:00.000Z');
    expect(call('date.add', '2026-01-31T10:00:00Z', 'P1M')).toBe('2026-02-28T10:00:00.000Z');
    expect(call('date.subtract', '2026-03-01T00:00:00Z', 'P1Y2W')).toBe('2025-02-15T00:00:00.000Z');
    expect(fails(() => call('date.add', 8.64e15, 'P1D')).message).toBe('date.add: the date is out of range');
  });

  it('differs in whole units, toward zero', () => {
    expect(call('date.diff', '2026-03-29T12:00:00Z', '2026-03-29T10:30:00Z', 'hours')).toBe(-1);
    expect(call('date.diff', '2026-01-31T00:00:00Z', '2026-03-01T00:00:00Z', 'months')).toBe(1);
    // As date.add counts: Feb 29 plus a year is Feb 28.
    expect(call('date.diff', '2024-02-29T00:00:00Z', '2025-02-28T00:00:00Z', 'years')).toBe(1);
    expect(call('date.diff', '2024-02-29T00:00:00Z', '2025-02-27T23:59:59Z', 'years')).toBe(0);
    expect(call('date.diff', '2026-03-01T00:00:00Z', '2026-01-31T00:00:00Z', 'months')).toBe(-1);
    expect(call('date.diff', 0, 1500, 'seconds')).toBe(1);
  });
});

describe('lists and objects', () => {
  const rows = [
    { sku: 'b', qty: 2, tag: { n: 1 } },
    { sku: 'a', qty: 10 },
    { sku: 'c', qty: 2 },
  ];
  it('reads lengths, ends and values', () => {
    expect(call('list.length', 'héé')).toBe(3);
    expect(call('list.length', 'a😀b')).toBe(3);
    expect(call('text.split', 'a😀b', '')).toEqual(['a', '😀', 'b']);
    expect(call('list.length', { a: 1, b: 2 })).toBe(2);
    expect(call('list.first', [])).toBeNull();
    expect(call('list.last', [])).toBeNull();
    expect(call('list.pluck', rows, 'tag.n')).toEqual([1, null, null]);
    expect(call('list.pluck', rows, 'constructor')).toEqual([null, null, null]);
  });

  it('unique, sortBy and groupBy', () => {
    expect(call('list.unique', [{ a: 1, b: 2 }, { a: 1, b: 2 }, 'x', 'x', null, null])).toEqual([
      { a: 1, b: 2 },
      'x',
      null,
    ]);
    expect((call('list.sortBy', rows, 'qty') as typeof rows).map((r) => r.sku)).toEqual(['b', 'c', 'a']); // stable
    expect((call('list.sortBy', rows, 'qty', 'desc') as typeof rows).map((r) => r.sku)).toEqual(['a', 'b', 'c']);
    expect(call('list.sortBy', ['b', 10, null, 'a', 2])).toEqual([2, 10, 'a', 'b', null]);
    expect(Object.keys(call('list.groupBy', rows, 'qty') as object)).toEqual(['2', '10']);
    expect(call('list.groupBy', [{ k: '__proto__', v: 1, w: 0 }], 'k')).toEqual(
      JSON.parse('{"__proto__":[{"k":"__proto__","v":1,"w":0}]}'),
    );
  });

  it('keys, merge and pick', () => {
    expect(call('object.merge', { a: 1, b: 1 }, JSON.parse('{"__proto__":{"polluted":1},"c":3}'))).toEqual(
      JSON.parse('{"a":1,"b":1,"__proto__":{"polluted":1},"c":3}'),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(call('object.pick', { a: 1, b: 2 }, ['b', 'zz', 'toString'])).toEqual({ b: 2 });
    expect(call('object.keys', {})).toEqual([]);
  });
});

describe('phone, email, JSON and hashing', () => {
  it('normalises phones and emails with the contacts identity rules', () => {
    expect(call('phone.e164', '+1 415 555 2671')).toBe('+14155552671');
    expect(call('phone.e164', '0612345678')).toBeNull(); // national, no country
    expect(call('phone.e164', 'call me')).toBeNull();
    expect(call('email.normalize', 'not an email')).toBeNull();
    expect(call('email.domain', ' Ada@Sub.Example.COM ')).toBe('sub.example.com');
  });

  it('parses and writes JSON', () => {
    expect(call('json.parse', '[1,"a",null]')).toEqual([1, 'a', null]);
    expect(call('json.stringify', 'a"b')).toBe('"a\\"b"');
  });

  it('hashes UTF-8 text', () => {
    expect(call('hash.sha256', '')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // RFC 4231 test case 2.
    expect(call('hash.hmac', 'what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(call('hash.hmac', 'what do ya want for nothing?', 'Jefe', 'sha1')).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });
});

describe('in templates', () => {
  const ctx = {
    trigger: {
      email: ' Ada@Example.COM ',
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
      at: '2026-03-29T12:00:00Z',
    },
    steps: {},
    run: { id: 'r1', flowId: 'f', version: 1, startedAt: '2026-03-29T10:30:00Z' },
    contact: null,
  };
  const resolve = (v: unknown) => resolveTemplates(v as never, ctx, { now: NOW });

  it('pipes a value through functions, keeping the type of a whole placeholder', () => {
    expect(resolve('{{ trigger.email | text.trim | text.lower }}')).toBe('ada@example.com');
    expect(resolve('{{ trigger.items | list.pluck: "sku" }}')).toEqual(['a', 'b']);
    expect(resolve('{{ trigger.items | list.length }}')).toBe(2);
    expect(resolve("On {{ trigger.at | date.format: 'EEEE HH:mm', 'Europe/Paris' }}!")).toBe('On Sunday 14:00!');
    expect(resolve('{{ date.now | date.add: "P1D" | date.format: "yyyy-MM-dd" }}')).toBe('2026-03-30');
    expect(resolve('{{ "x|y" | text.split: "|" }}')).toEqual(['x', 'y']);
    expect(resolve('{{ trigger.email | text.replace: trigger.email, run.id }}')).toBe('r1');
    expect(resolve({ $logic: { 'text.upper': [{ var: 'run.id' }] } })).toBe('R1');
  });

  it('fails on a bad value at run time with the function and argument named', () => {
    expect(() => resolve('{{ trigger.missing | text.lower }}')).toThrow(
      'text.lower: argument 1 (text) must be a string, got null',
    );
  });

  it('parses pipelines, and says why one is malformed', () => {
    expect(parsePipeline(' trigger.a | text.pad: 5, "0", \'end\' ')).toEqual({
      head: { path: 'trigger.a' },
      calls: [{ name: 'text.pad', args: [{ value: 5 }, { value: '0' }, { value: 'end' }] }],
    });
    expect(parsePipeline('date.now')).toEqual({ calls: [{ name: 'date.now', args: [] }] });
    expect(parsePipeline(String.raw`"a\"b\u0041\d\\" | text.lower`)).toEqual({
      head: { value: 'a"bA\\d\\' },
      calls: [{ name: 'text.lower', args: [] }],
    });
    expect(parsePipeline(String.raw`'it\'s' | text.upper`)).toEqual({
      head: { value: "it's" },
      calls: [{ name: 'text.upper', args: [] }],
    });
    expect(resolve(String.raw`{{ "Order #12" | text.match: "#(\d+)" | list.last }}`)).toBe('12');
    expect(parsePipeline('"a" "b" | text.lower')).toBe('"a" "b" is not a string in double quotes');
    expect(parsePipeline('trigger.a | text.nope')).toBe('"text.nope" is not a function (see the functions list)');
    expect(parsePipeline('trigger.a | text.pad: "0')).toBe('a quoted string is not closed');
    expect(parsePipeline('trigger.a | text.pad: 1 +')).toBe(
      'text.pad: 1 + is neither a value ("text", 12, true, null) nor a path',
    );
    expect(parsePipeline('trigger.a |')).toBe('an empty step between "|"');
  });
});

describe('time zones without the process time zone', () => {
  it('formats and parses every token, on either side of a daylight saving change', () => {
    const fmt = "EEE EEEE d dd M MM MMM MMMM yy yyyy H HH h hh a m mm s ss SSS XXX xxx 'at' ''";
    expect(call('date.format', '2026-03-29T00:59:59.123Z', fmt, 'Europe/Paris')).toBe(
      "Sun Sunday 29 29 3 03 Mar March 26 2026 1 01 1 01 AM 59 59 59 59 123 +01:00 +01:00 at '",
    );
    expect(call('date.format', '2026-03-29T01:00:00Z', 'HH:mm XXX', 'Europe/Paris')).toBe('03:00 +02:00');
    expect(call('date.format', '2026-03-29T01:00:00Z', 'HH:mm XXX')).toBe('01:00 Z');
    expect(call('date.parse', 'Sunday 29 March 2026, 2:30 PM', 'EEEE d MMMM yyyy, h:mm a', 'America/New_York')).toBe(
      '2026-03-29T18:30:00.000Z',
    );
    expect(call('date.parse', '2026-03-29 10:00 +05:30', 'yyyy-MM-dd HH:mm XXX', 'Europe/Paris')).toBe(
      '2026-03-29T04:30:00.000Z',
    );
    // 02:30 does not exist in Paris on 2026-03-29: read with the offset before the change.
    expect(call('date.parse', '2026-03-29 02:30', 'yyyy-MM-dd HH:mm', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
    expect(() => call('date.parse', '30/02/2026', 'dd/MM/yyyy')).toThrow('does not match the format');
    expect(call('date.add', '2026-10-24T10:00:00Z', 'P1D', 'Europe/Paris')).toBe('2026-10-25T11:00:00.000Z');
  });

  it('reads ISO dates as UTC unless they carry an offset, and refuses impossible ones', () => {
    expect(call('date.parse', '2026-03-29T14:00')).toBe('2026-03-29T14:00:00.000Z');
    expect(call('date.parse', '2026-03-29T14:00:00.5-03:00')).toBe('2026-03-29T17:00:00.500Z');
    expect(() => call('date.parse', '2026-02-30')).toThrow(
      'date.parse: argument 1 (text) "2026-02-30" is not an ISO 8601 date',
    );
    expect(() => call('date.parse', 'March 29')).toThrow('is not an ISO 8601 date');
  });
});

describe('the functions README', () => {
  it('lists every function as the catalog says', () => {
    const file = new URL('./README.md', import.meta.url);
    const text = readFileSync(file, 'utf8');
    const [head, rest] = text.split('<!-- functions:start -->\n');
    const [, tail] = rest!.split('<!-- functions:end -->');
    const fresh = `${head}<!-- functions:start -->\n${functionsMarkdown()}<!-- functions:end -->${tail}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(file, fresh);
    expect(text).toBe(fresh);
  });
});
