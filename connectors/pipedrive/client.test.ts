// client.ts against the Pipedrive fake over real HTTP: the token only in the x-api-token header, the envelope
// unwrapped, and every failure mapped to a ConnectorError that quotes no more than the envelope's `error`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isConnectorError, type ConnectorError, type JsonObject } from '../sdk/index.js';
import { startPipedriveFake, testAccount, type PipedriveFake } from '../testkit/index.js';
import { callPipedrive, getPerson, pipedriveError, searchPersons } from './client.js';
import { readPipedriveSettings } from './settings.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
let pd: PipedriveFake;
beforeAll(async () => {
  pd = await startPipedriveFake({ apiToken: TOKEN });
});
afterAll(() => pd.close());
beforeEach(() => {
  pd.violations.length = 0;
  pd.requests.length = 0;
  pd.outage(false);
});

const account = (settings: Record<string, unknown> = {}) =>
  testAccount({ id: 'crm_pd', credentials: { apiToken: TOKEN }, settings: { apiBaseUrl: pd.url, ...settings } });
const signal = () => AbortSignal.timeout(10_000);
const me = () =>
  callPipedrive<{ company_id: number }>(
    account(),
    { label: 'users/me', method: 'GET', path: '/v1/users/me' },
    signal(),
  );

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    expect(isConnectorError(err)).toBe(true);
    return err as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

describe('callPipedrive', () => {
  it('sends the token in x-api-token, never in the query string, and unwraps the envelope', async () => {
    const { data, additional } = await me();
    expect(data.company_id).toBe(pd.companyId);
    expect(additional).toEqual({});
    const sent = pd.requests.at(-1)!;
    expect(sent.headers['x-api-token']).toBe(TOKEN);
    expect(sent.query.has('api_token')).toBe(false);
    expect(sent.path).toBe('/v1/users/me');
    expect(pd.violations).toEqual([]);
  });

  it('reads search hits and gives null for a person that does not exist', async () => {
    const p = await pd.createPerson({ name: 'Sam', emails: ['sam@example.com'] });
    expect(await searchPersons(account(), 'email', 'SAM@example.com', signal())).toEqual([
      { id: p.id, emails: ['sam@example.com'], phones: [] },
    ]);
    expect(pd.requests.at(-1)!.query.toString()).toBe('term=SAM%40example.com&fields=email&exact_match=true&limit=10');
    expect(await getPerson(account(), 987654, signal())).toBeNull();
    expect(pd.violations).toEqual([]);
  });

  it('maps 401 to auth and 403 to auth, quoting the envelope’s error only', async () => {
    const wrong = testAccount({
      id: 'crm_pd',
      credentials: { apiToken: 'f'.repeat(40) },
      settings: { apiBaseUrl: pd.url },
    });
    const e401 = await failure(
      callPipedrive(wrong, { label: 'users/me', method: 'GET', path: '/v1/users/me' }, signal()),
    );
    expect(e401).toMatchObject({ kind: 'auth', retryable: false, code: 'PIPEDRIVE_HTTP_401' });
    expect(e401.message).toBe('Pipedrive users/me answered HTTP 401: unauthorized access');
    pd.failNext({
      status: 403,
      body: { success: false, error: 'You do not have\npermission', error_info: 'secret info' },
    });
    const e403 = await failure(me());
    expect(e403).toMatchObject({
      kind: 'auth',
      retryable: false,
      details: { status: 403, error: 'You do not have permission' },
    });
    expect(e403.message).not.toMatch(/secret info/);
  });

  it('maps 404 to not_found and 400 to validation', async () => {
    pd.failNext({
      status: 404,
      body: { success: false, error: 'Entity was not found', error_info: 'Object was not found.' },
    });
    expect(await failure(me())).toMatchObject({
      kind: 'not_found',
      retryable: false,
      message: expect.stringMatching(/Entity was not found$/),
    });
    pd.failNext({ status: 400, body: { success: false, error: 'Validation failed: name' } });
    expect(await failure(me())).toMatchObject({ kind: 'validation', retryable: false });
  });

  it('maps 429 to rate_limited with retryAfterMs from Retry-After, else from x-ratelimit-reset', async () => {
    pd.failNext({
      status: 429,
      body: { success: false, error: 'Request over limit' },
      headers: { 'retry-after': '7' },
    });
    expect(await failure(me())).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
      code: 'PIPEDRIVE_RATE_LIMITED',
    });
    // The fake's own burst limit: no Retry-After, x-ratelimit-reset = seconds left in the window.
    pd.burst = { limit: 1, windowMs: 60_000 };
    try {
      const settled = await Promise.allSettled([me(), me(), me()]);
      const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      const limited = await failure(Promise.reject(rejected?.reason as Error));
      expect(limited).toMatchObject({ kind: 'rate_limited', retryable: true });
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    } finally {
      pd.burst = { limit: 1000, windowMs: 2000 };
    }
  });

  it('maps 5xx and an outage to retryable upstream errors without quoting the body', async () => {
    pd.failNext({
      status: 500,
      body: '<html>Traceback: db password hunter2</html>',
      headers: { 'content-type': 'text/html' },
    });
    const e500 = await failure(me());
    expect(e500).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'PIPEDRIVE_HTTP_500',
      details: { status: 500 },
    });
    expect(e500.message).toBe('Pipedrive users/me answered HTTP 500');
    pd.outage(true);
    expect(await failure(me())).toMatchObject({ kind: 'upstream', retryable: true, code: 'PIPEDRIVE_HTTP_503' });
  });

  it('takes malformed JSON or success:false on a 200 as an upstream error', async () => {
    pd.failNext('malformed');
    expect(await failure(me())).toMatchObject({ kind: 'upstream', retryable: true, code: 'BAD_RESPONSE' });
    pd.failNext('success-false');
    expect(await failure(me())).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'PIPEDRIVE_UNSUCCESSFUL',
      message: 'Pipedrive users/me failed: Internal error',
    });
  });
});

describe('pipedriveError', () => {
  it('waits one 2-second window on a 429 that names no delay, and caps a long reset', () => {
    expect(pipedriveError('x', 429, '')).toMatchObject({ retryAfterMs: 2000 });
    expect(pipedriveError('x', 429, '', { reset: '3600' })).toMatchObject({ retryAfterMs: 60_000 });
    expect(pipedriveError('x', 502, 'not json').message).toBe('Pipedrive x answered HTTP 502');
  });
});

describe('the API base URL setting', () => {
  it('takes api.pipedrive.com (the default) and a company domain, and refuses other hosts', () => {
    const read = (apiBaseUrl?: string) =>
      readPipedriveSettings(testAccount({ credentials: {}, settings: apiBaseUrl === undefined ? {} : { apiBaseUrl } }));
    expect(read()).toEqual({ apiBaseUrl: 'https://api.pipedrive.com' });
    expect(read('https://acme.pipedrive.com/').apiBaseUrl).toBe('https://acme.pipedrive.com');
    for (const url of [
      'https://pipedrive.com',
      'https://evil.example',
      'http://acme.pipedrive.com',
      'https://a.b.pipedrive.com',
    ])
      expect(() => read(url), url).toThrow(expect.objectContaining({ kind: 'config', code: 'BASE_URL_NOT_ALLOWED' }));
  });

  it('reads a company id and refuses settings it does not know', () => {
    const s = (settings: JsonObject) => readPipedriveSettings(testAccount({ credentials: {}, settings }));
    expect(s({ companyId: 42 })).toEqual({ apiBaseUrl: 'https://api.pipedrive.com', companyId: 42 });
    expect(() => s({ companyId: '42' })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(() => s({ domain: 'acme' })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
  });
});
