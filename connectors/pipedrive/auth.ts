// Pipedrive credentials: the API token (Settings > Personal preferences > API), sent in the `x-api-token` header that
// both published specs declare (`api_key`, in: header), never as `?api_token=` (a query string ends up in logs); and the
// HTTP Basic user and password set on the account's webhook (webhooks v2 `http_auth_user` / `http_auth_password`), which
// Pipedrive sends on every delivery since it signs nothing (pipedrive.readme.io "Guide for Webhooks v2").
import { Type, accountReader, type Static } from '../sdk/index.js';

export const pipedriveAuth = Type.Object(
  {
    apiToken: Type.String({
      // Pipedrive's tokens are 40 hex characters; any header-safe token is taken (no spaces or control characters).
      pattern: '^[A-Za-z0-9_-]{16,128}$',
      title: 'API token',
      description: 'Your personal API token (Settings > Personal preferences > API); it acts with your permissions.',
      writeOnly: true,
      'x-ui': { widget: 'password' },
    }),
    webhookUser: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: '^[^:]+$',
        title: 'Webhook user',
        description:
          'The HTTP auth username set on the Pipedrive webhook (no colon). Without it, webhooks are refused.',
      }),
    ),
    webhookPassword: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 200,
        title: 'Webhook password',
        description: 'The HTTP auth password set on the Pipedrive webhook: at least 16 characters, random.',
        writeOnly: true,
        'x-ui': { widget: 'password' },
      }),
    ),
  },
  { additionalProperties: false },
);
export type PipedriveAuth = Static<typeof pipedriveAuth>;

export const readPipedriveAuth = accountReader(pipedriveAuth, 'Pipedrive').credentials;
