import { describe, expect, it } from 'vitest';
import { smsAuth as smsAuthType } from '../../../connectors/sms/auth.js';
import { smsSettings as smsSettingsType } from '../../../connectors/sms/settings.js';
import { telegramAuth as telegramAuthType } from '../../../connectors/telegram/auth.js';
import { webchatSettings as webchatSettingsType } from '../../../connectors/webchat/settings.js';
import { createAjv } from '../../../connectors/sdk/schema.js';
import { schemaIssues } from '../../../server/errors.js';
import type { ErrorIssue } from '../api/types.js';
import { accountForm } from './form.js';
import { accountIssues, friendlyMessage, pointer, refusalHeadline, schemaAt } from './issues.js';

/** A connector's schema as the editor gets it: plain JSON, from the manifest. */
const plain = (schema: object) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
const SMS_AUTH_SCHEMA = plain(smsAuthType);
const SMS_SETTINGS_SCHEMA = plain(smsSettingsType);
const telegramAuth = plain(telegramAuthType);
const webchatSettingsSchema = plain(webchatSettingsType);

/** The issues the server answers with, made the way it makes them (ajv over the connector's schema). */
function serverIssues(root: string, schema: Record<string, unknown>, data: unknown): ErrorIssue[] {
  const validate = createAjv().compile(schema);
  expect(validate(data)).toBe(false);
  return schemaIssues(root, validate.errors ?? []);
}

const forms = (auth: Record<string, unknown>, settings: Record<string, unknown>) => ({
  credentials: accountForm(auth).schema as Record<string, unknown>,
  settings: accountForm(settings).schema as Record<string, unknown>,
});

describe('server issues on the form fields', () => {
  it('puts /body/credentials/x on the credentials field x, in words for people', () => {
    const issues = serverIssues('/body/credentials', SMS_AUTH_SCHEMA, { accountSid: 'AC123' });
    const placed = accountIssues(issues, forms(SMS_AUTH_SCHEMA, SMS_SETTINGS_SCHEMA));
    expect(placed.credentials).toEqual({
      accountSid: { __errors: ['Not in the expected format.'] },
      authToken: { __errors: ['Required.'] },
    });
    expect([placed.credentialsOther, placed.settingsOther, placed.other, placed.name]).toEqual([[], [], [], []]);
  });

  it('merges the SMS sender alternatives into one message on the settings, naming the fields by title', () => {
    const issues = serverIssues('/body/settings', SMS_SETTINGS_SCHEMA, { apiBaseUrl: 'not a url' });
    const placed = accountIssues(issues, forms(SMS_AUTH_SCHEMA, SMS_SETTINGS_SCHEMA));
    expect(placed.settingsOther).toEqual(['Fill in at least one of: Sender number, Messaging Service SID.']);
    expect(placed.settings).toEqual({ apiBaseUrl: { __errors: ['Not a valid URL (https://…).'] } });
  });

  it('reaches list items and nested fields', () => {
    const issues = serverIssues('/body/settings', webchatSettingsSchema, {
      allowedOrigins: ['https://ok.example', 'shop'],
      rateLimit: { limit: 0 },
    });
    const placed = accountIssues(issues, forms(SMS_AUTH_SCHEMA, webchatSettingsSchema));
    expect(placed.settings).toEqual({
      allowedOrigins: { 1: { __errors: ['Not in the expected format.'] } },
      rateLimit: { limit: { __errors: ['Must be >= 1.'] }, intervalMs: { __errors: ['Required.'] } },
    });
  });

  it('lists what no field shows: a hidden field, an unknown one, the object itself', () => {
    const issues = serverIssues('/body/credentials', telegramAuth, {
      botToken: '1:abc',
      webhookSecret: 'bad secret',
      extra: 1,
    });
    const placed = accountIssues(issues, forms(telegramAuth, {}));
    expect(placed.credentials).toEqual({});
    expect(placed.credentialsOther).toEqual([
      'Has a field this form does not know.',
      'webhookSecret: Not in the expected format.',
    ]);
  });

  it('puts the name on the name and anything else in the form’s list; decodes JSON pointers', () => {
    const placed = accountIssues(
      [
        { path: '/body/name', code: 'minLength', message: 'must NOT have fewer than 1 characters' },
        { path: '/body/connector', code: 'unknown_connector', message: 'no connector "x" (see GET /api/connectors)' },
        { path: '/body', code: 'type', message: 'must be object' },
      ],
      {},
    );
    expect(placed.name).toEqual(['Required.']);
    expect(placed.other).toEqual(['connector: No connector "x" (see GET /api/connectors).', 'Must be object.']);
    expect(pointer('/body/settings/a~1b/c~0d/0')).toEqual(['body', 'settings', 'a/b', 'c~d', '0']);
    expect(schemaAt({ properties: { a: { items: { title: 'A' } } } }, ['a', '3'])).toEqual({ title: 'A' });
    expect(schemaAt({ properties: {} }, ['missing'])).toBeUndefined();
  });

  it('leaves out an issue that only repeats the refusal (a provider’s answer), which the headline says', () => {
    const message = 'telegram refused to register the webhook: Unauthorized';
    const placed = accountIssues([{ path: '/body/credentials', code: 'auth', message }], {}, message);
    expect(placed.credentialsOther).toEqual([]);
    expect(refusalHeadline({ status: 422, code: 'registration_failed', message })).toBe(
      'Telegram refused to register the webhook: Unauthorized. Check the credentials and settings, then try again.',
    );
  });

  it('names the connector of a refusal by its name, and the section the refusal points at', () => {
    const message = 'hubspot refused to register the account: Authentication credentials not found.';
    const hubspot = { id: 'hubspot', name: 'HubSpot' };
    const refusal = (path: string) => ({
      status: 422,
      code: 'registration_failed',
      message,
      issues: [{ path, code: 'auth', message }],
    });
    expect(refusalHeadline(refusal('/body/credentials'), hubspot)).toBe(
      'HubSpot refused to register the account: Authentication credentials not found. Check the credentials, then try again.',
    );
    expect(refusalHeadline(refusal('/body/settings'), hubspot)).toMatch(/ Check the settings, then try again\.$/);
    // Another connector's id, or none given: the message as it came.
    expect(refusalHeadline(refusal('/body/credentials'), { id: 'hub', name: 'Hub' })).toMatch(/^Hubspot refused/);
    expect(refusalHeadline(refusal('/body/credentials'))).toMatch(/^Hubspot refused/);
  });

  it('has one headline per kind of refusal', () => {
    expect(
      refusalHeadline({ status: 400, code: 'validation_failed', message: 'credentials do not match', issues: [] }),
    ).toBe('Some fields need attention: see the messages below.');
    expect(
      refusalHeadline({
        status: 503,
        code: 'secrets_unavailable',
        message: 'channel accounts need a secret key: start the server with CONFLUO_SECRET_KEY set',
      }),
    ).toBe(
      'Channel accounts need a secret key: start the server with CONFLUO_SECRET_KEY set. Ask the administrator to set it; nothing was saved.',
    );
    expect(refusalHeadline({ status: 0, code: 'network', message: 'Cannot reach the Confluo server.' })).toBe(
      'Cannot reach the Confluo server.',
    );
    expect(friendlyMessage({ code: 'maxLength', message: 'must NOT have more than 80 characters' })).toBe(
      'Must not have more than 80 characters.',
    );
  });
});
