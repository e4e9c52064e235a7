// A conversation marked resolved (closed in the inbox): the customer is asked for a review where they wrote last.
import type { FlowTemplate } from './types.js';

export const reviewAfterResolution: FlowTemplate = {
  slug: 'review-after-resolution',
  name: 'Review request after resolution',
  description:
    'When your team closes a conversation as resolved, thank the customer on the channel they used last and ask them for a review.',
  category: 'Follow-up',
  needs: [
    {
      key: 'reviewUrl',
      kind: 'text',
      label: 'Your review page',
      description: 'Where customers leave a review (Google, Trustpilot, your shop).',
      paths: ['/nodes/0/values/reviewUrl'],
      pattern: '^https?://\\S+$',
      placeholder: 'https://g.page/r/your-business/review',
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: { type: 'conversation.closed' },
    nodes: [
      {
        id: 'settings',
        type: 'set',
        name: 'Review page',
        values: { reviewUrl: '' },
        position: { x: 40, y: 160 },
      },
      {
        id: 'ask',
        type: 'action',
        name: 'Ask for a review',
        action: 'conversations.reply',
        input: {
          contact: '{{ contact.id }}',
          text: 'Thanks for getting in touch! If we helped, would you leave us a short review? {{ steps.settings.output.reviewUrl }}',
        },
        position: { x: 40, y: 300 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'settings' },
      { from: 'settings', to: 'ask' },
    ],
  },
};
