// Email account credentials: the SMTP server mail is sent through and, optionally, the IMAP server inbound mail is
// polled from (an account without `imap` only sends). Validated again when used: the platform stores what it got.
import { Type, accountReader, type ChannelAccount, type Static } from '../sdk/index.js';

const secret = (title: string) => Type.String({ title, writeOnly: true, 'x-ui': { widget: 'password' } });
const host = () => Type.String({ minLength: 1, title: 'Host' });
const port = (description: string) => Type.Integer({ minimum: 1, maximum: 65535, title: 'Port', description });
const secure = (description: string) => Type.Optional(Type.Boolean({ title: 'TLS from the start', description }));

export const emailAuth = Type.Object(
  {
    smtp: Type.Object(
      {
        host: host(),
        port: port('587 (STARTTLS) or 465 (TLS) usually; 25 for a local relay.'),
        secure: secure('Default: true on port 465; otherwise STARTTLS is used when the server offers it.'),
        user: Type.Optional(Type.String({ title: 'User' })),
        pass: Type.Optional(secret('Password')),
      },
      { title: 'SMTP (sending)', dependentRequired: { user: ['pass'] }, additionalProperties: false },
    ),
    imap: Type.Optional(
      Type.Object(
        {
          host: host(),
          port: port('993 (TLS) usually; 143 with STARTTLS.'),
          secure: secure('Default: true on port 993; otherwise STARTTLS is used when the server offers it.'),
          user: Type.String({ minLength: 1, title: 'User' }),
          pass: secret('Password'),
        },
        {
          title: 'IMAP (receiving)',
          description: 'Leave out for an account that only sends.',
          additionalProperties: false,
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type EmailAuth = Static<typeof emailAuth>;

/** One server's credentials as read: `secure` defaulted from the port. */
export type ServerCredentials = EmailAuth['smtp'] & { secure: boolean };

export interface EmailCredentials {
  smtp: ServerCredentials;
  imap?: NonNullable<EmailAuth['imap']> & { secure: boolean };
}

const readAuth = accountReader(emailAuth, 'email').credentials;

/** The account's credentials with `secure` defaulted from the port, or a config error naming the fields (never values). */
export function readEmailAuth(account: ChannelAccount): EmailCredentials {
  const c = readAuth(account);
  return {
    smtp: { ...c.smtp, secure: c.smtp.secure ?? c.smtp.port === 465 },
    ...(c.imap && { imap: { ...c.imap, secure: c.imap.secure ?? c.imap.port === 993 } }),
  };
}
