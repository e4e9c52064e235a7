// The (non-secret) settings of an email account: who mail is from, which mailbox is polled and how often. The
// platform stores settings as given, so `settingsOf` validates them again (with defaults) whenever they are used.
import addressparser from 'nodemailer/lib/addressparser';
import { DURATION_PATTERN } from '../flow/duration.js';
import type { ChannelAccount, RateLimit } from '../sdk/channel.js';
import { ConnectorError } from '../sdk/errors.js';
import { createAjv } from '../sdk/schema.js';
import type { JsonSchema } from '../sdk/types.js';
import { RATE_LIMIT_SETTING } from '../sdk/channel-schemas.js';

export const DEFAULT_POLL_INTERVAL = 'PT1M';

export const EMAIL_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['from'],
  properties: {
    from: {
      type: 'string',
      minLength: 3,
      title: 'From',
      description: 'The sender address, optionally with a display name: "Acme Support <support@acme.example>".',
    },
    mailbox: {
      type: 'string',
      minLength: 1,
      default: 'INBOX',
      title: 'Mailbox',
      description: 'The IMAP mailbox polled for inbound mail.',
    },
    pollInterval: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: DEFAULT_POLL_INTERVAL,
      title: 'Poll interval',
      description: 'How often the mailbox is checked, as an ISO-8601 duration (PT1M, PT30S).',
    },
    initialSync: {
      enum: ['new', 'all'],
      default: 'new',
      title: 'First poll',
      description:
        '"new": mail already in the mailbox when polling starts is left alone; "all": it is delivered too, oldest first, in batches.',
    },
    rateLimit: { ...RATE_LIMIT_SETTING, description: "Sends per interval, e.g. your mail provider's hourly quota." },
    tls: {
      type: 'object',
      properties: {
        rejectUnauthorized: {
          type: 'boolean',
          default: true,
          title: 'Verify server certificates',
          description: 'Turn off only for a self-signed test server.',
        },
      },
      additionalProperties: false,
      default: {},
    },
  },
};

export interface EmailSettings {
  /** As configured (display name included), used as the From header. */
  from: string;
  /** The bare, lower-cased address. */
  fromAddress: string;
  fromDomain: string;
  mailbox: string;
  pollInterval: string;
  initialSync: 'new' | 'all';
  rateLimit?: RateLimit;
  tls: { rejectUnauthorized: boolean };
}

const validate = createAjv({ useDefaults: true }).compile(EMAIL_SETTINGS_SCHEMA);
// Deliberately loose, like contacts/normalize.ts: the mail server is the final judge.
const ADDRESS = /^[^\s@]+@([^\s@.]+(\.[^\s@.]+)+)$/;

const invalid = (account: ChannelAccount, problems: string[]) =>
  new ConnectorError('config', `email account ${account.id}: ${problems.join('; ')}`, {
    code: 'SETTINGS_INVALID',
    retryable: false,
    details: { problems },
  });

/** The account's settings with defaults applied, or a config error listing every problem. */
export function settingsOf(account: ChannelAccount): EmailSettings {
  const settings = structuredClone(account.settings ?? {});
  if (!validate(settings)) {
    throw invalid(
      account,
      (validate.errors ?? []).map((e) => `${e.instancePath.slice(1) || 'settings'} ${e.message ?? 'is invalid'}`),
    );
  }
  const s = settings as unknown as Omit<EmailSettings, 'fromAddress' | 'fromDomain'>;
  const parsed = addressparser(s.from, { flatten: true });
  const address = parsed.length === 1 ? parsed[0]!.address.trim().toLowerCase() : '';
  const match = ADDRESS.exec(address);
  if (!match) throw invalid(account, [`from ${JSON.stringify(s.from)} is not one email address`]);
  return { ...s, fromAddress: address, fromDomain: match[1]! };
}
