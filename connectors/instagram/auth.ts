// The secrets of an Instagram messaging account: the access token that sends (a Page access token of the linked Page,
// or an Instagram User token with apiBaseUrl https://graph.instagram.com), the App Secret that signs webhooks, and
// the verify token of the webhook subscription handshake.
import { secretField } from '../meta/account.js';
import { Type, type Static } from '../sdk/index.js';

export const instagramAuth = Type.Object(
  {
    accessToken: secretField(
      'Access token',
      'A token with instagram_manage_messages (Facebook Login) or instagram_business_manage_messages (Instagram Login).',
    ),
    appSecret: secretField('App secret', "The Meta app's App Secret (App settings > Basic): it signs every webhook."),
    verifyToken: secretField(
      'Verify token',
      "Any string; enter the same one as the webhook's Verify Token in the app dashboard.",
    ),
  },
  { additionalProperties: false },
);
export type InstagramAuth = Static<typeof instagramAuth>;
