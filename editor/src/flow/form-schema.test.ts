import { describe, expect, it } from 'vitest';
import { formSchema } from './form-schema.js';

describe('action form schema', () => {
  it('turns x-ui widgets into rjsf widgets and drops formats and hints from the schema', () => {
    const input = {
      type: 'object',
      required: ['account', 'to'],
      anyOf: [{ required: ['body'] }, { required: ['mediaUrls'] }],
      properties: {
        account: { type: 'string', minLength: 1, title: 'Channel account', 'x-ui': { widget: 'channel-account' } },
        to: { type: 'string', format: 'uri' },
        body: { type: 'string', title: 'Message', 'x-ui': { widget: 'textarea' } },
        mediaUrls: { type: 'array', items: { type: 'string' } },
        odd: { type: 'string', 'x-ui': { widget: 'unknown-widget' } },
      },
    };
    const { schema, ui } = formSchema(input);
    expect(schema).toEqual({
      type: 'object',
      required: ['account', 'to'],
      properties: {
        account: { type: 'string', minLength: 1, title: 'Channel account' },
        to: { type: 'string' },
        body: { type: 'string', title: 'Message' },
        mediaUrls: { type: 'array', items: { type: 'string' } },
        odd: { type: 'string' },
      },
    });
    expect(ui).toEqual({
      'ui:submitButtonOptions': { norender: true },
      account: { 'ui:widget': 'channelAccount' },
      body: { 'ui:widget': 'textarea', 'ui:options': { rows: 4 } },
      mediaUrls: { 'ui:field': 'json' },
    });
  });
});
