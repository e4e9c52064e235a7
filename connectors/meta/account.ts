// Reading a Meta channel account: its credentials and settings checked against the connector's schemas (the platform
// stores them as given), with defaults applied. Problems are config errors that name fields, never values.
import type { ChannelAccount } from '../sdk/channel.js';
import { ConnectorError } from '../sdk/errors.js';
import { createAjv } from '../sdk/schema.js';
import type { JsonSchema } from '../sdk/types.js';
import { DEFAULT_GRAPH_BASE_URL } from './graph.js';
import { RATE_LIMIT_SETTING } from '../sdk/channel-schemas.js';

/** A secret string field of a credentials schema. */
export const secretField = (title: string, description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  title,
  description,
  writeOnly: true,
  'x-ui': { widget: 'password' },
});

/** Graph ids (phone number id, Page id, Instagram account id) are decimal strings. */
export const graphIdField = (title: string, description: string): JsonSchema => ({
  type: 'string',
  pattern: '^[0-9]+$',
  title,
  description,
});

export const API_BASE_URL_FIELD: JsonSchema = {
  type: 'string',
  format: 'uri',
  pattern: '^https?://',
  default: DEFAULT_GRAPH_BASE_URL,
  title: 'API base URL',
  description: 'The Graph API host; change it only for a proxy or a test server.',
};

export const RATE_LIMIT_FIELD: JsonSchema = {
  ...RATE_LIMIT_SETTING,
  description: 'Sends per interval, to stay under a lower limit than the default.',
};

/** A function reading (and checking) one part of an account; `label` names the connector in messages. */
export function credentialsReader<T>(schema: JsonSchema, label: string): (account: ChannelAccount) => T {
  const validate = createAjv().compile(schema);
  return (account) => {
    if (validate(account.credentials)) return account.credentials as unknown as T;
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
      `${label} account ${account.id}: credentials are invalid or missing (${fields.join(', ')})`,
      {
        code: 'CREDENTIALS_INVALID',
        retryable: false,
        details: { fields },
      },
    );
  };
}

export function settingsReader<T>(schema: JsonSchema, label: string): (account: ChannelAccount) => T {
  const validate = createAjv({ useDefaults: true }).compile(schema);
  return (account) => {
    const settings = structuredClone(account.settings ?? {});
    if (validate(settings)) return settings as unknown as T;
    const problems = (validate.errors ?? []).map((e) =>
      e.keyword === 'required'
        ? `${String(e.params.missingProperty)} is required`
        : `${e.instancePath.slice(1) || 'settings'} ${e.message ?? 'is invalid'}`,
    );
    throw new ConnectorError('config', `${label} account ${account.id}: settings are invalid: ${problems.join('; ')}`, {
      code: 'SETTINGS_INVALID',
      retryable: false,
      details: { problems },
    });
  };
}
