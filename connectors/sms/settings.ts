// The (non-secret) settings of an SMS account. The sender is `from` (a number), `messagingServiceSid`, or both; the
// schema says so with anyOf, and `settingsOf` checks it again at send time because the platform stores settings as
// given.
import type { ChannelAccount, RateLimit } from '../sdk/channel.js';
import { ConnectorError } from '../sdk/errors.js';
import { createAjv } from '../sdk/schema.js';
import type { JsonSchema } from '../sdk/types.js';
import { RATE_LIMIT_SETTING } from '../sdk/channel-schemas.js';

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

export const SMS_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    from: {
      type: 'string',
      pattern: '^(\\+[1-9][0-9]{1,14}|[0-9]{3,8})$',
      title: 'Sender number',
      description:
        'A Twilio number in E.164 (+14155550123), or a short code. Required unless messagingServiceSid is set.',
    },
    messagingServiceSid: {
      type: 'string',
      pattern: '^MG[0-9a-fA-F]{32}$',
      title: 'Messaging Service SID',
      description: "MG + 32 hex digits: Twilio picks the sender from the service's pool. Required unless from is set.",
    },
    apiBaseUrl: { type: 'string', format: 'uri', default: TWILIO_API_BASE_URL, title: 'API base URL' },
    statusCallback: {
      type: 'boolean',
      default: true,
      title: 'Delivery statuses',
      description: "Ask Twilio to post each message's delivery status to this account's inbound URL.",
    },
    rateLimit: {
      ...RATE_LIMIT_SETTING,
      description:
        'Sends per interval. Default 1 per 1000 ms (a long code); raise it for a short code, toll-free number or Messaging Service.',
    },
  },
  anyOf: [{ required: ['from'] }, { required: ['messagingServiceSid'] }],
};

export interface SmsSettings {
  from?: string;
  messagingServiceSid?: string;
  apiBaseUrl: string;
  statusCallback: boolean;
  rateLimit?: RateLimit;
}

const validate = createAjv({ useDefaults: true }).compile(SMS_SETTINGS_SCHEMA);

/** The account's settings with defaults applied, or a config error listing every problem. */
export function settingsOf(account: ChannelAccount): SmsSettings {
  const settings = structuredClone(account.settings ?? {});
  if (!validate(settings)) {
    const problems = (validate.errors ?? [])
      // anyOf reports each branch's `required` and then itself: one sentence says it better.
      .filter((e) => !e.schemaPath.startsWith('#/anyOf'))
      .map((e) => `${e.instancePath.slice(1) || 'settings'} ${e.message ?? 'is invalid'}`);
    if ((validate.errors ?? []).some((e) => e.schemaPath.startsWith('#/anyOf')))
      problems.unshift('set from (a Twilio number) or messagingServiceSid');
    throw new ConnectorError('config', `SMS account ${account.id}: ${problems.join('; ')}`, {
      code: 'SETTINGS_INVALID',
      retryable: false,
      details: { problems },
    });
  }
  return settings as unknown as SmsSettings;
}
