// The (non-secret) settings of an email account: who mail is from, which mailbox is polled and how often. The
// platform stores settings as given, so `readEmailSettings` validates them again (with defaults) whenever they are used.
import addressparser from 'nodemailer/lib/addressparser';
import { DURATION_PATTERN } from '../flow/duration.js';
import {
  ConnectorError,
  Type,
  accountReader,
  rateLimitSetting,
  type ChannelAccount,
  type Static,
} from '../sdk/index.js';

export const DEFAULT_POLL_INTERVAL = 'PT1M';

export const emailSettings = Type.Object({
  from: Type.String({
    minLength: 3,
    title: 'From',
    description: 'The sender address, optionally with a display name: "Acme Support <support@acme.example>".',
  }),
  mailbox: Type.Optional(
    Type.String({
      minLength: 1,
      default: 'INBOX',
      title: 'Mailbox',
      description: 'The IMAP mailbox polled for inbound mail.',
    }),
  ),
  pollInterval: Type.Optional(
    Type.String({
      pattern: DURATION_PATTERN,
      default: DEFAULT_POLL_INTERVAL,
      title: 'Poll interval',
      description: 'How often the mailbox is checked, as an ISO-8601 duration (PT1M, PT30S).',
    }),
  ),
  initialSync: Type.Optional(
    Type.Enum(['new', 'all'], {
      default: 'new',
      title: 'First poll',
      description:
        '"new": mail already in the mailbox when polling starts is left alone; "all": it is delivered too, oldest first, in batches.',
    }),
  ),
  rateLimit: Type.Optional(rateLimitSetting("Sends per interval, e.g. your mail provider's hourly quota.")),
  tls: Type.Optional(
    Type.Object(
      {
        rejectUnauthorized: Type.Optional(
          Type.Boolean({
            default: true,
            title: 'Verify server certificates',
            description: 'Turn off only for a self-signed test server.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  ),
});

type Read = Static<typeof emailSettings>;

/** As read: the defaults applied, and the From address split out. */
export interface EmailSettings extends Required<Omit<Read, 'rateLimit' | 'tls'>> {
  /** The bare, lower-cased address (`from` stays as configured, display name included, for the From header). */
  fromAddress: string;
  fromDomain: string;
  rateLimit?: Read['rateLimit'];
  tls: { rejectUnauthorized: boolean };
}

const readSettings = accountReader(emailSettings, 'email').settings;
// Deliberately loose, like contacts/normalize.ts: the mail server is the final judge.
const ADDRESS = /^[^\s@]+@([^\s@.]+(\.[^\s@.]+)+)$/;

const invalid = (account: ChannelAccount, problems: string[]) =>
  new ConnectorError('config', `email account ${account.id}: ${problems.join('; ')}`, {
    code: 'SETTINGS_INVALID',
    retryable: false,
    details: { problems },
  });

/** The account's settings with defaults applied and From split, or a config error listing every problem. */
export function readEmailSettings(account: ChannelAccount): EmailSettings {
  const s = readSettings(account) as Omit<EmailSettings, 'fromAddress' | 'fromDomain'>;
  const parsed = addressparser(s.from, { flatten: true });
  const address = parsed.length === 1 ? parsed[0]!.address.trim().toLowerCase() : '';
  const match = ADDRESS.exec(address);
  if (!match) throw invalid(account, [`from ${JSON.stringify(s.from)} is not one email address`]);
  return { ...s, fromAddress: address, fromDomain: match[1]! };
}
