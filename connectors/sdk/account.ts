// Reading a channel account: its credentials or settings checked against the connector's schema (the platform stores
// them as given), settings with defaults applied. Problems are config errors that name fields, never values.
import type { Static, TSchema } from 'typebox';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { ChannelAccount } from './channel.js';
import { ConnectorError } from './errors.js';
import { createAjv } from './schema.js';

export interface AccountReader<T> {
  /** The account's credentials, or CREDENTIALS_INVALID naming the fields at fault (`details.fields`). */
  credentials(account: ChannelAccount): T;
  /** A copy of the account's settings with the schema's defaults, or SETTINGS_INVALID listing every problem. */
  settings(account: ChannelAccount): T;
}

/** `T` with the fields `K` present: what a schema's `default`s guarantee once applied. */
export type WithDefaults<T, K extends keyof T> = T & Required<Pick<T, K>>;

export interface AccountReaderOptions {
  /** What to do about it, added to the message, e.g. "set from (a Twilio number) or messagingServiceSid". */
  hint?: string;
}

// anyOf reports each branch's errors and then itself: the branches' own errors say less than the hint.
const outsideAnyOf = (e: ErrorObject) => !/\/anyOf\/\d+\//.test(e.schemaPath);

/**
 * Reads one part of an account against `schema`; `label` names the connector in messages (`SMS account cha_1: ...`).
 * The result is typed by the schema; `T` may narrow it to what the defaults guarantee (`WithDefaults`).
 */
export function accountReader<S extends TSchema, T extends Static<S> = Static<S>>(
  schema: S,
  label: string,
  opts: AccountReaderOptions = {},
): AccountReader<T> {
  let checkCredentials: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;
  let checkSettings: typeof checkCredentials;
  const hint = opts.hint ? `; ${opts.hint}` : '';
  return {
    credentials(account) {
      const validate = (checkCredentials ??= createAjv().compile(schema));
      if (validate(account.credentials)) return account.credentials as T;
      const fields = [
        ...new Set(
          (validate.errors ?? [])
            .filter(outsideAnyOf)
            .map(
              (e) =>
                e.instancePath.slice(1) ||
                String(e.params.missingProperty ?? e.params.additionalProperty ?? 'credentials'),
            ),
        ),
      ];
      throw new ConnectorError(
        'config',
        `${label} account ${account.id}: credentials are invalid or missing (${fields.join(', ')})${hint}`,
        { code: 'CREDENTIALS_INVALID', retryable: false, details: { fields } },
      );
    },
    settings(account) {
      const validate = (checkSettings ??= createAjv({ useDefaults: true }).compile(schema));
      const settings = structuredClone(account.settings ?? {});
      if (validate(settings)) return settings as T;
      const problems = (validate.errors ?? [])
        .filter(outsideAnyOf)
        .map((e) =>
          e.keyword === 'required'
            ? `${e.instancePath.slice(1) ? `${e.instancePath.slice(1)}/` : ''}${String(e.params.missingProperty)} is required`
            : `${e.instancePath.slice(1) || 'settings'} ${e.message ?? 'is invalid'}`,
        );
      throw new ConnectorError(
        'config',
        `${label} account ${account.id}: settings are invalid: ${problems.join('; ')}${hint}`,
        { code: 'SETTINGS_INVALID', retryable: false, details: { problems } },
      );
    },
  };
}
