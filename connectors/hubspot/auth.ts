// HubSpot credentials: a private app's access token (Settings > Integrations > Private Apps > Auth), sent as
// `Authorization: Bearer` (NOTES.md "Security schemes"), and the app's client secret, which signs webhooks
// (X-HubSpot-Signature-v3; HubSpot's "Validating requests" page).
import { Type, accountReader, type Static } from '../sdk/index.js';

export const hubspotAuth = Type.Object(
  {
    accessToken: Type.String({
      pattern: '^[A-Za-z0-9._-]{8,512}$',
      title: 'Access token',
      description:
        'The private app access token (pat-...) with the crm.objects.contacts.read/write and crm.objects.deals.read/write scopes.',
      writeOnly: true,
      'x-ui': { widget: 'password' },
    }),
    clientSecret: Type.Optional(
      Type.String({
        minLength: 1,
        title: 'Client secret',
        description:
          "The private app's client secret (Auth tab); verifies the webhooks HubSpot sends. Without it, webhooks are refused.",
        writeOnly: true,
        'x-ui': { widget: 'password' },
      }),
    ),
  },
  { additionalProperties: false },
);
export type HubspotAuth = Static<typeof hubspotAuth>;

export const readHubspotAuth = accountReader(hubspotAuth, 'HubSpot').credentials;
