// The secrets of a Messenger account: the Page access token that sends, the App Secret that signs webhooks, and the
// verify token of the webhook subscription handshake.
import { secretField } from '../meta/account.js';
import { Type, type Static } from '../sdk/index.js';

export const messengerAuth = Type.Object(
  {
    pageAccessToken: secretField('Page access token', 'A Page access token with pages_messaging permission.'),
    appSecret: secretField('App secret', "The Meta app's App Secret (App settings > Basic): it signs every webhook."),
    verifyToken: secretField(
      'Verify token',
      "Any string; enter the same one as the webhook's Verify Token in the app dashboard.",
    ),
  },
  { additionalProperties: false },
);
export type MessengerAuth = Static<typeof messengerAuth>;
