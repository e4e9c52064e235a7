// The (non-secret) settings of an SMS account. The sender is `from` (a number), `messagingServiceSid`, or both; the
// schema says so with anyOf, and `readSmsSettings` checks it again at send time because the platform stores settings as
// given.
import { Type, accountReader, defineProvider, rateLimitSetting, type Static, type WithDefaults } from '../sdk/index.js';

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

/** Twilio's REST API: calls go to api.twilio.com unless the operator allows another host (a proxy, a test fake). */
export const twilioApi = defineProvider({
  name: 'Twilio REST API',
  hosts: ['api.twilio.com'],
  defaultBaseUrl: TWILIO_API_BASE_URL,
});

export const smsSettings = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        pattern: '^(\\+[1-9][0-9]{1,14}|[0-9]{3,8})$',
        title: 'Sender number',
        description:
          'A Twilio number in E.164 (+14155550123), or a short code. Required unless messagingServiceSid is set.',
      }),
    ),
    messagingServiceSid: Type.Optional(
      Type.String({
        pattern: '^MG[0-9a-fA-F]{32}$',
        title: 'Messaging Service SID',
        description:
          "MG + 32 hex digits: Twilio picks the sender from the service's pool. Required unless from is set.",
      }),
    ),
    apiBaseUrl: Type.Optional(twilioApi.baseUrlField()),
    statusCallback: Type.Optional(
      Type.Boolean({
        default: true,
        title: 'Delivery statuses',
        description: "Ask Twilio to post each message's delivery status to this account's inbound URL.",
      }),
    ),
    rateLimit: Type.Optional(
      rateLimitSetting(
        'Sends per interval. Default 1 per 1000 ms (a long code); raise it for a short code, toll-free number or Messaging Service.',
      ),
    ),
  },
  { anyOf: [{ required: ['from'] }, { required: ['messagingServiceSid'] }] },
);
/** With the defaults applied: `apiBaseUrl` and `statusCallback` are always there. */
export type SmsSettings = WithDefaults<Static<typeof smsSettings>, 'apiBaseUrl' | 'statusCallback'>;

/** The account's settings with defaults applied, or a config error listing every problem. */
export const readSmsSettings = accountReader<typeof smsSettings, SmsSettings>(smsSettings, 'SMS', {
  hint: 'set from (a Twilio number) or messagingServiceSid',
}).settings;
