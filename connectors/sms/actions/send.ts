// `sms.send`: text (and MMS media) to a phone number from an SMS account. The platform checks consent and the rate
// limit, records the message and calls the channel's send; this only shapes the input.
import {
  ACCOUNT_INPUT,
  ConnectorError,
  SENT_MESSAGE_SCHEMA,
  Type,
  defineAction,
  type Static,
} from '../../sdk/index.js';
import { normalizeCountry } from '../../contacts/normalize.js';
import { attachmentTypeOfUrl } from '../media.js';
import { toE164 } from '../phone.js';

/** Twilio's limits: a Body of up to 1,600 characters, up to ten MediaUrl. */
export const MAX_BODY = 1600;
export const MAX_MEDIA = 10;

export const sendInputSchema = Type.Object(
  {
    account: ACCOUNT_INPUT,
    to: Type.String({
      minLength: 1,
      title: 'To',
      description: 'Phone number, E.164 (+14155550123) or national with a default country.',
    }),
    defaultCountry: Type.Optional(
      Type.Unsafe<string | null>({
        type: ['string', 'null'],
        pattern: '^[A-Za-z]{2}$',
        title: 'Default country',
        description: 'ISO-3166 alpha-2 code for national numbers; defaults to CONFLUO_DEFAULT_COUNTRY.',
      }),
    ),
    body: Type.Optional(Type.String({ maxLength: MAX_BODY, title: 'Message', 'x-ui': { widget: 'textarea' } })),
    mediaUrls: Type.Optional(
      Type.Array(Type.String({ format: 'uri' }), {
        maxItems: MAX_MEDIA,
        title: 'Media URLs',
        description: 'Public http(s) URLs Twilio fetches and sends as MMS (US and Canada).',
      }),
    ),
  },
  { anyOf: [{ required: ['body'] }, { required: ['mediaUrls'] }], additionalProperties: false },
);

export type SmsSendInput = Static<typeof sendInputSchema>;

export interface SendActionOptions {
  /** The country of national numbers when the input names none (CONFLUO_DEFAULT_COUNTRY, read by builtinConnectors). */
  defaultCountry?: string | undefined;
}

export const sendAction = (opts: SendActionOptions = {}) =>
  defineAction({
    id: 'send',
    name: 'Send SMS',
    description: 'Sends a text message (with optional MMS media) to a phone number through Twilio.',
    input: sendInputSchema,
    output: SENT_MESSAGE_SCHEMA,
    ui: { group: 'Messages' },
    async run(ctx, input) {
      const country =
        normalizeCountry(input.defaultCountry) ?? normalizeCountry(opts.defaultCountry, 'CONFLUO_DEFAULT_COUNTRY');
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
        ...(mediaUrls.length > 0 && {
          attachments: mediaUrls.map((ref) => ({ type: attachmentTypeOfUrl(ref), ref })),
        }),
      });
    },
  });
