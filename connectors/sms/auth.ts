// The secrets of an SMS account: Twilio's Account SID and auth token. The token both authenticates API calls (HTTP
// Basic) and keys the X-Twilio-Signature HMAC on inbound webhooks, so API keys (SK…) cannot replace it.
import { Type, accountReader, type Static } from '../sdk/index.js';

export const smsAuth = Type.Object(
  {
    accountSid: Type.String({
      pattern: '^AC[0-9a-fA-F]{32}$',
      title: 'Account SID',
      description: 'AC followed by 32 hex digits (Twilio Console, Account info).',
    }),
    authToken: Type.String({ minLength: 1, title: 'Auth token', 'x-ui': { widget: 'password' } }),
  },
  { additionalProperties: false },
);
export type SmsAuth = Static<typeof smsAuth>;

/** The account's credentials, or a config error naming the fields at fault (never their values). */
export const readSmsAuth = accountReader(smsAuth, 'SMS', {
  hint: 'set accountSid (AC + 32 hex digits) and authToken',
}).credentials;
