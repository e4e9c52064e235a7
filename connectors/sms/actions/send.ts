// `sms.send`: text (and MMS media) to a phone number from an SMS account. The platform checks consent and the rate
// limit, records the message and calls the channel's send; this only shapes the input.
import type { SentMessage } from '../../sdk/channel.js';
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { ActionDefinition } from '../../sdk/types.js';
import { normalizeCountry } from '../../contacts/normalize.js';
import { attachmentTypeOfUrl } from '../media.js';
import { toE164 } from '../phone.js';

export interface SmsSendInput {
  account: string;
  to: string;
  defaultCountry?: string | null;
  body?: string;
  mediaUrls?: string[];
}

/** Twilio's limits: a Body of up to 1,600 characters, up to ten MediaUrl. */
export const MAX_BODY = 1600;
export const MAX_MEDIA = 10;

export const sendInputSchema = {
  type: 'object',
  properties: {
    account: ACCOUNT_INPUT,
    to: {
      type: 'string',
      minLength: 1,
      title: 'To',
      description: 'Phone number, E.164 (+14155550123) or national with a default country.',
    },
    defaultCountry: {
      type: ['string', 'null'],
      pattern: '^[A-Za-z]{2}$',
      title: 'Default country',
      description: 'ISO-3166 alpha-2 code for national numbers; defaults to CONFLUO_DEFAULT_COUNTRY.',
    },
    body: { type: 'string', maxLength: MAX_BODY, title: 'Message', 'x-ui': { widget: 'textarea' } },
    mediaUrls: {
      type: 'array',
      items: { type: 'string', format: 'uri' },
      maxItems: MAX_MEDIA,
      title: 'Media URLs',
      description: 'Public http(s) URLs Twilio fetches and sends as MMS (US and Canada).',
    },
  },
  required: ['account', 'to'],
  anyOf: [{ required: ['body'] }, { required: ['mediaUrls'] }],
  additionalProperties: false,
};

export const sendAction: ActionDefinition<SmsSendInput, SentMessage> = {
  id: 'send',
  name: 'Send SMS',
  description: 'Sends a text message (with optional MMS media) to a phone number through Twilio.',
  input: sendInputSchema,
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  async run(ctx, input) {
    const country =
      normalizeCountry(input.defaultCountry) ??
      normalizeCountry(process.env.CONFLUO_DEFAULT_COUNTRY, 'CONFLUO_DEFAULT_COUNTRY');
    const to = toE164(input.to, country, 'to');
    const mediaUrls = input.mediaUrls ?? [];
    mediaUrls.forEach((url, i) => {
      if (!/^https?:\/\//i.test(url)) {
        throw new ConnectorError('validation', `mediaUrls/${i}: must be an http or https URL Twilio can fetch`, {
          code: 'INPUT_INVALID',
          retryable: false,
          details: { field: `mediaUrls/${i}` },
        });
      }
    });
    const text = input.body ?? '';
    if (text === '' && mediaUrls.length === 0) {
      throw new ConnectorError('validation', 'body: empty, and no mediaUrls: nothing to send', {
        code: 'INPUT_INVALID',
        retryable: false,
        details: { field: 'body' },
      });
    }
    return ctx.services.channels.send(input.account, {
      to: { kind: 'phone', value: to },
      ...(text !== '' && { text }),
      ...(mediaUrls.length > 0 && { attachments: mediaUrls.map((ref) => ({ type: attachmentTypeOfUrl(ref), ref })) }),
    });
  },
};
