import { describe, expect, it } from 'vitest';
import { createAjv } from '../sdk/index.js';
import { checkOrigin, readWebchatSettings, webchatSettings, widgetConfig } from './settings.js';
import { checkVisitorToken, isVisitorId, newVisitorId, visitorToken } from './token.js';

describe('webchat settings', () => {
  it('the schema takes origins, looks and a rate limit', () => {
    const validate = createAjv().compile(webchatSettings);
    expect(validate({})).toBe(true);
    expect(
      validate({
        allowedOrigins: ['https://shop.example', 'http://localhost:3000'],
        title: 'Help',
        greeting: 'Hi!',
        color: '#112233',
        rateLimit: { limit: 5, intervalMs: 1000 },
      }),
    ).toBe(true);
    expect(validate({ allowedOrigins: ['https://shop.example/'] })).toBe(false);
    expect(validate({ allowedOrigins: ['shop.example'] })).toBe(false);
    expect(validate({ allowedOrigins: ['*'] })).toBe(false);
    expect(validate({ color: 'red' })).toBe(false);
    expect(validate({ title: '' })).toBe(false);
    expect(validate({ greeting: 'x'.repeat(501) })).toBe(false);
  });

  it('reads settings with defaults, ignoring values that do not fit', () => {
    expect(readWebchatSettings({})).toEqual({ allowedOrigins: [], title: 'Chat with us', color: '#2563eb' });
    expect(
      readWebchatSettings({
        allowedOrigins: ['https://Shop.Example:443', 'nonsense', 7],
        title: 'Help',
        greeting: 'Hi!',
        color: '#ABCDEF',
      }),
    ).toEqual({
      allowedOrigins: ['https://shop.example'],
      title: 'Help',
      greeting: 'Hi!',
      color: '#ABCDEF',
    });
    expect(readWebchatSettings({ color: 'red', title: ' ', greeting: '' })).toEqual({
      allowedOrigins: [],
      title: 'Chat with us',
      color: '#2563eb',
    });
    expect(widgetConfig(readWebchatSettings({ allowedOrigins: ['https://a.example'], greeting: 'Hi' }))).toEqual({
      title: 'Chat with us',
      greeting: 'Hi',
      color: '#2563eb',
    });
  });

  it('origins: no header and the server itself always pass; with a list, only listed origins', () => {
    const own = 'https://confluo.example/hooks/channels/cha_1';
    const open = readWebchatSettings({});
    const listed = readWebchatSettings({ allowedOrigins: ['https://shop.example'] });
    expect(checkOrigin(open, 'https://any.example', own)).toBe('allowed');
    expect(checkOrigin(open, 'null', own)).toBe('allowed');
    expect(checkOrigin(listed, undefined, own)).toBe('allowed');
    expect(checkOrigin(listed, 'https://shop.example', own)).toBe('allowed');
    expect(checkOrigin(listed, 'https://confluo.example', own)).toBe('allowed');
    expect(checkOrigin(listed, 'https://shop.example.evil.example', own)).toBe('refused');
    expect(checkOrigin(listed, 'null', own)).toBe('refused');
    expect(checkOrigin(listed, ['https://shop.example', 'https://shop.example'], own)).toBe('refused');
  });
});

describe('webchat visitor tokens', () => {
  it('are HMAC-SHA256 of the visitor id under the widget secret, base64url', () => {
    // Reference: printf %s 'v_abcdefgh' | openssl dgst -sha256 -hmac 'secret-secret-secret-secret-secret' -binary | basenc --base64url (padding dropped)
    expect(visitorToken('secret-secret-secret-secret-secret', 'v_abcdefgh')).toBe(referenceToken);
    expect(checkVisitorToken('secret-secret-secret-secret-secret', 'v_abcdefgh', referenceToken)).toBe(true);
    expect(checkVisitorToken('secret-secret-secret-secret-secret', 'v_abcdefgi', referenceToken)).toBe(false);
    expect(checkVisitorToken('secret-secret-secret-secret-secret', 'v_abcdefgh', `${referenceToken}x`)).toBe(false);
    expect(checkVisitorToken('secret-secret-secret-secret-secret', 'v_abcdefgh', undefined)).toBe(false);
  });

  it('new visitor ids are random and valid', () => {
    const a = newVisitorId();
    expect(isVisitorId(a)).toBe(true);
    expect(a).not.toBe(newVisitorId());
    expect(isVisitorId('short')).toBe(false);
    expect(isVisitorId('has:colon-123')).toBe(false);
  });
});

const referenceToken = 'pMsUQrStt6uMyBKgN5MwGm58sD5MMYjUkDs5kYnvYI8';
