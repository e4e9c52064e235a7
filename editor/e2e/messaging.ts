// SMS and WhatsApp for browser tests: the Twilio and WhatsApp fakes beside a browserSession, the shop's two accounts
// connected through the API, and a wait for the worker to file a phone's messages on its contact.
import { afterAll, beforeAll, expect } from 'vitest';
import {
  startTwilioFake,
  startWhatsAppFake,
  type TwilioFake,
  type WhatsAppFake,
} from '../../connectors/testkit/index.js';

export const BUSINESS = '+14155550100';
export const META = {
  accessToken: 'EAAG-test',
  phoneNumberId: '106540352242922',
  appSecret: 'meta-secret',
  verifyToken: 'v',
};

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

/** The two fakes, started before the file's tests and closed after; `sid` tells the files' Twilio accounts apart. */
export function messagingFakes(sid: string) {
  const twilioAuth = { accountSid: `AC${sid.repeat(32)}`, authToken: 'tw-token' };
  const f = { twilio: undefined as unknown as TwilioFake, wa: undefined as unknown as WhatsAppFake };
  beforeAll(async () => {
    [f.twilio, f.wa] = await Promise.all([
      startTwilioFake(twilioAuth),
      startWhatsAppFake({
        accessToken: META.accessToken,
        phoneNumberId: META.phoneNumberId,
        appSecret: META.appSecret,
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([f.twilio?.close(), f.wa?.close()]);
  });
  return {
    get twilio() {
      return f.twilio;
    },
    get wa() {
      return f.wa;
    },
    /** Connects the shop's SMS and WhatsApp accounts to the fakes; their inbound URLs. */
    async connect(call: Call): Promise<{ sms: { inboundUrl: string }; whatsapp: { inboundUrl: string } }> {
      const sms = await call('POST', '/api/channel-accounts', {
        connector: 'sms',
        name: 'Shop SMS',
        credentials: twilioAuth,
        settings: { from: BUSINESS, apiBaseUrl: f.twilio.url },
      });
      expect(sms.status, JSON.stringify(sms.json)).toBe(201);
      const whatsapp = await call('POST', '/api/channel-accounts', {
        connector: 'whatsapp',
        name: 'Shop WhatsApp',
        credentials: { accessToken: META.accessToken, appSecret: META.appSecret, verifyToken: META.verifyToken },
        settings: { phoneNumberId: META.phoneNumberId, apiBaseUrl: f.wa.url },
      });
      expect(whatsapp.status, JSON.stringify(whatsapp.json)).toBe(201);
      return { sms: sms.json, whatsapp: whatsapp.json };
    },
  };
}

/** Ingest runs in the worker: the contact owning `phone`, once `count` of its messages are on its timeline. */
export async function contactWithMessages(call: Call, phone: string, count: number): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const found = await call('GET', `/api/contacts?identity=${encodeURIComponent(`phone:${phone}`)}`);
        id = found.json.items[0]?.id;
        if (!id) return 0;
        const timeline = await call('GET', `/api/contacts/${id}/timeline?types=message.received,message.sent`);
        return timeline.json.items.length;
      },
      { timeout: 30_000, interval: 300 },
    )
    .toBe(count);
  return id!;
}
