import { describe, expect, it } from 'vitest';
import { createAjv } from '../sdk/index.js';
import { smsConnector } from './index.js';

describe('sms connector manifest', () => {
  const { manifest } = smsConnector;

  it('is the sms channel, addressed by phone, one send per second by default, with a message trigger', () => {
    expect(manifest).toMatchObject({
      id: 'sms',
      channel: {
        name: 'sms',
        addressKinds: ['phone'],
        inbound: 'webhook',
        handshake: false,
        rateLimit: { limit: 1, intervalMs: 1000 },
      },
    });
    expect(manifest.triggers.map((t) => t.id)).toEqual(['sms.message']);
  });

  it('settings need from or messagingServiceSid, and may raise the rate limit', () => {
    const valid = createAjv().compile(manifest.channel!.settings!);
    expect(valid({ from: '+14155550000' })).toBe(true);
    expect(valid({ from: '12345' })).toBe(true);
    expect(
      valid({
        messagingServiceSid: `MG${'0'.repeat(32)}`,
        rateLimit: { limit: 100, intervalMs: 1000 },
        statusCallback: false,
      }),
    ).toBe(true);
    expect(valid({})).toBe(false);
    expect(valid({ apiBaseUrl: 'https://api.twilio.com' })).toBe(false);
    expect(valid({ from: '4155550000' + '0000' })).toBe(false);
    expect(valid({ from: '+14155550000', rateLimit: { limit: 0, intervalMs: 1000 } })).toBe(false);
  });

  it('credentials are an Account SID (AC + 32 hex) and an auth token', () => {
    const valid = createAjv().compile(manifest.auth!);
    expect(valid({ accountSid: `AC${'a'.repeat(32)}`, authToken: 't' })).toBe(true);
    expect(valid({ accountSid: `SK${'a'.repeat(32)}`, authToken: 't' })).toBe(false);
    expect(valid({ accountSid: `AC${'a'.repeat(32)}` })).toBe(false);
  });
});
