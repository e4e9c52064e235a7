// Shared fixtures of the SMS tests: one Twilio fake per file and accounts pointing at it.
import type { JsonObject } from '../flow/types.js';
import type { ChannelAccount } from '../sdk/index.js';
import { testAccount } from '../testkit/channel.js';

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'twilio-auth-token-for-tests';
export const SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';
export const OUR_NUMBER = '+14155550000';

/** An SMS account sending from OUR_NUMBER through the fake at `apiBaseUrl`. */
export function smsAccount(
  apiBaseUrl: string,
  over: { settings?: JsonObject; inboundUrl?: string; credentials?: JsonObject; id?: string } = {},
): ChannelAccount {
  return testAccount({
    id: over.id ?? 'cha_sms',
    credentials: over.credentials ?? { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    settings: over.settings ?? { from: OUR_NUMBER, apiBaseUrl },
    ...(over.inboundUrl !== undefined && { inboundUrl: over.inboundUrl }),
  });
}
