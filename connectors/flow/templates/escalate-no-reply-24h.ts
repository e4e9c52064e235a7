// A customer asked for details goes quiet for 24 hours: the team is alerted in Slack to follow up in person.
import type { FlowTemplate } from './types.js';

export const escalateNoReply24h: FlowTemplate = {
  slug: 'escalate-no-reply-24h',
  name: 'Escalate after no reply in 24 h',
  description:
    'When a customer writes, thank them and ask for the details you need. No reply within 24 hours: alert your team in a Slack channel so a person follows up.',
  category: 'Support',
  needs: [
    {
      key: 'slack',
      kind: 'account',
      connector: 'slack',
      label: 'Slack workspace',
      paths: ['/nodes/2/input/account'],
    },
    {
      key: 'channel',
      kind: 'text',
      label: 'Slack channel id for escalations',
      description: "The channel's id (in Slack: channel details, at the bottom), e.g. C0123ABCD.",
      paths: ['/nodes/2/input/channel'],
      pattern: '^[A-Z0-9]+$',
      placeholder: 'C0123ABCD',
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: {
      type: 'channel.message',
      channels: ['whatsapp', 'sms', 'webchat', 'messenger', 'instagram', 'telegram'],
    },
    nodes: [
      {
        id: 'ask',
        type: 'action',
        name: 'Ask for details',
        action: 'conversations.reply',
        input: {
          contact: '{{ contact.id }}',
          text: 'Thanks for writing! To help you quickly, could you send us your order number or a few more details?',
        },
        position: { x: 40, y: 160 },
      },
      {
        id: 'reply',
        type: 'wait',
        name: 'Wait for a reply',
        for: 'reply',
        timeout: 'P1D',
        position: { x: 40, y: 300 },
      },
      {
        id: 'escalate',
        type: 'action',
        name: 'Alert the team',
        action: 'slack.postMessage',
        input: {
          account: '',
          channel: '',
          text: ':warning: No reply in 24 h from {{ trigger.sender.name }} ({{ trigger.channel }} {{ trigger.sender.identity.value }}). They wrote: "{{ trigger.message.text }}". Please follow up.',
        },
        position: { x: 40, y: 440 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'ask' },
      { from: 'ask', to: 'reply' },
      { from: 'reply', to: 'escalate', branch: 'timeout' },
    ],
  },
};
