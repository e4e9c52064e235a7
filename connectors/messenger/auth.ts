// The secrets of a Messenger account: the Page access token that sends, the App Secret that signs webhooks, and the
// verify token of the webhook subscription handshake.
import { secretField } from '../meta/account.js';
import type { JsonSchema } from '../sdk/types.js';

export const MESSENGER_AUTH: JsonSchema = {
  type: 'object',
  required: ['pageAccessToken', 'appSecret', 'verifyToken'],
  properties: {
    pageAccessToken: secretField('Page access token', 'A Page access token with pages_messaging permission.'),
    appSecret: secretField('App secret', "The Meta app's App Secret (App settings > Basic): it signs every webhook."),
    verifyToken: secretField(
      'Verify token',
      "Any string; enter the same one as the webhook's Verify Token in the app dashboard.",
    ),
  },
  additionalProperties: false,
};

export interface MessengerCredentials {
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
}
