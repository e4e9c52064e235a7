import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv, ConnectorError, type ActionContext, type Connector } from '../../sdk/index.js';
import { httpOptionsFromEnv, isAddressAllowed } from '../../sdk/guard.js';
import { createHttpConnector, type HttpGuardOptions } from '../index.js';
import type { HttpRequestInput, HttpRequestOutput } from './request.js';

// A real sink on 127.0.0.1: echoes what it received, or answers as the path says.
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const seen: Seen = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/text')
      return res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Custom': 'Yes' }).end('plain words');
    if (path === '/missing')
      return res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'no such thing', pad: 'p'.repeat(1000) }));
    if (path === '/busy') return res.writeHead(503, { 'retry-after': '2' }).end('busy');
    if (path === '/slow-down') return res.writeHead(429).end();
    if (path === '/bad') return res.writeHead(400).end('field x is wrong');
    if (path === '/slow') return setTimeout(() => res.writeHead(200).end('late'), 1_000);
    if (path === '/huge') return res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(6 * 1024 * 1024));
    if (path === '/redirect') return res.writeHead(302, { location: '/echo?from=redirect' }).end();
    if (path === '/redirect-internal') return res.writeHead(302, { location: 'http://10.0.0.1/' }).end();
    if (path === '/empty') return res.writeHead(204).end();
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      .end(req.method === 'HEAD' ? undefined : JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop };
function ctx(signal = new AbortController().signal): ActionContext {
  return {
    workspaceId: 'ws_1',
    runId: 'run_1',
    nodeId: 'call',
    idempotencyKey: 'run_1:call',
    attempt: 1,
    logger,
    signal,
    services: {
      contacts: { upsert: () => Promise.reject(new Error('unused')), merge: () => Promise.reject(new Error('unused')) },
      channels: { send: () => Promise.reject(new Error('unused')), reply: () => Promise.reject(new Error('unused')) },
      accounts: { open: () => Promise.reject(new Error('unused')) },
    },
  };
}
const run = (connector: Connector, input: HttpRequestInput, signal?: AbortSignal) =>
  connector.actions[0]!.run(ctx(signal), input) as Promise<HttpRequestOutput>;
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

const allowed = createHttpConnector({ allowlist: ['127.0.0.1'] });
const guarded = createHttpConnector({});
const echo = async (input: Omit<HttpRequestInput, 'url'> & { path?: string }) => {
  const { path = '/echo', ...rest } = input;
  const out = await run(allowed, { url: `${base}${path}`, ...rest });
  return { out, seen: out.body as unknown as Seen };
};

describe('http.request', () => {
  it('is defined as http.request with a schema that validates inputs', () => {
    expect(allowed.manifest.actions.map((a) => a.id)).toEqual(['http.request']);
    const validate = createAjv().compile(allowed.manifest.actions[0]!.input);
    expect(
      validate({ url: 'https://example.com/x', method: 'POST', query: { a: 1, b: true }, body: [1], timeout: 10 }),
    ).toBe(true);
    expect(validate({ method: 'GET' })).toBe(false);
    expect(validate({ url: 'not a url' })).toBe(false);
    expect(validate({ url: 'https://example.com', method: 'FETCH' })).toBe(false);
    expect(validate({ url: 'https://example.com', timeout: 300_001 })).toBe(false);
  });

  it('GETs by default with the query encoded and the idempotency key sent; parses JSON answers', async () => {
    const { out, seen } = await echo({ path: '/echo?keep=1', query: { q: 'a b&c', n: 2, ok: true } });
    expect(out.status).toBe(200);
    expect(out.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe('/echo?keep=1&q=a+b%26c&n=2&ok=true');
    expect(seen.headers['idempotency-key']).toBe('run_1:call');
    expect(seen.body).toBe('');
  });

  it('keeps an Idempotency-Key the user set', async () => {
    const { seen } = await echo({ headers: { 'Idempotency-Key': 'mine' } });
    expect(seen.headers['idempotency-key']).toBe('mine');
  });

  it('sends objects and arrays as JSON, strings as-is, forms when asked', async () => {
    const json = await echo({ method: 'POST', body: { a: [1, 2], b: null } });
    expect(json.seen).toMatchObject({ method: 'POST', body: '{"a":[1,2],"b":null}' });
    expect(json.seen.headers['content-type']).toBe('application/json');
    const arr = await echo({ method: 'PUT', body: [1, 'x'] });
    expect(arr.seen).toMatchObject({ method: 'PUT', body: '[1,"x"]' });
    const text = await echo({ method: 'PATCH', body: 'raw <xml/>', headers: { 'Content-Type': 'application/xml' } });
    expect(text.seen).toMatchObject({ method: 'PATCH', body: 'raw <xml/>' });
    expect(text.seen.headers['content-type']).toBe('application/xml');
    const form = await echo({
      method: 'POST',
      body: { a: 'x y', n: 1 },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.seen.body).toBe('a=x+y&n=1');
  });

  it('supports DELETE, OPTIONS and HEAD', async () => {
    expect((await echo({ method: 'DELETE' })).seen.method).toBe('DELETE');
    expect((await echo({ method: 'OPTIONS' })).seen.method).toBe('OPTIONS');
    const head = await run(allowed, { url: `${base}/echo`, method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
  });

  it('returns text bodies as text with lower-cased headers, and empty bodies as ""', async () => {
    const out = await run(allowed, { url: `${base}/text` });
    expect(out).toMatchObject({ status: 200, body: 'plain words' });
    expect(out.headers['x-custom']).toBe('Yes');
    expect(await run(allowed, { url: `${base}/empty`, method: 'DELETE' })).toMatchObject({ status: 204, body: '' });
  });

  it('follows redirects', async () => {
    const out = await run(allowed, { url: `${base}/redirect` });
    expect((out.body as unknown as Seen).url).toBe('/echo?from=redirect');
  });

  it('turns 404 into a non-retryable not_found error with a body excerpt', async () => {
    const err = await failure(run(allowed, { url: `${base}/missing` }));
    expect(err).toMatchObject({ kind: 'not_found', retryable: false, code: 'HTTP_404' });
    expect(err.message).toContain('no such thing');
    expect(err.message.length).toBeLessThan(650);
    const bad = await failure(run(allowed, { url: `${base}/bad`, method: 'POST', body: {} }));
    expect(bad).toMatchObject({ kind: 'validation', retryable: false, code: 'HTTP_400' });
    expect(bad.message).toContain('field x is wrong');
  });

  it('turns 503 with Retry-After into a retryable error with retryAfterMs, and 429 into rate_limited', async () => {
    expect(await failure(run(allowed, { url: `${base}/busy` }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'HTTP_503',
      retryAfterMs: 2000,
    });
    expect(await failure(run(allowed, { url: `${base}/slow-down` }))).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      code: 'HTTP_429',
    });
  });

  it('times out as a retryable upstream error, and stops when the step is cancelled', async () => {
    expect(await failure(run(allowed, { url: `${base}/slow`, timeout: 100 }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'TIMEOUT',
    });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    expect(await failure(run(allowed, { url: `${base}/slow` }, cancel.signal))).toMatchObject({
      kind: 'upstream',
      code: 'ABORTED',
    });
  });

  it('refuses a response body over 5 MB', async () => {
    expect(await failure(run(allowed, { url: `${base}/huge` }))).toMatchObject({
      retryable: false,
      code: 'RESPONSE_TOO_LARGE',
    });
  });

  it('reports connection failures as retryable upstream errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await failure(run(allowed, { url: `http://127.0.0.1:${freePort}/` }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'ECONNREFUSED',
    });
  });

  it('rejects bad input with INPUT_INVALID', async () => {
    expect(await failure(run(allowed, { url: 'ftp://example.com/x' }))).toMatchObject({
      kind: 'validation',
      code: 'INPUT_INVALID',
    });
    expect(await failure(run(allowed, { url: `${base}/echo`, body: { a: 1 } }))).toMatchObject({
      kind: 'validation',
      code: 'INPUT_INVALID',
    });
  });
});

describe('SSRF guard', () => {
  it.each([
    'http://127.0.0.1:1/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:1/',
    'http://100.64.0.1/',
  ])('refuses %s', async (url) => {
    const err = await failure(run(guarded, { url }));
    expect(err).toMatchObject({ kind: 'config', retryable: false, code: 'ADDRESS_NOT_ALLOWED' });
    expect(err.message).toContain(new URL(url).hostname.replace(/[[\]]/g, ''));
  });

  it('refuses a hostname that resolves to loopback, checking the resolved address', async () => {
    const err = await failure(run(guarded, { url: `http://localhost:${port}/echo` }));
    expect(err).toMatchObject({ kind: 'config', retryable: false, code: 'ADDRESS_NOT_ALLOWED' });
    expect(err.message).toContain('localhost');
  });

  it('guards every redirect hop', async () => {
    const err = await failure(run(allowed, { url: `${base}/redirect-internal` }));
    expect(err).toMatchObject({ code: 'ADDRESS_NOT_ALLOWED' });
    expect(err.message).toContain('10.0.0.1');
  });

  it.each<[string, HttpGuardOptions]>([
    ['allowPrivate', { allowPrivate: true }],
    ['a hostname in the allowlist', { allowlist: ['LOCALHOST'] }],
    ['a CIDR in the allowlist', { allowlist: ['127.0.0.0/8', '::1/128'] }],
  ])('lets through %s', async (_, options) => {
    const out = await run(createHttpConnector(options), { url: `http://localhost:${port}/echo` });
    expect(out.status).toBe(200);
  });

  it('reads its options at call time', async () => {
    let options: HttpGuardOptions = {};
    const connector = createHttpConnector(() => options);
    expect(await failure(run(connector, { url: `${base}/echo` }))).toMatchObject({ code: 'ADDRESS_NOT_ALLOWED' });
    options = { allowlist: ['127.0.0.1'] };
    expect((await run(connector, { url: `${base}/echo` })).status).toBe(200);
  });

  it('classifies addresses', () => {
    for (const ip of [
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.100.0.1',
      '169.254.1.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      'fd12::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ])
      expect(isAddressAllowed(ip, ip, {}), ip).toBe(false);
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isAddressAllowed(ip, ip, {}), ip).toBe(true);
    expect(isAddressAllowed('db.internal', '10.0.0.5', { allowlist: ['10.0.0.0/24'] })).toBe(true);
    expect(isAddressAllowed('db.internal', '10.0.1.5', { allowlist: ['10.0.0.0/24'] })).toBe(false);
    expect(isAddressAllowed('db.internal', '10.0.1.5', { allowlist: ['db.internal'] })).toBe(true);
    expect(isAddressAllowed('x', '10.0.1.5', { allowPrivate: true })).toBe(true);
  });

  it('reads CONFLUO_HTTP_ALLOW_PRIVATE and CONFLUO_HTTP_ALLOWLIST', () => {
    expect(httpOptionsFromEnv({})).toEqual({ allowPrivate: false, allowlist: [] });
    expect(
      httpOptionsFromEnv({ CONFLUO_HTTP_ALLOW_PRIVATE: '1', CONFLUO_HTTP_ALLOWLIST: ' a.local, 10.0.0.0/8 ,' }),
    ).toEqual({
      allowPrivate: true,
      allowlist: ['a.local', '10.0.0.0/8'],
    });
  });
});
