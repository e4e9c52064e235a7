import { describe, expect, it } from 'vitest';
import { InboundPayloadError, signMeta, type InboundRequest } from '../sdk/index.js';
import { memoryLogger } from '../testkit/channel.js';
import { isoFromMillis, isoFromSeconds, metaHandshakeResponse, readJson, verifyMetaRequest } from './webhook.js';

const request = (over: Partial<InboundRequest>): InboundRequest => ({
  method: 'POST',
  url: 'http://x/hooks/channels/a',
  headers: {},
  query: {},
  rawBody: Buffer.from(''),
  ...over,
});

describe('Meta webhook helpers', () => {
  it('answers the handshake with the challenge as text/plain, 403 for a wrong token or mode', () => {
    const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'meatyhamhock', 'hub.challenge': '1158201444' };
    expect(metaHandshakeResponse(request({ method: 'GET', query }), 'meatyhamhock', memoryLogger())).toEqual({
      status: 200,
      body: '1158201444',
      contentType: 'text/plain',
    });
    const logger = memoryLogger();
    expect(metaHandshakeResponse(request({ method: 'GET', query }), 'other', logger)).toMatchObject({ status: 403 });
    expect(JSON.stringify(logger.lines)).not.toContain('meatyhamhock');
    expect(
      metaHandshakeResponse(
        request({ method: 'GET', query: { ...query, 'hub.mode': 'unsubscribe' } }),
        'meatyhamhock',
        memoryLogger(),
      ),
    ).toMatchObject({ status: 403 });
    expect(metaHandshakeResponse(request({ method: 'GET', query }), undefined, memoryLogger())).toMatchObject({
      status: 403,
    });
  });

  it('is not a handshake for a POST or a GET without hub.* parameters', () => {
    expect(metaHandshakeResponse(request({ method: 'GET' }), 'x', memoryLogger())).toBeUndefined();
    expect(metaHandshakeResponse(request({ query: { 'hub.mode': 'subscribe' } }), 'x', memoryLogger())).toBeUndefined();
  });

  it('verifies X-Hub-Signature-256 with the official vector, refusing a missing header or secret', () => {
    const rawBody = Buffer.from('test');
    const header = 'sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221';
    expect(signMeta('TEST_APP_SECRET', rawBody)).toBe(header);
    expect(
      verifyMetaRequest(request({ rawBody, headers: { 'x-hub-signature-256': header } }), 'TEST_APP_SECRET'),
    ).toEqual({ ok: true });
    expect(
      verifyMetaRequest(
        request({ rawBody: Buffer.from('test!'), headers: { 'x-hub-signature-256': header } }),
        'TEST_APP_SECRET',
      ),
    ).toMatchObject({ ok: false });
    expect(verifyMetaRequest(request({ rawBody }), 'TEST_APP_SECRET')).toEqual({
      ok: false,
      reason: 'missing X-Hub-Signature-256 header',
    });
    expect(
      verifyMetaRequest(request({ rawBody, headers: { 'x-hub-signature-256': header } }), undefined),
    ).toMatchObject({ ok: false });
  });

  it('reads JSON or throws InboundPayloadError', () => {
    expect(readJson(request({ rawBody: Buffer.from('{"a":1}') }))).toEqual({ a: 1 });
    expect(() => readJson(request({ rawBody: Buffer.from('{"a":') }))).toThrow(InboundPayloadError);
  });

  it('converts provider timestamps', () => {
    expect(isoFromSeconds('1749416383', 't')).toBe('2025-06-08T20:59:43.000Z');
    expect(isoFromMillis(1458692752478, 't')).toBe('2016-03-23T00:25:52.478Z');
    expect(() => isoFromSeconds('soon', 't')).toThrow(InboundPayloadError);
    // Found by server/fuzz.test.ts: a RangeError from toISOString (a 500 at the gateway) before.
    expect(() => isoFromSeconds(Number.MAX_SAFE_INTEGER, 't')).toThrow(InboundPayloadError);
    expect(isoFromSeconds(8.64e12, 't')).toBe('+275760-09-13T00:00:00.000Z');
    expect(() => isoFromMillis('1458692752478', 't')).toThrow(InboundPayloadError);
  });
});
