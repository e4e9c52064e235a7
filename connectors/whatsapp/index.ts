// The WhatsApp connector (Cloud API): a channel receiving customer messages and delivery statuses by webhook and
// sending text and templates, plus the `sendText` and `sendTemplate` actions.
import { defineConnector } from '../sdk/index.js';
import { sendTemplateAction } from './actions/send-template.js';
import { sendTextAction } from './actions/send-text.js';
import { whatsappAuth } from './auth.js';
import { sendWhatsApp } from './client.js';
import { whatsappInbound } from './inbound.js';
import { WHATSAPP_RATE_LIMIT, whatsappSettings } from './settings.js';

export const whatsappConnector = defineConnector({
  id: 'whatsapp',
  name: 'WhatsApp',
  version: '1.0.0',
  description: 'WhatsApp Business (Cloud API): receive customer messages and statuses, send text and templates.',
  auth: whatsappAuth,
  actions: [sendTextAction, sendTemplateAction],
  channel: {
    name: 'whatsapp',
    addressKinds: ['whatsapp', 'phone'],
    settings: whatsappSettings,
    inbound: whatsappInbound,
    send: sendWhatsApp,
    rateLimit: WHATSAPP_RATE_LIMIT,
  },
});
export default whatsappConnector;
