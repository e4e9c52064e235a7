// Provider calls against local servers: the answer as it came, each transport failure as the retryable upstream error
// that names it (without the URL, and without the cause when the URL holds a secret); the base URL rule (the
// provider's public hosts, or what the operator's allowlist names); no redirect followed; provider text sanitised.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from './errors.js';
import { defineProvider, providerText, providerUrlProblems, setProviderGuardOptions } from './http.js';
import { Type } from 'typebox';

const acme = defineProvider({
  name: 'Acme API',
  hosts: ['api.acme.example'],
  defaultBaseUrl: 'https://api.acme.example',
});
// As an operator running a fake on loopback would: CONFLUO_HTTP_ALLOWLIST=127.0.0.1.
let allowlist = ['127.0.0.1'];
setProviderGuardOptions(() => ({ allowlist }));
afterEach(() => {
  allowlist = ['127.0.0.1'];
});
const callProvider = acme.call;

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/moved') return void res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end();
    res
      .writeHead(429, { 'retry-after': '7', 'content-type': 'application/json', 'x-acme-remaining': '0' })
      .end('{"slow":"down"}');
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

describe('provider.call', () => {
  it("returns the status, body and Retry-After as they came (mapping them is the connector's)", async () => {
    expect(await call('/x')).toEqual({ status: 429, text: '{"slow":"down"}', retryAfter: '7' });
  });

  it('hands back the response headers the request names, those present', async () => {
    const answer = await callProvider({
      label: 'Acme send',
      url: `${base}/x`,
      init: { method: 'POST', body: '{}' },
      signal: new AbortController().signal,
      responseHeaders: ['X-Acme-Remaining', 'x-acme-absent'],
    });
    expect(answer).toEqual({
      status: 429,
      text: '{"slow":"down"}',
      retryAfter: '7',
      headers: { 'x-acme-remaining': '0' },
    });
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

describe('provider.call: the guard', () => {
  it('refuses a URL that is not on an allowed base before connecting', async () => {
    const err = await failure(
      callProvider({
        label: 'Acme send',
        url: 'https://evil.example/x',
        init: {},
        signal: new AbortController().signal,
      }),
    );
    expect(err).toMatchObject({ kind: 'config', retryable: false, code: 'BASE_URL_NOT_ALLOWED' });
  });

  it('refuses loopback when the operator has not allowed it, with the address guard named', async () => {
    allowlist = [];
    expect(await failure(call('/x'))).toMatchObject({ kind: 'config', code: 'BASE_URL_NOT_ALLOWED' });
  });

  it('never follows a redirect (a hop elsewhere is the answer, a 3xx)', async () => {
    expect(await call('/moved')).toMatchObject({ status: 302 });
  });
});

describe('provider.baseUrl', () => {
  const problem = (url: string | undefined) => {
    try {
      return acme.baseUrl(url);
    } catch (err) {
      expect(err).toMatchObject({ kind: 'config', code: 'BASE_URL_NOT_ALLOWED', details: { setting: 'apiBaseUrl' } });
      return (err as Error).message;
    }
  };

  it('takes the default or the public host over https, trailing slashes trimmed', () => {
    expect(problem(undefined)).toBe('https://api.acme.example');
    expect(problem('https://api.acme.example/v2/')).toBe('https://api.acme.example/v2');
    expect(problem('https://API.ACME.EXAMPLE.')).toBe('https://API.ACME.EXAMPLE.');
  });

  it('refuses other hosts, plain http, other ports and credentials in the URL, saying what is allowed', () => {
    allowlist = [];
    for (const url of [
      'https://evil.example',
      'http://api.acme.example',
      'https://api.acme.example:8443',
      'https://user:pw@api.acme.example',
      'https://api.acme.example.evil.example',
      'http://127.0.0.1:9',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:80',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(problem(url), url).toMatch(/^the account setting apiBaseUrl (must|is not)/);
    expect(problem('https://evil.example')).toBe(
      'the account setting apiBaseUrl must be https://api.acme.example (the Acme API); another host needs an entry in CONFLUO_HTTP_ALLOWLIST',
    );
  });

  it('takes a host the allowlist names, on the port it names', () => {
    allowlist = ['127.0.0.1:8080', 'fake.internal', '10.0.0.0/8'];
    expect(problem('http://127.0.0.1:8080/bot')).toBe('http://127.0.0.1:8080/bot');
    expect(problem('http://127.0.0.1:8081')).toMatch(/must be/);
    expect(problem('http://fake.internal:3000')).toBe('http://fake.internal:3000');
    expect(problem('https://10.1.2.3')).toBe('https://10.1.2.3');
    // A CIDR entry names addresses, not hostnames (resolved later, by the address guard).
    expect(problem('http://db.internal')).toMatch(/must be/);
  });
});

describe('a provider host entry *.<domain> (one label in front of the domain)', () => {
  const company = defineProvider({
    name: 'Company API',
    hosts: ['api.company.example', '*.company.example'],
    defaultBaseUrl: 'https://api.company.example',
  });
  const problem = (url: string) => {
    try {
      return company.baseUrl(url);
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('takes any one label over https on the default port', () => {
    allowlist = [];
    expect(problem('https://acme.company.example')).toBe('https://acme.company.example');
    expect(problem('https://ACME-2.Company.Example/')).toBe('https://ACME-2.Company.Example');
  });

  it('refuses the bare domain, deeper names, look-alikes, plain http and other ports', () => {
    allowlist = [];
    for (const url of [
      'https://company.example',
      'https://a.b.company.example',
      'https://acmecompany.example',
      'https://acme.company.example.evil.example',
      'https://-acme.company.example',
      'http://acme.company.example',
      'https://acme.company.example:8443',
    ])
      expect(problem(url), url).toMatch(/^the account setting apiBaseUrl must be/);
  });
});

describe('providerUrlProblems (the platform checks settings when an account is saved)', () => {
  const schema = Type.Object({ apiBaseUrl: Type.Optional(acme.baseUrlField()), other: Type.Optional(Type.String()) });

  it('finds the marked fields whose value breaks the rule', () => {
    const opts = { allowlist: [] };
    expect(providerUrlProblems(schema, { apiBaseUrl: 'https://api.acme.example', other: 'http://x' }, opts)).toEqual(
      [],
    );
    expect(providerUrlProblems(schema, {}, opts)).toEqual([]);
    expect(providerUrlProblems(schema, { apiBaseUrl: 'http://10.0.0.5' }, opts)).toEqual([
      { field: 'apiBaseUrl', problem: expect.stringMatching(/^must be https:\/\/api.acme.example/) },
    ]);
  });
});

describe('providerText', () => {
  it('drops control characters, collapses whitespace and caps the length', () => {
    expect(providerText(' Bad\u0000 request:\n\n  chat\u001b[31m not found ')).toBe('Bad request: chat [31m not found');
    const long = providerText('x'.repeat(5000));
    expect(long).toHaveLength(301);
    expect(long.endsWith('…')).toBe(true);
  });
});
