import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../sdk/index.js';
import { graphError, parseGraphError } from './graph-errors.js';

const TARGET = 'POST https://graph.facebook.com/v23.0/1/messages';
const body = (code: number, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ error: { message, type: 'OAuthException', code, fbtrace_id: 'AbC', ...extra } });

describe('graphError', () => {
  it('code 190 is auth, not retryable, whatever the status', () => {
    for (const status of [400, 401]) {
      const e = graphError(status, body(190, 'Invalid OAuth access token'), null, TARGET);
      expect(e).toBeInstanceOf(ConnectorError);
      expect(e).toMatchObject({ kind: 'auth', retryable: false, code: 'GRAPH_190' });
      expect(e.message).toBe(
        `${TARGET} answered HTTP ${status}: (#190) Invalid OAuth access token. The access token is invalid or expired: update the account credentials`,
      );
    }
  });

  it('HTTP 401 without a Graph body is auth', () => {
    expect(graphError(401, 'nope', null, TARGET)).toMatchObject({ kind: 'auth', retryable: false, code: 'HTTP_401' });
  });

  it.each([4, 17, 32, 613, 80007, 130429, 131048, 131056])(
    'code %i is rate_limited and retryable, honouring Retry-After',
    (code) => {
      expect(graphError(400, body(code, 'limit'), '12', TARGET)).toMatchObject({
        kind: 'rate_limited',
        retryable: true,
        retryAfterMs: 12_000,
        code: `GRAPH_${code}`,
      });
      const without = graphError(400, body(code, 'limit'), null, TARGET);
      expect(without).toMatchObject({ kind: 'rate_limited', retryable: true });
      expect(without.retryAfterMs).toBeUndefined();
    },
  );

  it('131047 fails for good and says a template is needed', () => {
    const e = graphError(
      400,
      body(131047, '(#131047) Re-engagement message', {
        error_data: {
          messaging_product: 'whatsapp',
          details:
            'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
      }),
      '30',
      TARGET,
    );
    expect(e).toMatchObject({ kind: 'validation', retryable: false, code: 'GRAPH_131047' });
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.message).toContain('(#131047) Re-engagement message (Message failed to send because more than 24 hours');
    expect(e.message).toMatch(/24-hour customer service window is closed.*template/);
    expect(e.details).toEqual({
      status: 400,
      code: 131047,
      type: 'OAuthException',
      details: expect.stringContaining('24 hours'),
      fbtraceId: 'AbC',
    });
  });

  it('131026 (undeliverable) fails for good', () => {
    const e = graphError(400, body(131026, 'Message Undeliverable'), null, TARGET);
    expect(e).toMatchObject({ kind: 'validation', retryable: false, code: 'GRAPH_131026' });
    expect(e.message).toContain('cannot receive');
  });

  it('5xx is a retryable upstream error, with or without a Graph body', () => {
    expect(
      graphError(500, body(2, 'An unexpected error occurred', { is_transient: true }), null, TARGET),
    ).toMatchObject({ kind: 'upstream', retryable: true, code: 'GRAPH_2' });
    expect(graphError(503, '<html>Service Unavailable</html>', '5', TARGET)).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'HTTP_503',
      retryAfterMs: 5000,
    });
  });

  it.each([
    [100, undefined, 'validation'],
    [131008, undefined, 'validation'],
    [131009, undefined, 'validation'],
    [132001, undefined, 'validation'],
    [100, 33, 'config'],
    [368, undefined, 'config'],
    [10, undefined, 'auth'],
    [200, undefined, 'auth'],
    [10, 2018278, 'validation'],
    [551, undefined, 'validation'],
  ] as const)('code %i (subcode %s) is %s, not retryable', (code, subcode, kind) => {
    const e = graphError(400, body(code, 'x', subcode === undefined ? {} : { error_subcode: subcode }), '9', TARGET);
    expect(e).toMatchObject({ kind, retryable: false });
    expect(e.retryAfterMs).toBeUndefined();
  });

  it("Messenger's window (#10/2018278) says the person must write first", () => {
    expect(
      graphError(
        400,
        body(10, '(#10) This message is sent outside of allowed window.', { error_subcode: 2018278 }),
        null,
        TARGET,
      ).message,
    ).toMatch(/24-hour standard messaging window/);
  });

  it('an unknown code follows is_transient, then the HTTP status', () => {
    expect(graphError(400, body(999, 'x', { is_transient: true }), null, TARGET)).toMatchObject({
      kind: 'upstream',
      retryable: true,
    });
    expect(graphError(400, body(999, 'x'), null, TARGET)).toMatchObject({
      kind: 'validation',
      retryable: false,
      code: 'HTTP_400',
    });
    expect(graphError(429, body(999, 'x'), '3', TARGET)).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 3000,
    });
  });

  it('parseGraphError reads only the error object', () => {
    expect(parseGraphError('{"error":{"code":1}}')).toEqual({ code: 1 });
    expect(
      parseGraphError(
        '{"error":{"code":"190","message":7,"error_data":{"details":"d","messaging_product":"whatsapp"}}}',
      ),
    ).toEqual({ error_data: { details: 'd' } });
    expect(parseGraphError('{"error":"x"}')).toBeUndefined();
    expect(parseGraphError('not json')).toBeUndefined();
  });
});
