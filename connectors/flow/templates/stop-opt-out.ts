// STOP / UNSUBSCRIBE on SMS or WhatsApp: confirm on WhatsApp (Twilio confirms SMS STOPs itself), record the opt-out.
import type { FlowTemplate } from './types.js';

export const stopOptOut: FlowTemplate = {
  slug: 'stop-opt-out',
  name: 'STOP handling: opt-out and confirmation',
  description:
    'When someone texts STOP or UNSUBSCRIBE on SMS or WhatsApp, record their opt-out for that channel (later sends to them are refused) and confirm it on WhatsApp (Twilio confirms SMS opt-outs itself).',
  category: 'Compliance',
  needs: [],
  definition: {
    schemaVersion: 1,
    trigger: {
      type: 'channel.message',
      channels: ['sms', 'whatsapp'],
      filter: {
        in: [{ 'text.upper': [{ 'text.trim': [{ var: ['trigger.message.text', ''] }] }] }, ['STOP', 'UNSUBSCRIBE']],
      },
    },
    nodes: [
      {
        id: 'whatsapp',
        type: 'condition',
        name: 'On WhatsApp?',
        rule: { '==': [{ var: 'trigger.channel' }, 'whatsapp'] },
        position: { x: 40, y: 160 },
      },
      {
        id: 'confirm',
        type: 'action',
        name: 'Confirm the opt-out',
        action: 'conversations.reply',
        input: {
          contact: '{{ contact.id }}',
          text: 'You are unsubscribed and will get no more messages from us here. Write START any time to come back.',
        },
        position: { x: 240, y: 300 },
      },
      {
        id: 'optout',
        type: 'action',
        name: 'Record the opt-out',
        action: 'conversations.setConsent',
        input: { contact: '{{ contact.id }}', channel: '{{ trigger.channel }}', status: 'opted_out' },
        position: { x: 40, y: 440 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'whatsapp' },
      { from: 'whatsapp', to: 'confirm', branch: 'true' },
      { from: 'confirm', to: 'optout' },
      { from: 'whatsapp', to: 'optout', branch: 'false' },
    ],
  },
};
