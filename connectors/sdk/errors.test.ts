import { describe, expect, it } from 'vitest';
import { ConnectorError, errorFromHttpStatus, isConnectorError, parseRetryAfter } from './errors.js';

describe('ConnectorError', () => {
  it('is retryable by default only for upstream and rate_limited', () => {
    expect(new ConnectorError('upstream', 'x').retryable).toBe(true);
    expect(new ConnectorError('rate_limited', 'x').retryable).toBe(true);
    for (const kind of ['auth', 'config', 'not_found', 'validation'] as const)
      expect(new ConnectorError(kind, 'x').retryable).toBe(false);
    expect(new ConnectorError('upstream', 'x', { retryable: false }).retryable).toBe(false);
  });

  it('keeps code, details, retryAfterMs and cause', () => {
    const cause = new Error('socket hang up');
    const e = new ConnectorError('upstream', 'boom', { code: 'C', details: { a: 1 }, retryAfterMs: 5, cause });
    expect(e).toMatchObject({
      name: 'ConnectorError',
      message: 'boom',
      code: 'C',
      details: { a: 1 },
      retryAfterMs: 5,
      cause,
    });
    expect(e).toBeInstanceOf(Error);
  });

  it('isConnectorError recognizes instances and look-alikes from another SDK copy', () => {
    expect(isConnectorError(new ConnectorError('auth', 'x'))).toBe(true);
    expect(isConnectorError({ name: 'ConnectorError', kind: 'auth', retryable: false, message: 'x' })).toBe(true);
    expect(isConnectorError(new Error('x'))).toBe(false);
    expect(isConnectorError(null)).toBe(false);
  });
});

describe('errorFromHttpStatus', () => {
  it.each([
    [400, 'validation', false],
    [401, 'auth', false],
    [403, 'auth', false],
    [404, 'not_found', false],
    [405, 'config', false],
    [408, 'upstream', true],
    [422, 'validation', false],
    [429, 'rate_limited', true],
    [500, 'upstream', true],
    [503, 'upstream', true],
  ] as const)('%i → %s (retryable %s)', (status, kind, retryable) => {
    const e = errorFromHttpStatus(status);
    expect(e).toMatchObject({ kind, retryable, code: `HTTP_${status}` });
  });

  it('turns Retry-After seconds and HTTP-dates into retryAfterMs', () => {
    expect(errorFromHttpStatus(503, { retryAfter: '2' }).retryAfterMs).toBe(2000);
    expect(errorFromHttpStatus(429, { retryAfter: '0' }).retryAfterMs).toBe(0);
    expect(errorFromHttpStatus(503, { retryAfter: null }).retryAfterMs).toBeUndefined();
    const ms = errorFromHttpStatus(429, { retryAfter: new Date(Date.now() + 60_000).toUTCString() }).retryAfterMs!;
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('appends a body excerpt of at most 500 characters', () => {
    const e = errorFromHttpStatus(404, { message: 'GET /x failed', body: 'y'.repeat(2000) });
    expect(e.message.startsWith('GET /x failed: yyy')).toBe(true);
    expect(e.message.length).toBeLessThanOrEqual('GET /x failed: '.length + 501);
    expect(e.details).toEqual({ status: 404, body: `${'y'.repeat(500)}…` });
  });
});
