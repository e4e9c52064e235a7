import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../sdk/errors.js';
import { createAjv } from '../../sdk/schema.js';
import { actionContext, directChannels, testAccount } from '../../testkit/channel.js';
import { graphError, startWhatsAppFake, type WhatsAppFake } from '../../testkit/fakes/meta.js';
import { whatsappConnector } from '../index.js';
import { sendTemplateAction } from './send-template.js';

const TOKEN = 'EAAtestaccesstoken123';
const PHONE_ID = '106540352242922';

let wa: WhatsAppFake;
let channels: ReturnType<typeof directChannels>;
beforeAll(async () => {
  wa = await startWhatsAppFake({ accessToken: TOKEN, phoneNumberId: PHONE_ID, appSecret: 'TEST_APP_SECRET' });
  channels = directChannels(whatsappConnector, [
    testAccount({ id: 'cha_wa', credentials: { accessToken: TOKEN, appSecret: 'TEST_APP_SECRET', verifyToken: 'v' }, settings: { phoneNumberId: PHONE_ID, apiBaseUrl: wa.url } }),
  ]);
});
afterAll(() => wa.close());
beforeEach(() => {
  wa.violations.length = 0;
  wa.sent.length = 0;
});

const run = (input: Parameters<typeof sendTemplateAction.run>[1]) => sendTemplateAction.run(actionContext({ channels }), input);

describe('whatsapp.sendTemplate', () => {
  it('sends the template with its language and components', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'A-1042' }, { type: 'text', text: 'Friday' }] }];
    const input = { account: 'cha_wa', to: '16505551234', name: 'order_update', language: 'en_US', components };
    expect(createAjv().compile(sendTemplateAction.input)(input)).toBe(true);
    const out = await run(input);
    expect(wa.sent.map((s) => s.body)).toEqual([{
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '16505551234', type: 'template',
      template: { name: 'order_update', language: { code: 'en_US' }, components },
    }]);
    expect(out).toMatchObject({ channel: 'whatsapp', providerMessageId: wa.sent[0]!.id, to: { kind: 'whatsapp', value: '16505551234' } });
    expect(wa.violations).toEqual([]);
  });

  it('sends a template without variables', async () => {
    await run({ account: 'cha_wa', to: '+16505551234', name: 'hello_world', language: 'en_US', components: null });
    expect(wa.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '16505551234', type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(wa.violations).toEqual([]);
  });

  it('a template Meta does not know (132001) fails the step for good', async () => {
    wa.failNextSend(graphError(404, 132001, "(#132001) Template name does not exist in the translation"));
    const err = await run({ account: 'cha_wa', to: '16505551234', name: 'nope', language: 'en_US' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'validation', retryable: false, code: 'GRAPH_132001' });
  });
});
