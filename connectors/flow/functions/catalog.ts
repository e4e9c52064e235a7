// The data functions of the flow language (README.md "Data functions"): each one's name, arguments (a JSON Schema
// each, in the small subset `checkArgument` knows), description and an example. Plain data with no imports, so the
// editor imports it without the implementations (implementations.ts) or json-logic-js.
//
// A function is a json-logic operator named `<group>.<name>`: `{ "text.lower": [{ "var": "trigger.email" }] }` in a
// condition or a `$logic` value, or a pipe in a template: `{{ trigger.email | text.lower }}`, where the value before
// the `|` is the function's first argument and the literals after `:` its others (`{{ run.startedAt | date.format:
// "yyyy-MM-dd", "Europe/Paris" }}`). A placeholder may also start with a function (`{{ date.now | date.format: ... }}`).

/** The JSON Schema subset the catalog uses (checked in the sandbox without ajv, and with ajv at publish). */
export interface ArgSchema {
  type?:
    | 'string'
    | 'number'
    | 'integer'
    | 'boolean'
    | 'array'
    | 'object'
    | 'null'
    | Array<'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null'>;
  enum?: Array<string | number | boolean | null>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: ArgSchema;
  properties?: Record<string, ArgSchema>;
  additionalProperties?: false;
  /** A check JSON Schema cannot state (functions/checks.ts): a regular expression, an IANA time zone, ... */
  'x-check'?: CheckName;
  /** For the editor: a short hint of the value. */
  description?: string;
}

export type CheckName = 'regex' | 'regexFlags' | 'timeZone' | 'locale' | 'country' | 'duration' | 'dateFormat' | 'date';

export interface FunctionArg {
  name: string;
  schema: ArgSchema;
  /** May be left out (only trailing arguments are). */
  optional?: true;
  /** The last argument may repeat (object.merge). */
  rest?: true;
}

export interface FunctionSpec {
  name: string;
  group: FunctionGroup;
  description: string;
  args: FunctionArg[];
  /** What it returns, in a few words. */
  returns: string;
  /**
   * A json-logic call and its result (the tests evaluate every example; `date.now` runs at 2026-03-29T10:30:00Z). In
   * a rule a literal object with one key reads as an operation: objects in examples have two keys or more.
   */
  example: { call: Record<string, unknown[]>; result: unknown };
}

export const FUNCTION_GROUPS = {
  text: 'Text',
  number: 'Numbers',
  date: 'Dates',
  list: 'Lists',
  object: 'Objects',
  phone: 'Phone',
  email: 'Email',
  json: 'JSON',
  hash: 'Hashing',
} as const;
export type FunctionGroup = keyof typeof FUNCTION_GROUPS;

const STRING: ArgSchema = { type: 'string' };
const LIST: ArgSchema = { type: 'array' };
const OBJECT: ArgSchema = { type: 'object' };
const KEY: ArgSchema = { type: 'string', minLength: 1, description: 'a property name, or a dot path' };
const DATE: ArgSchema = {
  type: ['string', 'number'],
  'x-check': 'date',
  description: 'an ISO 8601 date-time or milliseconds since 1970',
};
const TIME_ZONE: ArgSchema = {
  type: 'string',
  'x-check': 'timeZone',
  description: 'an IANA time zone, e.g. Europe/Paris',
};
const LOCALE: ArgSchema = { type: 'string', 'x-check': 'locale', description: 'a BCP 47 locale, e.g. de-DE' };
const REGEX: ArgSchema = { type: 'string', maxLength: 1000, 'x-check': 'regex', description: 'a regular expression' };
const FLAGS: ArgSchema = { type: 'string', 'x-check': 'regexFlags', description: 'flags among g, i, m, s, u' };
const text = (name = 'text'): FunctionArg => ({ name, schema: STRING });
/**
 * The text a pattern runs on is bounded: safe-regex2 refuses exponential patterns, but a polynomial one on a long
 * text can still hold the workflow task for seconds, where nothing can stop it.
 */
export const REGEX_TEXT_LIMIT = 50_000;
const REGEX_TEXT: FunctionArg = { name: 'text', schema: { type: 'string', maxLength: REGEX_TEXT_LIMIT } };
const list = (name = 'list'): FunctionArg => ({ name, schema: LIST });

const spec = (
  group: FunctionGroup,
  short: string,
  description: string,
  args: FunctionArg[],
  returns: string,
  example: FunctionSpec['example'],
): FunctionSpec => ({ name: `${group}.${short}`, group, description, args, returns, example });

export const FUNCTIONS: readonly FunctionSpec[] = [
  spec('text', 'lower', 'Lower-cases the text.', [text()], 'text', {
    call: { 'text.lower': ['Ada@Example.COM'] },
    result: 'ada@example.com',
  }),
  spec('text', 'upper', 'Upper-cases the text.', [text()], 'text', { call: { 'text.upper': ['abc'] }, result: 'ABC' }),
  spec('text', 'trim', 'Removes white space at both ends.', [text()], 'text', {
    call: { 'text.trim': ['  hi  '] },
    result: 'hi',
  }),
  spec(
    'text',
    'replace',
    'Replaces every occurrence of `search` (plain text, not a pattern).',
    [text(), { name: 'search', schema: { type: 'string', minLength: 1 } }, { name: 'replacement', schema: STRING }],
    'text',
    { call: { 'text.replace': ['a-b-c', '-', '/'] }, result: 'a/b/c' },
  ),
  spec(
    'text',
    'replaceRegex',
    'Replaces the matches of a regular expression (`$1` refers to a group); every match with flag `g`.',
    [
      REGEX_TEXT,
      { name: 'pattern', schema: REGEX },
      { name: 'replacement', schema: STRING },
      { name: 'flags', schema: FLAGS, optional: true },
    ],
    'text',
    { call: { 'text.replaceRegex': ['tel: 06 12', '\\D', '', 'g'] }, result: '0612' },
  ),
  spec(
    'text',
    'split',
    'Splits the text at each `separator` (every character when it is empty), keeping at most `limit` parts.',
    [
      text(),
      { name: 'separator', schema: STRING },
      { name: 'limit', schema: { type: 'integer', minimum: 0 }, optional: true },
    ],
    'list of texts',
    { call: { 'text.split': ['a,b,c', ','] }, result: ['a', 'b', 'c'] },
  ),
  spec(
    'text',
    'join',
    'Joins the items of a list with `separator` (default ", "); null items are empty.',
    [list(), { name: 'separator', schema: STRING, optional: true }],
    'text',
    { call: { 'text.join': [['a', 'b'], ' + '] }, result: 'a + b' },
  ),
  spec(
    'text',
    'pad',
    'Pads the text with `fill` (default a space) to `length` characters, at the start (default) or the end.',
    [
      text(),
      { name: 'length', schema: { type: 'integer', minimum: 0 } },
      { name: 'fill', schema: { type: 'string', minLength: 1 }, optional: true },
      { name: 'side', schema: { enum: ['start', 'end'] }, optional: true },
    ],
    'text',
    { call: { 'text.pad': ['42', 5, '0'] }, result: '00042' },
  ),
  spec(
    'text',
    'slugify',
    'A URL slug: accents dropped, lower case, runs of other characters made one `-`.',
    [text()],
    'text',
    { call: { 'text.slugify': ['Crème Brûlée & Co!'] }, result: 'creme-brulee-co' },
  ),
  spec(
    'text',
    'test',
    'Whether the text matches a regular expression.',
    [REGEX_TEXT, { name: 'pattern', schema: REGEX }, { name: 'flags', schema: FLAGS, optional: true }],
    'true or false',
    { call: { 'text.test': ['Order #123', '#\\d+'] }, result: true },
  ),
  spec(
    'text',
    'match',
    'The first match of a regular expression and its groups (`[match, group1, ...]`), every match with flag `g`, or null.',
    [REGEX_TEXT, { name: 'pattern', schema: REGEX }, { name: 'flags', schema: FLAGS, optional: true }],
    'list of texts, or null',
    { call: { 'text.match': ['Order #123', '#(\\d+)'] }, result: ['#123', '123'] },
  ),

  spec(
    'number',
    'round',
    'Rounds to `digits` decimals (default 0), halves away from zero.',
    [
      { name: 'number', schema: { type: 'number' } },
      { name: 'digits', schema: { type: 'integer', minimum: 0, maximum: 15 }, optional: true },
    ],
    'number',
    { call: { 'number.round': [2.345, 2] }, result: 2.35 },
  ),
  spec(
    'number',
    'format',
    'Formats a number for a locale (default en-US); `options` as Intl.NumberFormat takes them (style, currency, digits).',
    [
      { name: 'number', schema: { type: 'number' } },
      { name: 'locale', schema: LOCALE, optional: true },
      {
        name: 'options',
        optional: true,
        schema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            style: { enum: ['decimal', 'currency', 'percent', 'unit'] },
            currency: { type: 'string', minLength: 3, maxLength: 3 },
            unit: { type: 'string', minLength: 1 },
            minimumFractionDigits: { type: 'integer', minimum: 0, maximum: 20 },
            maximumFractionDigits: { type: 'integer', minimum: 0, maximum: 20 },
            useGrouping: { type: 'boolean' },
          },
        },
      },
    ],
    'text',
    { call: { 'number.format': [1234.5, 'de-DE', { style: 'currency', currency: 'EUR' }] }, result: '1.234,50\u00a0€' },
  ),
  spec(
    'number',
    'parse',
    'Reads a number written for a locale (default en-US: `1,234.5`); null when the text is no number.',
    [text(), { name: 'locale', schema: LOCALE, optional: true }],
    'number, or null',
    { call: { 'number.parse': ['1.234,5', 'de-DE'] }, result: 1234.5 },
  ),

  spec(
    'date',
    'now',
    "The run's clock: the time the workflow evaluates the step (the same on every replay), as ISO 8601 UTC.",
    [],
    'date-time text',
    { call: { 'date.now': [] }, result: '2026-03-29T10:30:00.000Z' },
  ),
  spec(
    'date',
    'parse',
    'Reads a date: ISO 8601 without `format` (UTC when it has no offset), else by a `format` of date.format tokens (e.g. dd/MM/yyyy HH:mm) read in `timeZone` (default UTC).',
    [
      text(),
      { name: 'format', schema: { type: 'string', 'x-check': 'dateFormat' }, optional: true },
      { name: 'timeZone', schema: TIME_ZONE, optional: true },
    ],
    'date-time text (UTC)',
    {
      call: { 'date.parse': ['29/03/2026 14:00', 'dd/MM/yyyy HH:mm', 'Europe/Paris'] },
      result: '2026-03-29T12:00:00.000Z',
    },
  ),
  spec(
    'date',
    'format',
    "Formats a date as seen in `timeZone` (default UTC). Tokens: yyyy yy, MMMM MMM MM M, dd d, EEEE EEE, HH H, hh h a, mm m, ss s, SSS, XXX (Z or +02:00) xxx (+00:00); other letters in 'quotes'.",
    [
      { name: 'date', schema: DATE },
      { name: 'format', schema: { type: 'string', minLength: 1, 'x-check': 'dateFormat' } },
      { name: 'timeZone', schema: TIME_ZONE, optional: true },
    ],
    'text',
    {
      call: { 'date.format': ['2026-03-29T12:00:00Z', 'EEEE d MMM yyyy, HH:mm', 'Europe/Paris'] },
      result: 'Sunday 29 Mar 2026, 14:00',
    },
  ),
  spec(
    'date',
    'add',
    'Adds an ISO 8601 duration (P1Y2M3DT4H5M6S, weeks too); days and longer keep the wall-clock time in `timeZone` (default UTC) across daylight saving.',
    [
      { name: 'date', schema: DATE },
      { name: 'duration', schema: { type: 'string', 'x-check': 'duration' } },
      { name: 'timeZone', schema: TIME_ZONE, optional: true },
    ],
    'date-time text (UTC)',
    { call: { 'date.add': ['2026-03-28T09:00:00Z', 'P1D', 'Europe/Paris'] }, result: '2026-03-29T08:00:00.000Z' },
  ),
  spec(
    'date',
    'subtract',
    'Subtracts an ISO 8601 duration, like date.add.',
    [
      { name: 'date', schema: DATE },
      { name: 'duration', schema: { type: 'string', 'x-check': 'duration' } },
      { name: 'timeZone', schema: TIME_ZONE, optional: true },
    ],
    'date-time text (UTC)',
    { call: { 'date.subtract': ['2026-03-29T10:30:00Z', 'PT2H30M'] }, result: '2026-03-29T08:00:00.000Z' },
  ),
  spec(
    'date',
    'diff',
    '`to` minus `from` in whole units (milliseconds, seconds, minutes, hours, days, weeks, months, years), rounded toward zero.',
    [
      { name: 'from', schema: DATE },
      { name: 'to', schema: DATE },
      {
        name: 'unit',
        schema: { enum: ['milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] },
      },
    ],
    'number',
    { call: { 'date.diff': ['2026-03-01T00:00:00Z', '2026-03-29T12:00:00Z', 'days'] }, result: 28 },
  ),

  spec(
    'list',
    'length',
    'The number of items of a list, characters of a text or keys of an object.',
    [{ name: 'value', schema: { type: ['array', 'string', 'object'] } }],
    'number',
    {
      call: { 'list.length': [['a', 'b']] },
      result: 2,
    },
  ),
  spec('list', 'first', 'The first item, or null for an empty list.', [list()], 'an item', {
    call: { 'list.first': [[3, 4]] },
    result: 3,
  }),
  spec('list', 'last', 'The last item, or null for an empty list.', [list()], 'an item', {
    call: { 'list.last': [[3, 4]] },
    result: 4,
  }),
  spec(
    'list',
    'pluck',
    'The value at `key` of each item (null where missing).',
    [list(), { name: 'key', schema: KEY }],
    'list',
    {
      call: {
        'list.pluck': [
          [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 2 },
          ],
          'sku',
        ],
      },
      result: ['a', 'b'],
    },
  ),
  spec('list', 'unique', 'The items without repeats (equal JSON), first occurrences kept in order.', [list()], 'list', {
    call: { 'list.unique': [[1, 2, 1, '1']] },
    result: [1, 2, '1'],
  }),
  spec(
    'list',
    'sortBy',
    'Sorts by the value at `key` of each item (the items themselves without a key): numbers, then texts, then the rest; stable.',
    [
      list(),
      { name: 'key', schema: { type: ['string', 'null'] }, optional: true },
      { name: 'order', schema: { enum: ['asc', 'desc'] }, optional: true },
    ],
    'list',
    {
      call: {
        'list.sortBy': [
          [
            { n: 2, id: 'x' },
            { n: 1, id: 'y' },
          ],
          'n',
        ],
      },
      result: [
        { n: 1, id: 'y' },
        { n: 2, id: 'x' },
      ],
    },
  ),
  spec(
    'list',
    'groupBy',
    'An object of lists, by the value at `key` of each item (as text; missing is "null").',
    [list(), { name: 'key', schema: KEY }],
    'object',
    {
      call: {
        'list.groupBy': [
          [
            { t: 'a', n: 1 },
            { t: 'b', n: 2 },
            { t: 'a', n: 3 },
          ],
          't',
        ],
      },
      result: {
        a: [
          { t: 'a', n: 1 },
          { t: 'a', n: 3 },
        ],
        b: [{ t: 'b', n: 2 }],
      },
    },
  ),

  spec('object', 'keys', "The object's keys, in order.", [{ name: 'object', schema: OBJECT }], 'list of texts', {
    call: { 'object.keys': [{ a: 1, b: 2 }] },
    result: ['a', 'b'],
  }),
  spec(
    'object',
    'merge',
    'Merges objects left to right (later keys win; shallow).',
    [{ name: 'objects', schema: OBJECT, rest: true }],
    'object',
    {
      call: {
        'object.merge': [
          { a: 1, b: 1 },
          { b: 2, c: 3 },
        ],
      },
      result: { a: 1, b: 2, c: 3 },
    },
  ),
  spec(
    'object',
    'pick',
    'Only the listed keys (those the object has).',
    [
      { name: 'object', schema: OBJECT },
      { name: 'keys', schema: { type: 'array', items: STRING } },
    ],
    'object',
    {
      call: { 'object.pick': [{ a: 1, b: 2, c: 3 }, ['a', 'c']] },
      result: { a: 1, c: 3 },
    },
  ),

  spec(
    'phone',
    'e164',
    'The phone number in E.164 (+33612345678), a national number read for `country` (ISO 3166 alpha-2); null when it is no valid number. The contacts identity rules.',
    [
      text('phone'),
      {
        name: 'country',
        schema: { type: 'string', 'x-check': 'country', description: 'ISO 3166 alpha-2, e.g. FR' },
        optional: true,
      },
    ],
    'text, or null',
    { call: { 'phone.e164': ['06 12 34 56 78', 'FR'] }, result: '+33612345678' },
  ),
  spec(
    'email',
    'normalize',
    'The email trimmed and lower-cased (the contacts identity rules); null when it is no email address.',
    [text('email')],
    'text, or null',
    {
      call: { 'email.normalize': ['  Ada@Example.COM '] },
      result: 'ada@example.com',
    },
  ),
  spec(
    'email',
    'domain',
    'The domain of an email address, lower-cased; null when it is no email address.',
    [text('email')],
    'text, or null',
    {
      call: { 'email.domain': ['ada@Example.com'] },
      result: 'example.com',
    },
  ),

  spec('json', 'parse', 'Reads JSON text.', [text()], 'any value', {
    call: { 'json.parse': ['{"a":[1,2]}'] },
    result: { a: [1, 2] },
  }),
  spec('json', 'stringify', 'Writes a value as JSON text (compact).', [{ name: 'value', schema: {} }], 'text', {
    call: { 'json.stringify': [{ a: [1, 2], b: true }] },
    result: '{"a":[1,2],"b":true}',
  }),

  spec('hash', 'sha256', 'The SHA-256 of the text (UTF-8), as lower-case hex.', [text()], 'text', {
    call: { 'hash.sha256': ['abc'] },
    result: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  }),
  spec(
    'hash',
    'hmac',
    'The HMAC of the text with `key` (both UTF-8), as lower-case hex; `algorithm` sha256 (default), sha512 or sha1.',
    [
      text(),
      { name: 'key', schema: STRING },
      { name: 'algorithm', schema: { enum: ['sha256', 'sha512', 'sha1'] }, optional: true },
    ],
    'text',
    {
      call: { 'hash.hmac': ['hello', 'secret'] },
      result: '88aab3ede8d3adf94d26ab90d3bafd4a2083070c3bcce9c014ee04a443847c0b',
    },
  ),
];

export const FUNCTIONS_BY_NAME: ReadonlyMap<string, FunctionSpec> = new Map(FUNCTIONS.map((f) => [f.name, f]));

/** The argument counts a function takes: [least, most] (most is Infinity with a rest argument). */
export function arity(fn: FunctionSpec): [number, number] {
  const least = fn.args.filter((a) => !a.optional && !a.rest).length;
  return [least, fn.args.some((a) => a.rest) ? Infinity : fn.args.length];
}

/** The spec of the argument at `index` (the rest argument for any index past it). */
export function argAt(fn: FunctionSpec, index: number): FunctionArg | undefined {
  const last = fn.args[fn.args.length - 1];
  return fn.args[index] ?? (last?.rest ? last : undefined);
}

/** "text.replace: argument 2 (search)": how errors name an argument. */
export const argLabel = (fn: string, index: number, name: string | undefined) =>
  `${fn}: argument ${index + 1}${name ? ` (${name})` : ''}`;

/** Why `count` arguments do not suit `fn`, or null. */
export function arityProblem(fn: FunctionSpec, count: number): string | null {
  const [least, most] = arity(fn);
  if (count >= least && count <= most) return null;
  const names = fn.args.map((a) => (a.optional ? `[${a.name}]` : a.rest ? `${a.name}...` : a.name)).join(', ');
  const takes = most === Infinity ? `at least ${least}` : least === most ? `${least}` : `${least} to ${most}`;
  return `${fn.name}: takes ${takes} argument${most === 1 && least === 1 ? '' : 's'} (${names || 'none'}), got ${count}`;
}
