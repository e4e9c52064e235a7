// The SMS channel, backed by Twilio Programmable Messaging: `sms.send`, the `sms.message` trigger, incoming SMS/MMS
// with STOP/START consent, and delivery statuses, all through the account's one inbound URL.
import { defineConnector } from '../sdk/define.js';
import { sendAction } from './actions/send.js';
import { SMS_AUTH_SCHEMA } from './auth.js';
import { smsInbound } from './inbound.js';
import { sendSms } from './send.js';
import { SMS_SETTINGS_SCHEMA } from './settings.js';

export const smsConnector = defineConnector({
  id: 'sms',
  name: 'SMS',
  version: '1.0.0',
  description: 'Text messages through Twilio: send SMS/MMS, receive replies, STOP/START consent, delivery statuses.',
  auth: SMS_AUTH_SCHEMA,
  actions: [sendAction],
  channel: {
    name: 'sms',
    addressKinds: ['phone'],
    settings: SMS_SETTINGS_SCHEMA,
    inbound: smsInbound,
    send: sendSms,
    // A long code sends one message segment per second (Twilio: "How quickly can I send SMS messages?"); settings
    // raise it for short codes, toll-free numbers and Messaging Services.
    rateLimit: { limit: 1, intervalMs: 1000 },
  },
});
export default smsConnector;
