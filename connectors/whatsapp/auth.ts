// The secrets of a WhatsApp Cloud API account: the access token that sends (a system-user token, Bearer), the App
// Secret that keys X-Hub-Signature-256 on webhooks, and the verify token of the webhook subscription handshake.
import { secretField } from '../meta/account.js';
import { Type, accountReader, type Static } from '../sdk/index.js';

export const whatsappAuth = Type.Object(
  {
    accessToken: secretField('Access token', 'A system-user access token with whatsapp_business_messaging permission.'),
    appSecret: secretField('App secret', "The Meta app's App Secret (App settings > Basic): it signs every webhook."),
    verifyToken: secretField(
      'Verify token',
      "Any string; enter the same one as the webhook's Verify Token in the app dashboard.",
    ),
  },
  { additionalProperties: false },
);
export type WhatsappAuth = Static<typeof whatsappAuth>;

export const readWhatsappAuth = accountReader(whatsappAuth, 'WhatsApp').credentials;
