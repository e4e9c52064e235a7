import { describe, expect, it } from 'vitest';
import { ConnectorError, createAjv } from '../../sdk/index.js';
import { actionContext } from '../../testkit/channel.js';
import { useWhatsAppFake } from '../test-support.js';
import { graphError } from '../../testkit/fakes/meta.js';
import { sendTemplateAction } from './send-template.js';

const wa = useWhatsAppFake();

const run = (input: Parameters<typeof sendTemplateAction.run>[1]) =>
  sendTemplateAction.run(actionContext({ channels: wa.channels }), input);

describe('whatsapp.sendTemplate', () => {
  it('sends the template with its language and components', async () => {
    const components = [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'A-1042' },
          { type: 'text', text: 'Friday' },
        ],
      },
    ];
    const input = { account: 'cha_wa', to: '16505551234', name: 'order_update', language: 'en_US', components };
    expect(createAjv().compile(sendTemplateAction.input)(input)).toBe(true);
    const out = await run(input);
    expect(wa.fake.sent.map((s) => s.body)).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16505551234',
        type: 'template',
        template: { name: 'order_update', language: { code: 'en_US' }, components },
      },
    ]);
    expect(out).toMatchObject({
      channel: 'whatsapp',
      providerMessageId: wa.fake.sent[0]!.id,
      to: { kind: 'whatsapp', value: '16505551234' },
    });
    expect(wa.fake.violations).toEqual([]);
  });

  it('sends a template without variables', async () => {
    await run({ account: 'cha_wa', to: '+16505551234', name: 'hello_world', language: 'en_US', components: null });
    expect(wa.fake.sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(wa.fake.violations).toEqual([]);
  });

  it('a template Meta does not know (132001) fails the step for good', async () => {
    wa.fake.failNextSend(graphError(404, 132001, '(#132001) Template name does not exist in the translation'));
    const err = await run({ account: 'cha_wa', to: '16505551234', name: 'nope', language: 'en_US' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'validation', retryable: false, code: 'GRAPH_132001' });
  });
});
