// The SMS channel, backed by Twilio Programmable Messaging: `sms.send`, the `sms.message` trigger, incoming SMS/MMS
// with STOP/START consent, and delivery statuses, all through the account's one inbound URL.
import { defineConnector } from '../sdk/index.js';
import { sendAction, type SendActionOptions } from './actions/send.js';
import { smsAuth } from './auth.js';
import { smsInbound } from './inbound.js';
import { sendSms } from './outbound.js';
import { smsSettings } from './settings.js';

/** `defaultCountry`: the country of national numbers when a send names none. */
export const createSmsConnector = (opts: SendActionOptions = {}) =>
  defineConnector({
    id: 'sms',
    name: 'SMS',
    version: '1.0.0',
    description: 'Text messages through Twilio: send SMS/MMS, receive replies, STOP/START consent, delivery statuses.',
    auth: smsAuth,
    actions: [sendAction(opts)],
    channel: {
      name: 'sms',
      addressKinds: ['phone'],
      settings: smsSettings,
      inbound: smsInbound,
      send: sendSms,
      // A long code sends one message segment per second (Twilio: "How quickly can I send SMS messages?"); settings
      // raise it for short codes, toll-free numbers and Messaging Services.
      rateLimit: { limit: 1, intervalMs: 1000 },
    },
  });

/** Without a default country: national numbers need one in the input. */
export const smsConnector = createSmsConnector();
export default smsConnector;
