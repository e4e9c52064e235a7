// Email account credentials: the SMTP server mail is sent through and, optionally, the IMAP server inbound mail is
// polled from (an account without `imap` only sends). Validated again when used: the platform stores what it got.
import type { ChannelAccount } from '../sdk/channel.js';
import { ConnectorError } from '../sdk/errors.js';
import { createAjv } from '../sdk/schema.js';
import type { JsonSchema } from '../sdk/types.js';

const secret = (title: string) => ({ type: 'string', title, writeOnly: true, 'x-ui': { widget: 'password' } });
const host = { type: 'string', minLength: 1, title: 'Host' };
const port = { type: 'integer', minimum: 1, maximum: 65535, title: 'Port' };

export const EMAIL_AUTH_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['smtp'],
  properties: {
    smtp: {
      type: 'object',
      title: 'SMTP (sending)',
      required: ['host', 'port'],
      properties: {
        host,
        port: { ...port, description: '587 (STARTTLS) or 465 (TLS) usually; 25 for a local relay.' },
        secure: {
          type: 'boolean',
          title: 'TLS from the start',
          description: 'Default: true on port 465; otherwise STARTTLS is used when the server offers it.',
        },
        user: { type: 'string', title: 'User' },
        pass: secret('Password'),
      },
      dependentRequired: { user: ['pass'] },
      additionalProperties: false,
    },
    imap: {
      type: 'object',
      title: 'IMAP (receiving)',
      description: 'Leave out for an account that only sends.',
      required: ['host', 'port', 'user', 'pass'],
      properties: {
        host,
        port: { ...port, description: '993 (TLS) usually; 143 with STARTTLS.' },
        secure: {
          type: 'boolean',
          title: 'TLS from the start',
          description: 'Default: true on port 993; otherwise STARTTLS is used when the server offers it.',
        },
        user: { type: 'string', minLength: 1, title: 'User' },
        pass: secret('Password'),
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

export interface ServerCredentials {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
}

export interface EmailCredentials {
  smtp: ServerCredentials;
  imap?: ServerCredentials & { user: string; pass: string };
}

const validate = createAjv().compile(EMAIL_AUTH_SCHEMA);

/** The account's credentials with `secure` defaulted from the port, or a config error naming the problems (never values). */
export function credentialsOf(account: ChannelAccount): EmailCredentials {
  if (!validate(account.credentials)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath.slice(1) || 'credentials'} ${e.message ?? 'is invalid'}`,
    );
    throw new ConnectorError('config', `email account ${account.id}: invalid credentials: ${problems.join('; ')}`, {
      code: 'CREDENTIALS_INVALID',
      retryable: false,
      details: { problems },
    });
  }
  const c = account.credentials as unknown as {
    smtp: Omit<ServerCredentials, 'secure'> & { secure?: boolean };
    imap?: EmailCredentials['imap'];
  };
  return {
    smtp: { ...c.smtp, secure: c.smtp.secure ?? c.smtp.port === 465 },
    ...(c.imap && { imap: { ...c.imap, secure: c.imap.secure ?? c.imap.port === 993 } }),
  };
}
