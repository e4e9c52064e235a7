import { describe, expect, it } from 'vitest';
import { InboundPayloadError, type ChannelAccount, type InboundRequest } from '../sdk/index.js';
import { inboundContext, testAccount } from '../testkit/index.js';
import { webchatConnector } from './index.js';
import { newVisitorId, visitorToken } from './token.js';

const SECRET = 'w'.repeat(43);
const inbound = webchatConnector.channel!.inbound!;
const NOW = Date.parse('2025-03-01T10:00:00.000Z');
const visitor = 'v_visitor0000000000000001';
const token = visitorToken(SECRET, visitor);

const account = (
  settings: Record<string, unknown> = {},
  credentials: Record<string, unknown> = { widgetSecret: SECRET },
): ChannelAccount =>
  testAccount({
    id: 'cha_wc',
    credentials: credentials as ChannelAccount['credentials'],
    settings: settings as ChannelAccount['settings'],
    inboundUrl: 'https://confluo.example/hooks/channels/cha_wc',
  });

const request = (body: unknown, headers: Record<string, string> = {}): InboundRequest => ({
  method: 'POST',
  url: 'https://confluo.example/hooks/channels/cha_wc',
  headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
  query: {},
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const message = (over: Record<string, unknown> = {}) => ({
  visitorId: visitor,
  token,
  text: 'Hello, is anyone there?',
  clientMessageId: 'c1',
  ...over,
});
const verify = (req: InboundRequest, a = account()) => inbound.verify(req, inboundContext(a, NOW));
const parse = (req: InboundRequest, a = account()) => inbound.parse(req, inboundContext(a, NOW));

describe('webchat verify', () => {
  it('accepts the token the server issued for the visitor id (body or X-Webchat-Token header)', () => {
    expect(verify(request(message()))).toEqual({ ok: true });
    const { token: _, ...withoutToken } = message();
    expect(verify(request(withoutToken, { 'x-webchat-token': token }))).toEqual({ ok: true });
  });

  it("refuses a wrong, missing or other visitor's token, and a token of another account", () => {
    const refused = { ok: false, reason: 'the visitor token is missing or wrong' };
    expect(verify(request(message({ token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') })))).toEqual(
      refused,
    );
    expect(verify(request(message({ token: undefined })))).toEqual(refused);
    expect(verify(request(message({ token: 42 })))).toEqual(refused);
    expect(verify(request(message({ visitorId: newVisitorId() })))).toEqual(refused);
    expect(verify(request(message({ token: visitorToken('x'.repeat(43), visitor) })))).toEqual(refused);
    // A visitor id that is not one (the token of `a:b` would be a valid HMAC): refused before any comparison.
    expect(verify(request(message({ visitorId: 'a:b', token: visitorToken(SECRET, 'a:b') })))).toEqual(refused);
  });

  it('refuses a body that is not a JSON object, and an account without a secret', () => {
    expect(verify(request('visitorId=x'))).toEqual({
      ok: false,
      reason: 'the body is not a JSON object with visitorId and token',
    });
    expect(verify(request('[]'))).toMatchObject({ ok: false });
    expect(verify(request(message()), account({}, {}))).toEqual({
      ok: false,
      reason: 'the account has no widget secret yet: save the account again to generate one',
    });
    expect(verify(request(message()), account({}, { widgetSecret: 'short' }))).toMatchObject({ ok: false });
  });

  it('checks Origin against allowedOrigins when set; the server itself and requests without Origin pass', () => {
    const restricted = account({ allowedOrigins: ['https://shop.example', 'http://localhost:8080'] });
    const refused = { ok: false, reason: 'this website (Origin) is not allowed to use this chat' };
    expect(verify(request(message(), { origin: 'https://shop.example' }), restricted)).toEqual({ ok: true });
    expect(verify(request(message(), { origin: 'https://SHOP.example:443' }), restricted)).toEqual({ ok: true });
    expect(verify(request(message(), { origin: 'http://localhost:8080' }), restricted)).toEqual({ ok: true });
    expect(verify(request(message(), { origin: 'https://confluo.example' }), restricted)).toEqual({ ok: true });
    expect(verify(request(message()), restricted)).toEqual({ ok: true });
    expect(verify(request(message(), { origin: 'https://evil.example' }), restricted)).toEqual(refused);
    expect(verify(request(message(), { origin: 'http://shop.example' }), restricted)).toEqual(refused);
    expect(verify(request(message(), { origin: 'http://localhost:8081' }), restricted)).toEqual(refused);
    expect(verify(request(message(), { origin: 'null' }), restricted)).toEqual(refused);
    // Without a list, any website may embed the chat.
    expect(verify(request(message(), { origin: 'https://evil.example' }))).toEqual({ ok: true });
  });
});

describe('webchat parse', () => {
  it('a visitor message becomes one message.received from the webchat identity', () => {
    expect(parse(request(message()))).toEqual([
      {
        type: 'message.received',
        dedupeKey: `${visitor}:c1`,
        providerMessageId: `${visitor}:c1`,
        timestamp: '2025-03-01T10:00:00.000Z',
        sender: { identity: { kind: 'webchat', value: visitor } },
        text: 'Hello, is anyone there?',
      },
    ]);
  });

  it('name, a lower-cased email identity and the page the visitor is on', () => {
    const [event] = parse(
      request(message({ name: '  Ada Lovelace ', email: ' Ada@Example.COM ', page: 'https://shop.example/pricing' })),
    );
    expect(event).toEqual({
      type: 'message.received',
      dedupeKey: `${visitor}:c1`,
      providerMessageId: `${visitor}:c1`,
      timestamp: '2025-03-01T10:00:00.000Z',
      sender: {
        identity: { kind: 'webchat', value: visitor },
        identities: [{ kind: 'email', value: 'ada@example.com' }],
        name: 'Ada Lovelace',
      },
      text: 'Hello, is anyone there?',
      raw: { page: 'https://shop.example/pricing' },
    });
  });

  it('blank or null optional fields are left out', () => {
    const [event] = parse(request(message({ name: ' ', email: '', page: null })));
    expect(event).toEqual(expect.objectContaining({ sender: { identity: { kind: 'webchat', value: visitor } } }));
    expect(event).not.toHaveProperty('raw');
  });

  it('the same clientMessageId gives the same dedupe key (a retry), another one a new key', () => {
    const [a] = parse(request(message()));
    const [b] = parse(request(message({ text: 'Hello, is anyone there?' })));
    const [c] = parse(request(message({ clientMessageId: 'c2' })));
    expect(a!.dedupeKey).toBe(b!.dedupeKey);
    expect(c!.dedupeKey).toBe(`${visitor}:c2`);
  });

  it.each([
    ['not JSON', '{"visitorId":', 'the body is not a JSON object'],
    ['no text', message({ text: undefined }), 'text must be a non-empty string'],
    ['blank text', message({ text: '  \n ' }), 'text must be a non-empty string'],
    ['text that is not a string', message({ text: ['hi'] }), 'text must be a non-empty string'],
    ['text too long', message({ text: 'x'.repeat(4001) }), 'text is longer than 4000 characters'],
    [
      'no clientMessageId',
      message({ clientMessageId: undefined }),
      'clientMessageId must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -',
    ],
    [
      'a clientMessageId with a colon',
      message({ clientMessageId: 'a:b' }),
      'clientMessageId must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -',
    ],
    ['an email that is not one', message({ email: 'ada at example' }), 'email is not an email address'],
    ['a name that is not a string', message({ name: { first: 'Ada' } }), 'name must be a string'],
    ['a name too long', message({ name: 'n'.repeat(201) }), 'name is longer than 200 characters'],
  ])('%s is an InboundPayloadError', (_, body, problem) => {
    let error: unknown;
    try {
      parse(request(body));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InboundPayloadError);
    expect((error as Error).message).toBe(problem);
  });

  it('acknowledges with 202 { ok: true }, readable from the embedding page', () => {
    expect(inbound.ack).toEqual({
      status: 202,
      body: { ok: true },
      headers: { 'access-control-allow-origin': '*', 'cache-control': 'no-store' },
    });
    expect(inbound.handshake).toBeUndefined();
  });
});
