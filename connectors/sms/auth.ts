// The secrets of an SMS account: Twilio's Account SID and auth token. The token both authenticates API calls (HTTP
// Basic) and keys the X-Twilio-Signature HMAC on inbound webhooks, so API keys (SK…) cannot replace it.
import type { ChannelAccount } from '../sdk/channel.js';
import { ConnectorError } from '../sdk/errors.js';
import { createAjv } from '../sdk/schema.js';
import type { JsonSchema } from '../sdk/types.js';

export const SMS_AUTH_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['accountSid', 'authToken'],
  properties: {
    accountSid: {
      type: 'string',
      pattern: '^AC[0-9a-fA-F]{32}$',
      title: 'Account SID',
      description: 'AC followed by 32 hex digits (Twilio Console, Account info).',
    },
    authToken: { type: 'string', minLength: 1, title: 'Auth token', 'x-ui': { widget: 'password' } },
  },
  additionalProperties: false,
};

export interface SmsCredentials {
  accountSid: string;
  authToken: string;
}

const validate = createAjv().compile(SMS_AUTH_SCHEMA);

/** The account's credentials, or a config error naming the fields at fault (never their values). */
export function credentialsOf(account: ChannelAccount): SmsCredentials {
  if (!validate(account.credentials)) {
    const fields = [
      ...new Set(
        (validate.errors ?? []).map(
          (e) =>
            e.instancePath.slice(1) || String(e.params.missingProperty ?? e.params.additionalProperty ?? 'credentials'),
        ),
      ),
    ];
    throw new ConnectorError(
      'config',
      `SMS account ${account.id}: credentials are invalid (${fields.join(', ')}); set accountSid (AC + 32 hex digits) and authToken`,
      {
        code: 'CREDENTIALS_INVALID',
        retryable: false,
        details: { fields },
      },
    );
  }
  return account.credentials as unknown as SmsCredentials;
}
