// Shapes of /api/channel-accounts. Credentials go in and never come out: responses name their keys only.
import { Type, type Static } from 'typebox';
import { DateTime, Limit } from './common.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Credentials = Type.Record(Type.String(), Type.Unknown(), {
  description:
    "Secret. Checked against the connector's `auth` schema, encrypted at rest (AES-256-GCM), never returned or logged.",
});
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description: "Not secret: checked against the channel's settings schema, stored and returned as given.",
});

export const CreateChannelAccountBody = Type.Object({
  connector: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'A connector id from `GET /api/connectors`, e.g. `telegram`',
  }),
  name: Name,
  credentials: Credentials,
  settings: Type.Optional(Settings),
});
export type CreateChannelAccountBody = Static<typeof CreateChannelAccountBody>;

export const UpdateChannelAccountBody = Type.Object({
  name: Type.Optional(Name),
  credentials: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'Replaces the stored credentials as a whole.' }),
  ),
  settings: Type.Optional(Settings),
});
export type UpdateChannelAccountBody = Static<typeof UpdateChannelAccountBody>;

export const ChannelAccount = Type.Object({
  id: Type.String(),
  connector: Type.String(),
  name: Type.String(),
  settings: Settings,
  inboundUrl: Type.String({
    description:
      "Where the provider delivers this account's webhooks (the channel gateway, `GET|POST /hooks/channels/:id`).",
  }),
  credentialsSet: Type.Literal(true),
  credentialKeys: Type.Array(Type.String(), { description: 'Names of the stored credentials, never their values.' }),
  credentialsReadable: Type.Boolean({
    description:
      'false when the stored credentials do not decrypt with the configured CONFLUO_SECRET_KEY: set them again.',
  }),
  crmSync: Type.Optional(
    Type.Object(
      {
        error: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), at: DateTime }), Type.Null()], {
          description:
            'What stopped the sync for the whole account (the CRM refused the credentials or a setting); it is ' +
            'tried again every minute and clears once a round goes through. null: running.',
        }),
        polledAt: Type.Union([DateTime, Type.Null()], { description: "The catch-up poll's last run." }),
        pending: Type.Integer({ minimum: 0, description: 'Contacts whose change waits to be written to the CRM.' }),
      },
      { description: 'CRM accounts only: the two-way contact sync.' },
    ),
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type ChannelAccount = Static<typeof ChannelAccount>;

export const ChannelAccountListQuery = Type.Object({
  connector: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ChannelAccountListQuery = Static<typeof ChannelAccountListQuery>;

export const ChannelAccountList = Type.Object({
  items: Type.Array(ChannelAccount),
  nextCursor: Type.Optional(Type.String()),
});
export type ChannelAccountList = Static<typeof ChannelAccountList>;
