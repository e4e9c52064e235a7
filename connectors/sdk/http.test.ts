// callProvider against local servers: the answer as it came, and each transport failure as the retryable upstream
// error that names it (without the URL, and without the cause when the URL holds a secret).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from './errors.js';
import { callProvider } from './http.js';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"slow":"down"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};
const call = (path: string, opts: { signal?: AbortSignal; timeoutMs?: number; keepCause?: boolean } = {}) =>
  callProvider({
    label: 'Acme send',
    url: `${base}${path}`,
    init: { method: 'POST', body: '{}' },
    signal: opts.signal ?? new AbortController().signal,
    ...opts,
  });

describe('callProvider', () => {
  it("returns the status, body and Retry-After as they came (mapping them is the connector's)", async () => {
    expect(await call('/x')).toEqual({ status: 429, text: '{"slow":"down"}', retryAfter: '7' });
  });

  it('a hung provider is a retryable TIMEOUT naming the call', async () => {
    const err = await failure(call('/hang', { timeoutMs: 200 }));
    expect(err).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'TIMEOUT',
      message: 'Acme send did not answer within 200 ms',
    });
  });

  it('a cancelled step is ABORTED', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    expect(await failure(call('/hang', { signal: ctl.signal }))).toMatchObject({ code: 'ABORTED', retryable: true });
  });

  it('an unreachable provider says why, and drops the cause when asked (URLs with secrets)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const req = {
      label: 'Acme send',
      url: `http://127.0.0.1:${port}/botSECRET/send`,
      init: { method: 'POST' },
      signal: new AbortController().signal,
    };
    const kept = await failure(callProvider(req));
    expect(kept).toMatchObject({
      code: 'ECONNREFUSED',
      retryable: true,
      message: 'Acme send failed: could not reach the provider (ECONNREFUSED)',
    });
    expect(kept.cause).toBeDefined();
    const dropped = await failure(callProvider({ ...req, keepCause: false }));
    expect(dropped.cause).toBeUndefined();
    expect(JSON.stringify({ m: dropped.message, d: dropped.details })).not.toContain('SECRET');
  });
});
