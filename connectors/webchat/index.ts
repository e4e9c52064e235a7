// The web chat channel: a widget on the business's website talks to flows and agents through Confluo itself.
import { defineConnector } from '../sdk/index.js';
import { sendMessageAction } from './actions/send-message.js';
import { webchatAuth } from './auth.js';
import { webchatInbound } from './inbound.js';
import { registerWebchat } from './register.js';
import { sendWebchat } from './outbound.js';
import { webchatSettings } from './settings.js';

export const webchatConnector = defineConnector({
  id: 'webchat',
  name: 'Web chat',
  version: '1.0.0',
  description: 'A chat bubble on your website: visitors talk to your flows and agents.',
  auth: webchatAuth,
  actions: [sendMessageAction],
  channel: {
    name: 'webchat',
    addressKinds: ['webchat'],
    settings: webchatSettings,
    inbound: webchatInbound,
    send: sendWebchat,
    register: registerWebchat,
  },
});
export default webchatConnector;
