import { describe, expect, it } from 'vitest';
import { ConnectorError, createAjv } from '../../sdk/index.js';
import { actionContext } from '../../testkit/channel.js';
import { useWhatsAppFake } from '../test-support.js';
import { whatsappConnector } from '../index.js';
import { sendTextAction } from './send-text.js';

const wa = useWhatsAppFake();

const run = (input: Parameters<typeof sendTextAction.run>[1]) =>
  sendTextAction.run(actionContext({ channels: wa.channels }), input);

describe('whatsapp.sendText', () => {
  it("is the connector's sendText action, with a valid input schema", () => {
    expect(whatsappConnector.manifest.actions.map((a) => a.id)).toEqual(['whatsapp.sendText', 'whatsapp.sendTemplate']);
    const validate = createAjv().compile(sendTextAction.input);
    expect(validate({ account: 'cha_wa', to: '16505551234', text: 'hi', replyTo: null })).toBe(true);
    expect(validate({ account: 'cha_wa', to: '16505551234' })).toBe(false);
  });

  it('sends to a WhatsApp id and returns the sent message', async () => {
    const out = await run({ account: 'cha_wa', to: '16505551234', text: 'Your order shipped' });
    expect(wa.fake.sent.map((s) => s.body)).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16505551234',
        type: 'text',
        text: { body: 'Your order shipped', preview_url: false },
      },
    ]);
    expect(out).toEqual({
      id: expect.any(String),
      conversationId: 'cnv_test',
      contactId: null,
      channel: 'whatsapp',
      accountId: 'cha_wa',
      providerMessageId: wa.fake.sent[0]!.id,
      status: 'queued',
      to: { kind: 'whatsapp', value: '16505551234' },
      provider: { waId: '16505551234' },
    });
    expect(createAjv().compile(sendTextAction.output)(out)).toBe(true);
    expect(wa.fake.violations).toEqual([]);
  });

  it('sends to a phone number given in international form, as a phone identity', async () => {
    const out = await run({ account: 'cha_wa', to: '+1 650-555-1234', text: 'hi' });
    expect(out.to).toEqual({ kind: 'phone', value: '+16505551234' });
    expect(wa.fake.sent[0]!.body.to).toBe('16505551234');
  });

  it("replyTo quotes the customer's message (context.message_id)", async () => {
    await run({
      account: 'cha_wa',
      to: '16505551234',
      text: 'Yes',
      replyTo: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
    });
    expect(wa.fake.sent[0]!.body.context).toEqual({
      message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
    });
    expect(wa.fake.violations).toEqual([]);
  });

  it('refuses a recipient that is neither a WhatsApp id nor a phone number', async () => {
    for (const to of ['alice@example.com', 'Sheena Nelson', '+1 000']) {
      const err = await run({ account: 'cha_wa', to, text: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
    }
    expect(wa.fake.sent).toHaveLength(0);
  });
});
