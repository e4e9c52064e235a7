import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type OutboundMessage } from '../sdk/index.js';
import { memoryLogger, testAccount } from '../testkit/channel.js';
import { graphError, startWhatsAppFake, type WhatsAppFake } from '../testkit/fakes/meta.js';
import { whatsappConnector } from './index.js';

const TOKEN = 'EAAtestaccesstoken123';
const PHONE_ID = '106540352242922';
const SECRET = 'TEST_APP_SECRET';

let wa: WhatsAppFake;
beforeAll(async () => {
  wa = await startWhatsAppFake({ accessToken: TOKEN, phoneNumberId: PHONE_ID, appSecret: SECRET });
});
afterAll(() => wa.close());
beforeEach(() => {
  wa.violations.length = 0;
  wa.sent.length = 0;
});

const account = (over: { token?: string; phoneNumberId?: string } = {}) =>
  testAccount({
    id: 'cha_wa',
    credentials: { accessToken: over.token ?? TOKEN, appSecret: SECRET, verifyToken: 'meatyhamhock' },
    settings: { phoneNumberId: over.phoneNumberId ?? PHONE_ID, apiBaseUrl: wa.url },
  });
const send = (message: OutboundMessage, acc = account()) =>
  whatsappConnector.channel!.send(
    { account: acc, idempotencyKey: 'run_1:send', signal: AbortSignal.timeout(10_000), logger: memoryLogger() },
    message,
  );
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

describe('WhatsApp channel.send', () => {
  it('sends a text message with the documented body and answers the wamid', async () => {
    const result = await send({ to: { kind: 'whatsapp', value: '16505551234' }, text: 'Hello 👋' });
    expect(wa.sent).toHaveLength(1);
    expect(wa.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'text',
      text: { body: 'Hello 👋', preview_url: false },
    });
    expect(result).toEqual({ providerMessageId: wa.sent[0]!.id, status: 'queued', provider: { waId: '16505551234' } });
    expect(wa.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(wa.requests.at(-1)!.path).toBe(`/v23.0/${PHONE_ID}/messages`);
    expect(wa.violations).toEqual([]);
  });

  it('addresses a phone identity without its +', async () => {
    await send({ to: { kind: 'phone', value: '+16505551234' }, text: 'Hi' });
    expect(wa.sent[0]!.body.to).toBe('16505551234');
    expect(wa.violations).toEqual([]);
  });

  it('addresses a WhatsApp id that is not a phone number as given', async () => {
    await send({ to: { kind: 'whatsapp', value: 'US.13491208655302741918' }, text: 'Hi' });
    expect(wa.sent[0]!.body.to).toBe('US.13491208655302741918');
    expect(wa.violations).toEqual([]);
  });

  it('replies in context when thread.inReplyTo is set', async () => {
    await send({
      to: { kind: 'whatsapp', value: '16505551234' },
      text: 'Yes, in blue',
      thread: { inReplyTo: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=' },
    });
    expect(wa.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      context: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=' },
      type: 'text',
      text: { body: 'Yes, in blue', preview_url: false },
    });
    expect(wa.violations).toEqual([]);
  });

  it('sends payload.template as a template message', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'A-1042' }] }];
    await send({
      to: { kind: 'whatsapp', value: '16505551234' },
      payload: { template: { name: 'order_update', language: 'en_US', components } },
    });
    expect(wa.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'template',
      template: { name: 'order_update', language: { code: 'en_US' }, components },
    });
    expect(wa.violations).toEqual([]);
  });

  it.each([
    ['another identity kind', { to: { kind: 'email', value: 'a@b.co' }, text: 'x' }, /whatsapp or phone identity/],
    ['a phone that is not E.164', { to: { kind: 'phone', value: '650 555 1234' }, text: 'x' }, /not an E.164/],
    ['a WhatsApp id with spaces', { to: { kind: 'whatsapp', value: 'Sheena Nelson' }, text: 'x' }, /not a WhatsApp id/],
    ['no text and no template', { to: { kind: 'whatsapp', value: '16505551234' } }, /text is required/],
    [
      'a template without language',
      { to: { kind: 'whatsapp', value: '16505551234' }, payload: { template: { name: 'x' } } },
      /language/,
    ],
    [
      'attachments',
      {
        to: { kind: 'whatsapp', value: '16505551234' },
        text: 'x',
        attachments: [{ type: 'image', ref: 'https://x/y.png' }],
      },
      /attachments are not supported/,
    ],
  ] as const)('refuses %s before calling the API', async (_, message, why) => {
    const before = wa.requests.length;
    const e = await failure(send(message as OutboundMessage));
    expect(e).toMatchObject({ kind: 'validation', retryable: false, code: 'INPUT_INVALID' });
    expect(e.message).toMatch(why);
    expect(wa.requests).toHaveLength(before);
  });

  it('a missing phoneNumberId or token is a config error naming the field, not its value', async () => {
    const noSettings = testAccount({
      id: 'cha_x',
      credentials: { accessToken: TOKEN, appSecret: SECRET, verifyToken: 'v' },
      settings: {},
    });
    expect(await failure(send({ to: { kind: 'whatsapp', value: '1' }, text: 'x' }, noSettings))).toMatchObject({
      kind: 'config',
      code: 'SETTINGS_INVALID',
      message: expect.stringContaining('phoneNumberId is required'),
    });
    const noToken = testAccount({
      id: 'cha_y',
      credentials: { appSecret: SECRET, verifyToken: 'v' },
      settings: { phoneNumberId: PHONE_ID },
    });
    const e = await failure(send({ to: { kind: 'whatsapp', value: '1' }, text: 'x' }, noToken));
    expect(e).toMatchObject({ kind: 'config', code: 'CREDENTIALS_INVALID', details: { fields: ['accessToken'] } });
  });
});

describe('WhatsApp channel.send: Graph errors', () => {
  const text: OutboundMessage = { to: { kind: 'whatsapp', value: '16505551234' }, text: 'Hello' };

  it('a wrong token (190) is auth, not retryable', async () => {
    const e = await failure(send(text, account({ token: 'EAAwrong' })));
    expect(e).toMatchObject({ kind: 'auth', retryable: false, code: 'GRAPH_190' });
    expect(e.message).not.toContain('EAAwrong');
    expect(wa.violations.map((v) => v.message)).toEqual(['missing or wrong Bearer access token']);
  });

  it('an unknown phone number id (100/33) is a config error', async () => {
    expect(await failure(send(text, account({ phoneNumberId: '999' })))).toMatchObject({
      kind: 'config',
      retryable: false,
      code: 'GRAPH_100',
    });
  });

  it('131047 (window closed) fails for good and says to send a template', async () => {
    wa.failNextSend(graphError(400, 131047, '(#131047) Re-engagement message'));
    const e = await failure(send(text));
    expect(e).toMatchObject({
      kind: 'validation',
      retryable: false,
      code: 'GRAPH_131047',
      details: { status: 400, code: 131047 },
    });
    expect(e.message).toMatch(/template/);
    expect(wa.sent).toHaveLength(0);
    expect(wa.violations).toEqual([]);
  });

  it('131026 (undeliverable) fails for good', async () => {
    wa.failNextSend(graphError(400, 131026, '(#131026) Message Undeliverable'));
    expect(await failure(send(text))).toMatchObject({ kind: 'validation', retryable: false, code: 'GRAPH_131026' });
  });

  it('130429 is rate_limited and retryable, with Retry-After as retryAfterMs', async () => {
    wa.failNextSend({ ...graphError(400, 130429, '(#130429) Rate limit hit'), headers: { 'retry-after': '7' } });
    expect(await failure(send(text))).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
      code: 'GRAPH_130429',
    });
  });

  it('130429 without Retry-After is rate_limited with no retryAfterMs', async () => {
    wa.failNextSend(graphError(400, 130429, '(#130429) Rate limit hit'));
    const e = await failure(send(text));
    expect(e).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect(e.retryAfterMs).toBeUndefined();
  });

  it('5xx is a retryable upstream error', async () => {
    wa.failNextSend(
      graphError(500, 2, 'An unexpected error occurred. Please retry your request', 'GraphMethodException'),
    );
    expect(await failure(send(text))).toMatchObject({ kind: 'upstream', retryable: true, code: 'GRAPH_2' });
    wa.failNextSend({ status: 503, body: 'Service Unavailable' });
    expect(await failure(send(text))).toMatchObject({ kind: 'upstream', retryable: true, code: 'HTTP_503' });
  });

  it('a 200 without messages[0].id fails without retry (it may have been sent)', async () => {
    wa.failNextSend({ status: 200, body: { messaging_product: 'whatsapp', messages: [] } });
    expect(await failure(send(text))).toMatchObject({ kind: 'upstream', retryable: false, code: 'BAD_RESPONSE' });
  });

  it('an unreachable API is a retryable upstream error; a cancelled step is not sent', async () => {
    const closed = testAccount({
      id: 'cha_z',
      credentials: { accessToken: TOKEN, appSecret: SECRET, verifyToken: 'v' },
      settings: { phoneNumberId: PHONE_ID, apiBaseUrl: 'http://127.0.0.1:9' },
    });
    expect(await failure(send(text, closed))).toMatchObject({ kind: 'upstream', retryable: true });
    const ctrl = new AbortController();
    ctrl.abort();
    const e = await failure(
      whatsappConnector.channel!.send(
        { account: account(), idempotencyKey: 'k', signal: ctrl.signal, logger: memoryLogger() },
        text,
      ),
    );
    expect(e).toMatchObject({ kind: 'upstream', code: 'ABORTED' });
  });
});
