// Property-based fuzzing of the routes nobody needs a key for (fast-check), over real HTTP to the listening app on the
// test PostgreSQL and Temporal: the webhook trigger (/hooks/flows/:token), the channel gateway (/hooks/channels/:id)
// with Telegram's secret token, Slack's signing and Meta's X-Hub-Signature-256, and a few /api routes. For every
// request: no 5xx, every non-2xx answer is the API's one error body, no answer slower than SLOWEST_MS, and nothing
// started or stored but what the accepted requests asked for (the workflows on the app's task queue are exactly the
// runs answered 202 and the ingests of the events of the deliveries answered 200; no rows written by the refused
// ones). Seeded and bounded: FUZZ_SEED=<n> tries other inputs, FUZZ_RUNS=<factor> more of them; a failure prints its
// seed and path to replay. The flow model's pure parts are fuzzed in connectors/flow/fuzz.test.ts.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import type { InboundRequest } from '../connectors/sdk/channel.js';
import { createRegistry, signMeta, signSlack } from '../connectors/sdk/index.js';
import {
  startSlackFake,
  startTelegramFake,
  startWhatsAppFake,
  type SlackFake,
  type TelegramFake,
  type WhatsAppFake,
} from '../connectors/testkit/index.js';
import { createChannelAccountStore, type OpenedAccount } from '../prisma/channel-accounts.js';
import { freePort } from '../test/ports.js';
import { ingestIdFor } from '../worker/ids.js';
import { startTestApp, validDefinition, type TestApp } from './test-app.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const FACTOR = Number(process.env.FUZZ_RUNS ?? 1);
/** Bounded in count and in time: a slow machine runs fewer inputs rather than time out (a failure found is kept). */
const runs = (n: number) => ({ seed: SEED, numRuns: Math.round(n * FACTOR), interruptAfterTimeLimit: 40_000 });
/** The slowest answer allowed, generous: measured on a 2-core machine, 153 ms at most for the default seed alone, 935 ms
 *  with other test files running beside it (FUZZ_RUNS=3). */
const SLOWEST_MS = 2000;

const META = { accessToken: 'EAAG-fuzz', phoneNumberId: '106540352242922', appSecret: 'meta-fuzz', verifyToken: 'vt' };
const SLACK = { botToken: 'xoxb-fuzz', signingSecret: 'slack-fuzz-secret' };

let t: TestApp;
let base: string;
let agent: Agent;
let tg: TelegramFake;
let slack: SlackFake;
let wa: WhatsAppFake;
let flowToken: string;
let channelFlowToken: string;
let draftId: string;
let tgSecret: string;
const accounts: Record<'telegram' | 'slack' | 'whatsapp', OpenedAccount> = {} as never;

/** What the accepted requests asked for: the workflow ids that must exist, and nothing else. */
const expectedWorkflows = new Set<string>();
let flowsCreated = 0;
const latencies: number[] = [];
/** Answers by route kind and status, printed at the end (to see what the arbitraries reach). */
const stats = new Map<string, number>();

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const secretKey = randomBytes(32);
  const registry = createRegistry(builtinConnectors());
  t = await startTestApp({ secretKey, publicUrl: base, connectors: [...registry.connectors] });
  await t.app.listen({ port, host: '127.0.0.1' });
  agent = new Agent({ connections: 4 });
  [tg, slack, wa] = await Promise.all([
    startTelegramFake({ token: '123456:ABC-fuzz' }),
    startSlackFake(SLACK),
    startWhatsAppFake(META),
  ]);
  const create = async (body: object) => {
    const res = await t.api({ method: 'POST', url: '/api/channel-accounts', payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const store = createChannelAccountStore(t.prisma, { secretKey, publicUrl: base, registry });
  const ids = {
    telegram: await create({
      connector: 'telegram',
      name: 'Bot',
      credentials: { botToken: tg.token },
      settings: { apiBaseUrl: tg.url },
    }),
    slack: await create({
      connector: 'slack',
      name: 'Slack',
      credentials: SLACK,
      settings: { apiBaseUrl: `${slack.url}/api` },
    }),
    whatsapp: await create({
      connector: 'whatsapp',
      name: 'WA',
      credentials: { accessToken: META.accessToken, appSecret: META.appSecret, verifyToken: META.verifyToken },
      settings: { phoneNumberId: META.phoneNumberId, apiBaseUrl: wa.url },
    }),
  };
  for (const [k, id] of Object.entries(ids)) accounts[k as keyof typeof accounts] = await store.open(id);
  tgSecret = tg.webhook!.secretToken!;

  const publish = async (definition: object) => {
    const flow = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'fuzz', definition } })).json();
    const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json().webhookUrl as string).split('/').at(-1)!;
  };
  flowToken = await publish(validDefinition());
  channelFlowToken = await publish({ ...validDefinition(), trigger: { type: 'channel.message', channels: ['sms'] } });
  draftId = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'draft' } })).json().id;
}, 120_000);

afterAll(async () => {
  await agent?.close();
  await Promise.all([tg?.close(), slack?.close(), wa?.close()]);
  await t?.close();
});

// --- Requests -------------------------------------------------------------------------------------------------

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Set for gateway deliveries: the account it goes to (to know which events an accepted one carries). */
  account?: keyof typeof accounts;
  /** The route as written in the arbitrary (the /api part). */
  route?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

const describeReq = (r: Req) =>
  `${r.method} ${r.path.length > 200 ? `${r.path.slice(0, 200)}…(${r.path.length})` : r.path} ` +
  `${JSON.stringify(r.headers).slice(0, 300)} body ${r.body ? `${r.body.length} B: ${r.body.subarray(0, 800).toString('latin1')}` : 'none'}`;

/** Requests as fast-check prints a counterexample: readable, and short (bodies can be megabytes). */
const printable = (r: Req): Req => Object.assign(r, { [fc.toStringMethod]: () => describeReq(r) });

async function send(r: Req): Promise<Answer> {
  const started = performance.now();
  const res = await request(base + r.path, {
    dispatcher: agent,
    method: r.method,
    headers: r.headers,
    ...(r.body !== undefined && { body: r.body }),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const text = await res.body.text();
  const ms = performance.now() - started;
  latencies.push(ms);
  return { status: res.statusCode, headers: res.headers, text, ms };
}

const ErrorBody = {
  error: expect.objectContaining({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) }),
};

/** The properties every answer has, whatever was asked. */
function checkAnswer(r: Req, a: Answer): void {
  const what = `${describeReq(r)} -> ${a.status} ${a.text.slice(0, 300)}`;
  expect(a.status, what).toBeLessThan(500);
  expect(a.ms, what).toBeLessThan(SLOWEST_MS);
  if (a.status >= 300 && r.method !== 'HEAD') {
    expect(String(a.headers['content-type']), what).toMatch(/^application\/json/);
    const body = JSON.parse(a.text) as { error: Record<string, unknown> };
    expect(body, what).toEqual(ErrorBody);
    expect(Object.keys(body), what).toEqual(['error']);
    const { code: _code, message: _message, issues, ...rest } = body.error;
    expect(rest, what).toEqual({});
    if (issues !== undefined) {
      expect(Array.isArray(issues), what).toBe(true);
      for (const issue of issues as unknown[])
        expect(issue, what).toEqual({
          path: expect.any(String),
          code: expect.any(String),
          message: expect.any(String),
        });
    }
  }
}

const tally = (k: string) => stats.set(k, (stats.get(k) ?? 0) + 1);

// --- Arbitraries ----------------------------------------------------------------------------------------------

/** Characters that break things: NUL, lone surrogates, `%`, slashes, dots, quotes, non-ASCII, controls. */
const nastyChar = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udc00',
  '%',
  '/',
  '..',
  '"',
  "'",
  '\\',
  '~',
  'é',
  '😀',
  '\n',
  ' ',
);
const nastyString = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 6 }) }, nastyChar), { maxLength: 12 })
  .map((a) => a.join(''));

/** A string as a URL path segment or query part: percent-encoded (lone surrogates as their WTF-8 bytes), with some
 *  characters left raw (`%` alone, `/`, `..`) so the router sees what a careless client sends. */
function encodeLoosely(s: string, rawPercent: boolean): string {
  let out = '';
  for (const ch of s) {
    if (/^[A-Za-z0-9._~-]$/.test(ch)) out += ch;
    else if (ch === '%' && rawPercent) out += '%';
    else if (ch === '/' && rawPercent) out += '/';
    else {
      const cp = ch.codePointAt(0)!;
      if (cp >= 0xd800 && cp <= 0xdfff)
        out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      else out += encodeURIComponent(ch);
    }
  }
  return out;
}

const segment = fc.oneof(
  fc.tuple(nastyString, fc.boolean()).map(([s, raw]) => encodeLoosely(s, raw)),
  fc.constantFrom('%00', '%', '%zz', '%E0%A4%A', '%ED%A0%80', '..', '.', '', '%2F', 'x'.repeat(101), 'y'.repeat(3000)),
  fc.stringMatching(/^[A-Za-z0-9_-]{32}$/),
  fc.stringMatching(/^cha_[0-9a-f]{32}$/),
);

const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  fc
    .array(fc.tuple(nastyString, nastyString), { maxLength: 6 })
    .map((kv) => `?${kv.map(([k, v]) => `${encodeLoosely(k, false)}=${encodeLoosely(v, true)}`).join('&')}`),
  fc.constantFrom('?a=1&a=2&a[b]=3', '?__proto__=x&constructor[prototype][x]=1', '?%', '?&&&=&'),
  fc.integer({ min: 1000, max: 40_000 }).map((n) => `?q=${'a'.repeat(n)}`),
);

const token = (s: string) => fc.constant(s);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/plain; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '*/*',
  ';;;',
  'application/json, text/plain',
  'x',
);

/** Nested JSON as text (JSON.stringify itself would recurse). */
const deepJson = fc
  .tuple(fc.constantFrom(10, 63, 65, 200, 5000, 20_000), fc.constantFrom('array', 'object'))
  .map(([n, kind]) =>
    kind === 'array' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
  );

/** Bodies: JSON, JSON-looking text, binary, forms, big and escaping-heavy. */
const bodyText = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  deepJson,
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.constantFrom('', '{', '{"a":', 'null', '"\\ud800"', '{"__proto__":{"x":1}}', 'a=1&b=%00', '[]'),
  // Big, and bigger once escaped as JSON (a control character is 6 bytes in a JSON string): raw, and as a JSON string.
  fc
    .tuple(fc.constantFrom('\u0000', '\u0001', '"', '\\', 'a'), fc.constantFrom(1000, 150_000, 900_000), fc.boolean())
    .map(([c, n, json]) => (json ? JSON.stringify(c.repeat(n)) : c.repeat(n))),
);

/**
 * Values too big or too deep to build as objects (JSON.stringify recurses), placed as markers in provider-shaped
 * bodies and expanded in their text: `@@DEEP:<levels>@@`, `@@BIG:<hex char code>:<count>@@`.
 */
const marker = fc.constantFrom(
  '@@DEEP:70@@',
  '@@DEEP:5000@@',
  '@@DEEP:50000@@',
  '@@BIG:61:900000@@',
  '@@BIG:1:150000@@',
  '@@FF:200000@@',
  '@@FF:600000@@',
);
/** A body's bytes, `@@FF:<count>@@` as that many 0xFF bytes (not UTF-8: each reads as U+FFFD, 3 bytes as JSON). */
const toBytes = (text: string) =>
  Buffer.concat(
    text.split(/@@FF:(\d+)@@/).map((part, i) => (i % 2 ? Buffer.alloc(Number(part), 0xff) : Buffer.from(part))),
  );
const expand = (json: string) =>
  json
    .replace(/"@@DEEP:(\d+)@@"/g, (_m, n: string) => `${'['.repeat(Number(n))}1${']'.repeat(Number(n))}`)
    .replace(/"@@BIG:([0-9a-f]+):(\d+)@@"/g, (_m, c: string, n: string) =>
      JSON.stringify(String.fromCharCode(parseInt(c, 16)).repeat(Number(n))),
    );

const headersArb = fc
  .tuple(
    fc.option(contentType, { nil: undefined }),
    fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 4 }),
    fc.option(fc.oneof(headerValue, fc.constant('k'.repeat(300))), { nil: undefined }),
  )
  .map(([type, random, idem]) => ({
    ...random,
    ...(type !== undefined && { 'content-type': type }),
    ...(idem !== undefined && { 'idempotency-key': idem }),
  }));

const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
const withBody = (m: string) => m !== 'GET' && m !== 'HEAD';
/** Providers POST: mostly that, so deliveries reach the signature check and the parser. */
const deliveryMethod = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, method);
/** Random headers on a delivery sometimes, over the provider's own. */
const deliveryHeaders = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, headersArb);

const flowHookReq: fc.Arbitrary<Req> = fc
  .record({
    method,
    token: fc.oneof({ weight: 3, arbitrary: token('GOOD') }, token('CHANNEL'), segment),
    query: queryString,
    headers: headersArb,
    body: bodyText,
  })
  .map(({ method: m, token: tk, query, headers, body }) => ({
    method: m,
    path: `/hooks/flows/${tk}${query}`,
    headers,
    ...(withBody(m) && { body: Buffer.from(body) }),
  }))
  .map(printable);

// --- Channel deliveries: signed right, wrong or not at all, over provider-shaped and random bodies ---

const int = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e20, 1.5));
const leaf = fc.oneof(
  { weight: 12, arbitrary: fc.oneof(int, nastyString, fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 2 })) },
  { weight: 1, arbitrary: marker },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Mostly what the provider sends (so deliveries get past the parser often), sometimes anything. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown> = leaf) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
/** Message text: plain, nasty, or a marker (huge, deep). */
const text = fc.oneof({ weight: 6, arbitrary: nastyString }, marker);
const nowSec = Math.floor(Date.now() / 1000);
const seconds = fc.oneof(
  { weight: 4, arbitrary: fc.constant(nowSec) },
  fc.constantFrom(0, -1, -62135596801, 253402300800, 8.64e12 + 1, Number.MAX_SAFE_INTEGER),
);

const telegramUpdate = fc.record({
  update_id: mostly(fc.nat()),
  message: mostly(
    fc.record(
      {
        message_id: mostly(fc.nat()),
        date: mostly(seconds),
        chat: mostly(fc.record({ id: mostly(fc.integer()), type: fc.constant('private') })),
        from: mostly(fc.record({ id: mostly(fc.integer()), is_bot: fc.boolean(), first_name: text })),
        text: mostly(text),
        caption: maybe(text),
        extra: maybe(marker),
        photo: maybe(fc.array(fc.record({ file_id: mostly(nastyString), width: int, height: int }), { maxLength: 3 })),
        location: maybe(fc.record({ latitude: mostly(fc.double()), longitude: leaf })),
      },
      { requiredKeys: ['message_id', 'date', 'chat', 'from'] },
    ),
  ),
});

const slackTs = mostly(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(`${nowSec}.000100`) },
    fc.constantFrom('999999999999.999999', '0.0', '1.1', '-1.0'),
  ),
  nastyString,
);
const slackBody = fc.oneof(
  fc.record({ type: fc.constant('url_verification'), challenge: mostly(nastyString) }, { requiredKeys: ['type'] }),
  {
    weight: 4,
    arbitrary: fc.record({
      type: mostly(fc.constant('event_callback')),
      event_id: mostly(fc.stringMatching(/^Ev[0-9A-Z]{8}$/)),
      team_id: mostly(fc.constant('T0FUZZ')),
      event: mostly(
        fc.record(
          {
            type: mostly(fc.constantFrom('message', 'message', 'app_mention', 'reaction_added')),
            user: mostly(fc.constant('U0FUZZ')),
            channel: mostly(fc.constant('C0FUZZ')),
            text: mostly(text),
            ts: slackTs,
            thread_ts: maybe(slackTs),
            extra: maybe(marker),
            subtype: maybe(fc.constantFrom('file_share', 'bot_message', 'message_changed')),
            files: maybe(
              fc.oneof(leaf, fc.array(fc.record({ id: mostly(nastyString), mimetype: leaf }), { maxLength: 2 })),
            ),
          },
          { requiredKeys: ['type', 'user', 'channel', 'ts'] },
        ),
      ),
    }),
  },
);

const waTimestamp = mostly(
  fc.oneof({ weight: 3, arbitrary: seconds.map(String) }, seconds, fc.constantFrom('999999999999', '0', '-1', '1e3')),
);
const whatsappBody = fc.record({
  object: mostly(fc.constant('whatsapp_business_account')),
  entry: mostly(
    fc.array(
      fc.record({
        id: fc.constant('WABA'),
        changes: fc.array(
          fc.record({
            field: mostly(fc.constant('messages')),
            value: fc.record({
              messaging_product: fc.constant('whatsapp'),
              metadata: fc.record({ phone_number_id: mostly(fc.constant(META.phoneNumberId)) }),
              contacts: maybe(
                fc.array(fc.record({ wa_id: mostly(nastyString), profile: maybe(fc.record({ name: leaf })) }), {
                  maxLength: 2,
                }),
              ),
              messages: maybe(
                fc.array(
                  fc.record(
                    {
                      from: mostly(fc.constant('14155550123')),
                      id: mostly(fc.stringMatching(/^wamid\.[A-Za-z0-9]{6}$/)),
                      timestamp: waTimestamp,
                      type: mostly(fc.constantFrom('text', 'image', 'location')),
                      text: mostly(fc.record({ body: mostly(text) })),
                      image: maybe(fc.record({ id: mostly(nastyString), mime_type: leaf })),
                      extra: maybe(marker),
                    },
                    { requiredKeys: ['from', 'id', 'timestamp', 'type', 'text'] },
                  ),
                  { maxLength: 3 },
                ),
              ),
              statuses: maybe(
                fc.array(
                  fc.record({
                    id: mostly(fc.stringMatching(/^wamid\.[A-Za-z0-9]{6}$/)),
                    status: fc.constantFrom('sent', 'read', 'x'),
                    timestamp: waTimestamp,
                  }),
                  { maxLength: 2 },
                ),
              ),
            }),
          }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  ),
});

/** A provider-shaped body (its markers expanded), or any body at all, as the bytes sent (and signed). */
const providerBody = (shape: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 5, arbitrary: shape.map((v) => toBytes(expand(JSON.stringify(v)))) }, bodyText.map(toBytes));

/** How a delivery is signed: right, wrong, or not at all. */
const signing = fc.constantFrom('right', 'right', 'right', 'right', 'wrong', 'none');

const channelReq: fc.Arbitrary<Req> = fc
  .oneof(
    // Telegram: X-Telegram-Bot-Api-Secret-Token.
    fc
      .record({ m: deliveryMethod, body: providerBody(telegramUpdate), sign: signing, headers: deliveryHeaders })
      .map(({ m, body, sign, headers }) => ({
        method: m,
        path: `/hooks/channels/${accounts.telegram.account.id}`,
        account: 'telegram' as const,
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(sign !== 'none' && { 'x-telegram-bot-api-secret-token': sign === 'right' ? tgSecret : `${tgSecret}x` }),
        },
        ...(withBody(m) && { body }),
      })),
    // Slack: v0 signature over the timestamp and the raw body.
    fc
      .record({
        m: deliveryMethod,
        body: providerBody(slackBody),
        sign: signing,
        age: fc.constantFrom(0, 0, 0, 0, 0, 400, -400),
        headers: deliveryHeaders,
      })
      .map(({ m, body, sign, age, headers }) => {
        const ts = Math.floor(Date.now() / 1000) - age;
        return {
          method: m,
          path: `/hooks/channels/${accounts.slack.account.id}`,
          account: 'slack' as const,
          headers: {
            'content-type': 'application/json',
            ...headers,
            ...(sign !== 'none' && {
              'x-slack-request-timestamp': String(ts),
              'x-slack-signature': signSlack(sign === 'right' ? SLACK.signingSecret : 'wrong', body, ts),
            }),
          },
          ...(withBody(m) && { body }),
        };
      }),
    // WhatsApp (Meta): X-Hub-Signature-256 over the raw body; GETs are the subscription handshake.
    fc
      .record({
        m: deliveryMethod,
        body: providerBody(whatsappBody),
        sign: signing,
        query: fc.oneof(
          queryString,
          fc
            .record({
              mode: fc.constantFrom('subscribe', 'x'),
              tok: fc.constantFrom(META.verifyToken, 'no'),
              ch: nastyString,
            })
            .map(
              ({ mode, tok, ch }) =>
                `?hub.mode=${mode}&hub.verify_token=${tok}&hub.challenge=${encodeLoosely(ch, false)}`,
            ),
        ),
        headers: deliveryHeaders,
      })
      .map(({ m, body, sign, query, headers }) => ({
        method: m,
        path: `/hooks/channels/${accounts.whatsapp.account.id}${query}`,
        account: 'whatsapp' as const,
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(sign !== 'none' && {
            'x-hub-signature-256': signMeta(sign === 'right' ? META.appSecret : 'wrong', body),
          }),
        },
        ...(withBody(m) && { body }),
      })),
    // Any account id at all, any body.
    fc
      .record({ m: method, id: segment, query: queryString, headers: headersArb, body: bodyText })
      .map(({ m, id, query, headers, body }) => ({
        method: m,
        path: `/hooks/channels/${id}${query}`,
        headers,
        ...(withBody(m) && { body: Buffer.from(body) }),
      })),
  )
  .map(printable);

/** The ingests an accepted delivery started: the gateway's own steps, through the connector's contract. */
function ingestsOf(r: Req): string[] {
  if (!r.account || r.method !== 'POST') return [];
  const { account, connector } = accounts[r.account];
  const inbound = connector.channel!.inbound!;
  const url = new URL(r.path, base);
  const req: InboundRequest = {
    method: r.method,
    url: base + r.path,
    headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])),
    query: Object.fromEntries(url.searchParams),
    rawBody: r.body ?? Buffer.alloc(0),
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;
  const ctx = { account, now: Date.now(), logger: silent };
  if (inbound.handshake?.(req, ctx)) return [];
  return inbound.parse(req, ctx).map((e) => ingestIdFor(account.id, e.dedupeKey));
}

// --- The properties ---------------------------------------------------------------------------------------------

describe('the unauthenticated routes (fuzzed over HTTP)', () => {
  it('/hooks/flows/:token: no 5xx, one error body, bounded latency; only the 202s started runs', async () => {
    await fc.assert(
      fc.asyncProperty(flowHookReq, async (template) => {
        const r = {
          ...template,
          path: template.path
            .replace(/^\/hooks\/flows\/GOOD/, `/hooks/flows/${flowToken}`)
            .replace(/^\/hooks\/flows\/CHANNEL/, `/hooks/flows/${channelFlowToken}`),
        };
        const a = await send(r);
        checkAnswer(r, a);
        tally(`flow ${r.method} ${a.status}`);
        if (a.status === 202) expectedWorkflows.add((JSON.parse(a.text) as { runId: string }).runId);
        else if (a.status < 300) expect.fail(`unexpected ${a.status} for ${describeReq(r)}`);
      }),
      runs(160),
    );
  });

  it('/hooks/channels/:accountId: no 5xx, one error body, bounded latency; only accepted events are ingested', async () => {
    await fc.assert(
      fc.asyncProperty(channelReq, async (r) => {
        const a = await send(r);
        checkAnswer(r, a);
        tally(`${r.account ?? 'any'} ${r.method} ${a.status}`);
        if (a.status >= 200 && a.status < 300) for (const id of ingestsOf(r)) expectedWorkflows.add(id);
      }),
      runs(320),
    );
  });
});

describe('a few /api routes (fuzzed over HTTP, with a key)', () => {
  const apiReq: fc.Arbitrary<Req> = fc
    .record({
      route: fc.constantFrom(
        'POST /api/flows',
        'PUT /api/flows/DRAFT',
        'GET /api/flows',
        'GET /api/flows/ID',
        'GET /api/contacts',
        'GET /api/conversations',
        'GET /api/channel-accounts',
      ),
      id: segment,
      query: fc.oneof(
        queryString,
        fc
          .record({ cursor: fc.oneof(nastyString, fc.base64String({ maxLength: 80 })), limit: nastyString })
          .map(({ cursor, limit }) => `?cursor=${encodeLoosely(cursor, false)}&limit=${encodeLoosely(limit, false)}`),
      ),
      headers: deliveryHeaders,
      body: fc.oneof(
        bodyText,
        fc
          .record({ name: fc.oneof(nastyString, leaf), definition: maybe(fc.jsonValue({ maxDepth: 5 })) })
          .map((v) => JSON.stringify(v)),
      ),
    })
    .map(({ route, id, query, headers, body }) => {
      const [m, path] = route.split(' ') as [string, string];
      return {
        method: m,
        route,
        path: path.replace('DRAFT', draftId).replace('ID', id) + query,
        headers: { 'content-type': 'application/json', ...headers, authorization: `Bearer ${t.key}` },
        ...(withBody(m) && { body: Buffer.from(body) }),
      };
    })
    .map(printable);

  it('no 5xx, one error body, bounded latency; flows are created only by the 201s', async () => {
    const before = await t.prisma.flow.count({ where: { workspaceId: t.workspaceId } });
    await fc.assert(
      fc.asyncProperty(apiReq, async (r) => {
        const a = await send(r);
        checkAnswer(r, a);
        tally(`${r.route} ${a.status}`);
        if (a.status === 201 && r.route === 'POST /api/flows') flowsCreated++;
      }),
      runs(120),
    );
    expect(await t.prisma.flow.count({ where: { workspaceId: t.workspaceId } })).toBe(before + flowsCreated);
  });
});

describe('what the fuzz found (each a 500 before)', () => {
  const deliver = async (account: keyof typeof accounts, body: Buffer, headers: Record<string, string> = {}) => {
    const r: Req = {
      method: 'POST',
      path: `/hooks/channels/${accounts[account].account.id}`,
      account,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    };
    const a = await send(r);
    checkAnswer(r, a);
    if (a.status < 300) for (const id of ingestsOf(r)) expectedWorkflows.add(id);
    return { status: a.status, error: a.status >= 300 ? (JSON.parse(a.text) as { error: object }).error : undefined };
  };
  const whatsapp = (body: string) =>
    deliver('whatsapp', Buffer.from(body), { 'x-hub-signature-256': signMeta(META.appSecret, body) });
  const waStatus = (timestamp: unknown) =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: META.phoneNumberId },
                statuses: [{ id: 'wamid.0AaaAa', status: 'sent', timestamp }],
              },
            },
          ],
        },
      ],
    });
  const telegram = (body: Buffer) => deliver('telegram', body, { 'x-telegram-bot-api-secret-token': tgSecret });
  const tgMessage = (fields: object) =>
    JSON.stringify({
      update_id: 1,
      message: {
        message_id: 1,
        date: nowSec,
        chat: { id: 7, type: 'private' },
        from: { id: 7, is_bot: false, first_name: 'A' },
        ...fields,
      },
    });

  it('a signed WhatsApp status dated past what a Date holds is a 400 payload_invalid', async () => {
    expect(await whatsapp(waStatus(Number.MAX_SAFE_INTEGER))).toMatchObject({
      status: 400,
      error: { code: 'payload_invalid' },
    });
  });

  it('a signed Telegram message dated past what a Date holds is a 400 payload_invalid', async () => {
    expect(await telegram(Buffer.from(tgMessage({ text: 'x', date: Number.MAX_SAFE_INTEGER })))).toMatchObject({
      status: 400,
      error: { code: 'payload_invalid' },
    });
  });

  it('a signed delivery nesting deeper than 64 is a 400 too_deep on /body, whatever the connector', async () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    expect(await whatsapp(`{"object":${deep},"entry":[]}`)).toMatchObject({
      status: 400,
      error: { code: 'too_deep', issues: [{ path: '/body', code: 'too_deep' }] },
    });
    const nested = await telegram(
      Buffer.from(tgMessage({ text: 'x', extra: JSON.parse('[[1]]') }).replace('[[1]]', deep)),
    );
    expect(nested).toMatchObject({ status: 400, error: { code: 'too_deep' } });
    // The update is level 0 and the message 1: 63 arrays in it reach level 64, the deepest allowed; 64 do not.
    // Brackets inside strings do not count.
    const nest = (n: number) =>
      Buffer.from(
        tgMessage({ text: '['.repeat(500), extra: 0 }).replace(
          '"extra":0',
          `"extra":${'['.repeat(n)}1${']'.repeat(n)}`,
        ),
      );
    expect((await telegram(nest(63))).status).toBe(200);
    expect(await telegram(nest(64))).toMatchObject({ status: 400, error: { code: 'too_deep' } });
  });

  it("a body that grows past Temporal's payload limit as JSON is a 413 at once, starting nothing", async () => {
    const before = expectedWorkflows.size;
    const started = Date.now();
    // 900 KB of NULs as text: 5.4 MB as JSON (a 500 after about 40 s before).
    const hook: Req = {
      method: 'POST',
      path: `/hooks/flows/${flowToken}`,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(900_000, 0),
    };
    const a = await send(hook);
    checkAnswer(hook, a);
    expect(a.status, a.text).toBe(413);
    expect(JSON.parse(a.text).error.code).toBe('body_too_large');
    // 600 KB of bytes that are not UTF-8, in a signed Telegram message: each reads as U+FFFD (3 bytes), twice (the
    // text and the raw message), 3.6 MB as JSON.
    const body = Buffer.concat([
      Buffer.from(tgMessage({ text: '@@' }).split('@@')[0]!),
      Buffer.alloc(600_000, 0xff),
      Buffer.from(tgMessage({ text: '@@' }).split('@@')[1]!),
    ]);
    expect(await telegram(body)).toMatchObject({ status: 413, error: { code: 'body_too_large' } });
    expect(Date.now() - started).toBeLessThan(SLOWEST_MS);
    expect(expectedWorkflows.size).toBe(before); // and "after the fuzz" checks Temporal has nothing more
  });
});

describe('after the fuzz', () => {
  it('Temporal has exactly the runs and ingests the accepted requests asked for, and no message rows', async () => {
    const listed = async () => {
      const ids = new Set<string>();
      for await (const w of t.client.workflow.list({ query: `TaskQueue = "${t.taskQueue}"` })) ids.add(w.workflowId);
      return ids;
    };
    const until = Date.now() + 15_000;
    let ids = await listed();
    while (ids.size !== expectedWorkflows.size && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 300));
      ids = await listed();
    }
    expect([...ids].sort()).toEqual([...expectedWorkflows].sort());
    // The gateway writes nothing itself (ingest does, and no worker runs here): no row came from a delivery.
    for (const count of [
      t.prisma.message.count({ where: { workspaceId: t.workspaceId } }),
      t.prisma.conversation.count({ where: { workspaceId: t.workspaceId } }),
      t.prisma.contact.count({ where: { workspaceId: t.workspaceId } }),
    ])
      expect(await count).toBe(0);
    const sorted = [...latencies].sort((x, y) => x - y);
    console.info(
      `fuzz seed ${SEED}: ${latencies.length} requests, ${expectedWorkflows.size} workflows started, ` +
        `p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms\n` +
        [...stats]
          .sort()
          .map(([k, n]) => `  ${k}: ${n}`)
          .join('\n'),
    );
  });
});
