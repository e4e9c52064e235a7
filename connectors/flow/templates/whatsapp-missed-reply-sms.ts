// A WhatsApp message gets an answer and a question; no reply within 2 hours: the customer gets an SMS instead.
import type { FlowTemplate } from './types.js';

export const whatsappMissedReplySms: FlowTemplate = {
  slug: 'whatsapp-missed-reply-sms',
  name: 'Missed WhatsApp reply → SMS follow-up after 2 h',
  description:
    'When a customer writes on WhatsApp, answer there and wait for their reply. No reply within 2 hours: send them an SMS so the conversation does not go cold.',
  category: 'Follow-up',
  needs: [
    {
      key: 'sms',
      kind: 'account',
      connector: 'sms',
      label: 'SMS number to follow up from',
      paths: ['/nodes/2/input/account'],
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: { type: 'channel.message', channels: ['whatsapp'] },
    nodes: [
      {
        id: 'answer',
        type: 'action',
        name: 'Answer on WhatsApp',
        action: 'conversations.reply',
        input: {
          contact: '{{ contact.id }}',
          text: 'Thanks for your message! Could you tell us a bit more so we can help?',
        },
        position: { x: 40, y: 160 },
      },
      {
        id: 'reply',
        type: 'wait',
        name: 'Wait for a reply',
        for: 'reply',
        timeout: 'PT2H',
        position: { x: 40, y: 300 },
      },
      {
        id: 'sms',
        type: 'action',
        name: 'SMS follow-up',
        action: 'sms.send',
        input: {
          account: '',
          to: '{{ trigger.sender.identities.0.value }}',
          body: 'Hi! We answered you on WhatsApp but did not hear back. Reply here if you still need help.',
        },
        position: { x: 40, y: 440 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'answer' },
      { from: 'answer', to: 'reply' },
      { from: 'reply', to: 'sms', branch: 'timeout' },
    ],
  },
};
