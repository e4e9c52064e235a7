import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SENT_MESSAGE_SCHEMA, ConnectorError, createAjv, type Connector } from '../../sdk/index.js';
import { actionContext, directChannels } from '../../testkit/channel.js';
import { startTwilioFake, type TwilioFake } from '../../testkit/fakes/twilio.js';
import { builtinConnectors } from '../../builtin.js';
import { createSmsConnector, smsConnector } from '../index.js';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, smsAccount } from '../test-support.js';
import type { SmsSendInput } from './send.js';

let tw: TwilioFake;
beforeAll(async () => {
  tw = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});
afterAll(() => tw.close());
beforeEach(() => {
  tw.violations.length = 0;
  tw.created.length = 0;
  tw.requests.length = 0;
});
const savedCountry = process.env.CONFLUO_DEFAULT_COUNTRY;
afterEach(() => {
  if (savedCountry === undefined) delete process.env.CONFLUO_DEFAULT_COUNTRY;
  else process.env.CONFLUO_DEFAULT_COUNTRY = savedCountry;
});

const action = smsConnector.actions.find((a) => a.id === 'send')!;
const ajv = createAjv();
const validInput = ajv.compile(action.input);
const validOutput = ajv.compile(action.output);

function run(input: SmsSendInput, connector: Connector = smsConnector) {
  const account = smsAccount(tw.url);
  const channels = directChannels(connector, [account]);
  const send = connector.actions.find((a) => a.id === 'send')!;
  return { channels, account, result: send.run(actionContext({ channels }), input) };
}
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

describe('sms.send', () => {
  it('is the manifest action sms.send with the sent-message output', () => {
    expect(smsConnector.manifest.actions.map((a) => a.id)).toEqual(['sms.send']);
    expect(action.output).toBe(SENT_MESSAGE_SCHEMA);
  });

  it('normalizes a national number with defaultCountry and sends through the channel', async () => {
    const input = { account: 'cha_sms', to: '(415) 555-2345', defaultCountry: 'us', body: 'Your table is ready' };
    expect(validInput(input)).toBe(true);
    const { result, account } = run(input);
    const out = await result;
    expect(tw.created).toEqual([
      { To: '+14155552345', From: OUR_NUMBER, Body: 'Your table is ready', StatusCallback: account.inboundUrl },
    ]);
    expect(tw.violations).toEqual([]);
    expect(out).toEqual({
      id: 'msg_1',
      conversationId: 'cnv_test',
      contactId: null,
      channel: 'sms',
      accountId: 'cha_sms',
      providerMessageId: tw.messages.at(-1)!.sid,
      status: 'queued',
      to: { kind: 'phone', value: '+14155552345' },
      provider: expect.objectContaining({ sid: tw.messages.at(-1)!.sid }),
    });
    expect(validOutput(out)).toBe(true);
  });

  it('uses CONFLUO_DEFAULT_COUNTRY when the input gives none', async () => {
    process.env.CONFLUO_DEFAULT_COUNTRY = 'FR';
    // Read where the built-in connectors are made, not inside the action.
    const sms = builtinConnectors().find((c) => c.id === 'sms')!;
    const { result, channels } = run({ account: 'cha_sms', to: '06 12 34 56 78', body: 'Bonjour' }, sms);
    await result;
    expect(channels.sent[0]!.to).toEqual({ kind: 'phone', value: '+33612345678' });
  });

  it("uses the connector's defaultCountry, not the environment, when made with one", async () => {
    process.env.CONFLUO_DEFAULT_COUNTRY = 'US';
    const sms = createSmsConnector({ defaultCountry: 'FR' });
    const { result, channels } = run({ account: 'cha_sms', to: '06 12 34 56 78', body: 'Bonjour' }, sms);
    await result;
    expect(channels.sent[0]!.to).toEqual({ kind: 'phone', value: '+33612345678' });
  });

  it('sends media URLs as MMS (with or without a body)', async () => {
    const { result, channels } = run({
      account: 'cha_sms',
      to: '+14155552345',
      mediaUrls: ['https://cdn.example.com/menu.png', 'https://cdn.example.com/card.vcf'],
    });
    await result;
    expect(tw.created[0]).toMatchObject({
      MediaUrl: ['https://cdn.example.com/menu.png', 'https://cdn.example.com/card.vcf'],
    });
    expect(tw.created[0]).not.toHaveProperty('Body');
    expect(tw.violations).toEqual([]);
    expect(channels.sent).toHaveLength(1);
  });

  it.each([
    [
      'a national number with no country',
      { to: '415 555 2345', body: 'x' },
      'to: "415 555 2345" is not a valid phone number',
    ],
    ['a media URL Twilio cannot fetch', { to: '+14155552345', mediaUrls: ['ftp://example.com/a.png'] }, 'mediaUrls/0'],
    ['an empty body and no media', { to: '+14155552345', body: '' }, 'nothing to send'],
  ])('%s fails validation without sending', async (_, input, message) => {
    delete process.env.CONFLUO_DEFAULT_COUNTRY;
    const err = await failure(run({ account: 'cha_sms', ...input }).result);
    expect(err).toMatchObject({ kind: 'validation', retryable: false });
    expect(err.message).toContain(message);
    expect(tw.requests).toEqual([]);
  });

  it.each([
    ['neither body nor mediaUrls', { account: 'a', to: '+1' }],
    ['a body over 1600 characters', { account: 'a', to: '+1', body: 'x'.repeat(1601) }],
    [
      'more than ten media',
      { account: 'a', to: '+1', mediaUrls: Array.from({ length: 11 }, (_, i) => `https://x.example/${i}.png`) },
    ],
    ['an unknown field', { account: 'a', to: '+1', body: 'x', from: '+1555' }],
  ])('the input schema refuses %s', (_, input) => {
    expect(validInput(input)).toBe(false);
  });
});
