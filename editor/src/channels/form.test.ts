import { describe, expect, it } from 'vitest';
import { emailAuth as emailAuthType } from '../../../connectors/email/auth.js';
import { smsAuth as smsAuthType } from '../../../connectors/sms/auth.js';
import { smsSettings as smsSettingsType } from '../../../connectors/sms/settings.js';
import { telegramAuth as telegramAuthType } from '../../../connectors/telegram/auth.js';
import { webchatAuth as webchatAuthType } from '../../../connectors/webchat/auth.js';
import { webchatSettings as webchatSettingsType } from '../../../connectors/webchat/settings.js';
import { accountForm, createBody, patchBody, prune, stableJson } from './form.js';

/** A connector's schema as the editor gets it: plain JSON, from the manifest. */
const plain = (schema: object) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
const EMAIL_AUTH_SCHEMA = plain(emailAuthType);
const SMS_AUTH_SCHEMA = plain(smsAuthType);
const SMS_SETTINGS_SCHEMA = plain(smsSettingsType);
const telegramAuth = plain(telegramAuthType);
const webchatAuth = plain(webchatAuthType);
const webchatSettingsSchema = plain(webchatSettingsType);

const props = (s: unknown) => (s as { properties: Record<string, Record<string, unknown>> }).properties;

describe('account forms from the connectors’ schemas', () => {
  it('makes secrets password inputs the browser does not fill in, and keeps the schema’s own rules', () => {
    const f = accountForm(SMS_AUTH_SCHEMA);
    expect(f.ui.authToken).toEqual({ 'ui:widget': 'password', 'ui:autocomplete': 'new-password' });
    expect(f.ui.accountSid).toBeUndefined();
    expect(f.schema.required).toEqual(['accountSid', 'authToken']);
    expect(props(f.schema).accountSid).toMatchObject({ pattern: '^AC[0-9a-fA-F]{32}$', title: 'Account SID' });
    expect(JSON.stringify(f.schema)).not.toContain('x-ui');
    expect(f.hidden).toEqual([]);
  });

  it('leaves out what Confluo sets itself (x-ui hidden), from the fields and from required', () => {
    const tg = accountForm(telegramAuth);
    expect(Object.keys(props(tg.schema))).toEqual(['botToken']);
    expect(tg.hidden).toEqual(['webhookSecret']);
    expect(tg.ui.botToken).toMatchObject({ 'ui:widget': 'password' });
    const wc = accountForm(webchatAuth);
    expect(props(wc.schema)).toEqual({});
    expect(wc.hidden).toEqual(['widgetSecret']);
  });

  it('finds secrets in nested groups (email SMTP and IMAP passwords, marked writeOnly)', () => {
    const f = accountForm(EMAIL_AUTH_SCHEMA);
    expect(f.ui.smtp).toEqual({ pass: { 'ui:widget': 'password', 'ui:autocomplete': 'new-password' } });
    expect(f.ui.imap).toEqual({ pass: { 'ui:widget': 'password', 'ui:autocomplete': 'new-password' } });
    expect(props(props(f.schema).imap).host).toMatchObject({ type: 'string' });
  });

  it('drops root alternatives (the server names what is missing), keeps formats, widgets for lists and long text', () => {
    const sms = accountForm(SMS_SETTINGS_SCHEMA);
    expect(sms.schema.anyOf).toBeUndefined();
    expect(props(sms.schema).apiBaseUrl).toMatchObject({ format: 'uri', default: 'https://api.twilio.com' });
    const wc = accountForm(webchatSettingsSchema);
    expect(wc.ui.allowedOrigins).toEqual({
      'ui:options': { orderable: false, addLabel: 'Add to Allowed origins' },
      items: { 'ui:placeholder': 'scheme://host[:port], e.g. https://shop.example' },
    });
    expect(props(wc.schema).allowedOrigins!.items).toEqual({ type: 'string', pattern: '^https?://[^/?#\\s]+$' });
    expect(wc.ui.greeting).toEqual({ 'ui:widget': 'textarea', 'ui:options': { rows: 3 } });
  });

  it('says which stored credentials an empty field keeps', () => {
    const f = accountForm(SMS_AUTH_SCHEMA, { keep: ['accountSid', 'authToken'] });
    expect(f.ui.accountSid).toEqual({ 'ui:placeholder': 'Stored: leave empty to keep' });
    expect(f.ui.authToken).toMatchObject({ 'ui:widget': 'password', 'ui:placeholder': 'Stored: leave empty to keep' });
    expect(accountForm(EMAIL_AUTH_SCHEMA, { keep: ['smtp'] }).ui.smtp).not.toHaveProperty('ui:placeholder');
  });
});

describe('form data → API bodies', () => {
  it('prunes empty strings, blank groups and unset list items, keeping false and 0', () => {
    expect(
      prune({ a: '', b: { c: undefined, d: '' }, e: [undefined, 'x', ''], f: false, g: 0, h: { limit: 5 } }),
    ).toEqual({ e: ['x'], f: false, g: 0, h: { limit: 5 } });
    expect(prune({ smtp: {} })).toBeUndefined();
  });

  it('compares objects whatever their key order', () => {
    expect(stableJson({ b: 1, a: { d: 2, c: [{ y: 1, x: 2 }] } })).toBe(
      stableJson({ a: { c: [{ x: 2, y: 1 }], d: 2 }, b: 1 }),
    );
  });

  it('creates with a trimmed name and pruned credentials and settings', () => {
    expect(
      createBody('webchat', {
        name: '  Website ',
        credentials: {},
        settings: { title: 'Hi', allowedOrigins: [], rateLimit: {} },
      }),
    ).toEqual({
      connector: 'webchat',
      name: 'Website',
      credentials: {},
      settings: { title: 'Hi', allowedOrigins: [] },
    });
  });

  it('patches only what changed: blank credentials are kept, typed ones replace them all', () => {
    const account = { name: 'Website' };
    const baseline = { title: 'Chat with us', color: '#2563eb', allowedOrigins: [], rateLimit: {} };
    const same = { color: '#2563eb', allowedOrigins: [], title: 'Chat with us' };
    expect(
      patchBody(account, baseline, { name: 'Shop chat', credentials: { widgetSecret: '' }, settings: same }),
    ).toEqual({ name: 'Shop chat' });
    expect(patchBody(account, baseline, { name: 'Website', credentials: {}, settings: same })).toEqual({});
    expect(
      patchBody(account, baseline, {
        name: 'Website',
        credentials: { accountSid: 'AC1', authToken: '' },
        settings: same,
      }),
    ).toEqual({ credentials: { accountSid: 'AC1' } });
    expect(
      patchBody(
        account,
        { ...baseline, greeting: 'Hei' },
        { name: 'Website', credentials: {}, settings: { ...same, greeting: '' } },
      ),
    ).toEqual({ settings: same });
    expect(patchBody(account, baseline, { name: ' ', credentials: {}, settings: same })).toEqual({ name: '' });
  });
});
