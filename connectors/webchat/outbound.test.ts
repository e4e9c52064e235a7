import { describe, expect, it } from 'vitest';
import { ConnectorError, createAjv, type OutboundMessage } from '../sdk/index.js';
import { actionContext, directChannels, memoryLogger, testAccount } from '../testkit/index.js';
import { webchatConnector } from './index.js';
import { isWidgetSecret } from './auth.js';
import { providerMessageIdFor } from './outbound.js';

const channel = webchatConnector.channel!;
const account = testAccount({ id: 'cha_wc', credentials: { widgetSecret: 's'.repeat(43) } });
const visitor = 'v_visitor0000000000000001';
const send = (message: OutboundMessage, idempotencyKey = 'run_1:reply') =>
  channel.send({ account, idempotencyKey, signal: AbortSignal.timeout(1000), logger: memoryLogger() }, message);

describe('webchat send', () => {
  it('names the message after the step (the same on a retry) and reports it delivered', async () => {
    const first = await send({ to: { kind: 'webchat', value: visitor }, text: 'Hi Ada' });
    expect(first).toEqual({ providerMessageId: providerMessageIdFor('run_1:reply'), status: 'delivered' });
    expect(first.providerMessageId).toMatch(/^wc_[0-9a-f]{32}$/);
    expect(await send({ to: { kind: 'webchat', value: visitor }, text: 'Hi Ada' })).toEqual(first);
    expect(
      (await send({ to: { kind: 'webchat', value: visitor }, text: 'Hi Ada' }, 'run_2:reply')).providerMessageId,
    ).not.toBe(first.providerMessageId);
  });

  it("a reply threaded on the visitor's message, with email-only fields, still sends its text", async () => {
    const out = await send({
      to: { kind: 'webchat', value: visitor },
      text: 'Thanks',
      subject: 'ignored',
      thread: { inReplyTo: `${visitor}:c1` },
    });
    expect(out.status).toBe('delivered');
  });

  it.each<[string, OutboundMessage, string]>([
    ['another identity kind', { to: { kind: 'email', value: 'a@b.example' }, text: 'x' }, 'INPUT_INVALID'],
    ['a malformed visitor id', { to: { kind: 'webchat', value: 'a b' }, text: 'x' }, 'INPUT_INVALID'],
    ['no text', { to: { kind: 'webchat', value: visitor } }, 'INPUT_INVALID'],
    ['blank text', { to: { kind: 'webchat', value: visitor }, text: '   ' }, 'INPUT_INVALID'],
    ['text too long', { to: { kind: 'webchat', value: visitor }, text: 'x'.repeat(4001) }, 'INPUT_INVALID'],
    [
      'attachments',
      {
        to: { kind: 'webchat', value: visitor },
        text: 'x',
        attachments: [{ type: 'image', ref: 'https://x.example/a.png' }],
      },
      'ATTACHMENTS_UNSUPPORTED',
    ],
    ['a payload', { to: { kind: 'webchat', value: visitor }, text: 'x', payload: { blocks: [] } }, 'INPUT_INVALID'],
  ])('refuses %s as a non-retryable validation error', async (_, message, code) => {
    const err = await send(message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'validation', code, retryable: false });
  });
});

describe('webchat register', () => {
  const register = (credentials: Record<string, string>) =>
    channel.register!({
      account: testAccount({ id: 'cha_wc', credentials }),
      signal: AbortSignal.timeout(1000),
      logger: memoryLogger(),
    });

  it('generates a widget secret when the account has none', async () => {
    const a = (await register({})) as { credentials: { widgetSecret: string } };
    const b = (await register({})) as { credentials: { widgetSecret: string } };
    expect(isWidgetSecret(a.credentials.widgetSecret)).toBe(true);
    expect(a.credentials.widgetSecret).toHaveLength(43);
    expect(a.credentials.widgetSecret).not.toBe(b.credentials.widgetSecret);
  });

  it('keeps a valid secret (re-registration after a settings change signs nobody out)', async () => {
    expect(await register({ widgetSecret: 'k'.repeat(40) })).toEqual({});
  });

  it('the auth schema accepts no secret or a long one, and nothing else', () => {
    const validate = createAjv().compile(webchatConnector.auth!);
    expect(validate({})).toBe(true);
    expect(validate({ widgetSecret: 'k'.repeat(43) })).toBe(true);
    expect(validate({ widgetSecret: 'short' })).toBe(false);
    expect(validate({ widgetSecret: 'k'.repeat(43), apiKey: 'x' })).toBe(false);
  });
});

describe('webchat.sendMessage', () => {
  const action = webchatConnector.actions.find((a) => a.id === 'sendMessage')!;

  it('is listed on the webchat channel with the channel trigger', () => {
    expect(webchatConnector.manifest.actions.map((a) => a.id)).toEqual(['webchat.sendMessage']);
    expect(webchatConnector.manifest.triggers.map((t) => t.id)).toEqual(['webchat.message']);
    expect(webchatConnector.manifest.channel).toEqual({
      name: 'webchat',
      addressKinds: ['webchat'],
      settings: expect.any(Object),
      inbound: 'webhook',
      handshake: false,
    });
  });

  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'cha_wc', visitorId: visitor, text: 'hi' })).toBe(true);
    expect(validate({ account: 'cha_wc', visitorId: 'v:1', text: 'hi' })).toBe(false);
    expect(validate({ account: 'cha_wc', visitorId: visitor, text: '' })).toBe(false);
    expect(validate({ visitorId: visitor, text: 'hi' })).toBe(false);
    expect(validate({ account: 'cha_wc', visitorId: visitor, text: 'hi', extra: 1 })).toBe(false);
  });

  it('sends through the platform to the visitor', async () => {
    const channels = directChannels(webchatConnector, [account]);
    const out = await action.run(actionContext({ channels }), {
      account: 'cha_wc',
      visitorId: visitor,
      text: 'Your order shipped',
    });
    expect(out).toEqual({
      id: 'msg_1',
      conversationId: 'cnv_test',
      contactId: null,
      channel: 'webchat',
      accountId: 'cha_wc',
      providerMessageId: providerMessageIdFor('run_test:step'),
      status: 'delivered',
      to: { kind: 'webchat', value: visitor },
    });
    expect(createAjv().compile(action.output)(out)).toBe(true);
  });
});
