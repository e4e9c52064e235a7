// "order 1042" on any channel: the shop's API is asked for that order, and its status is the answer.
import type { FlowTemplate } from './types.js';

export const orderStatusKeyword: FlowTemplate = {
  slug: 'order-status-keyword',
  name: 'Order status answer by keyword',
  description:
    'When a customer writes "order" and a number on any channel, look the order up in your shop\'s API and answer with its status, on the channel they used.',
  category: 'Support',
  needs: [
    {
      key: 'ordersUrl',
      kind: 'text',
      label: "Your shop's order lookup URL",
      description:
        'Called with GET and ?number=<order number>; it answers JSON with a "status" field (and a 404 for an unknown order).',
      paths: ['/nodes/1/input/url'],
      pattern: '^https?://\\S+$',
      placeholder: 'https://shop.example.com/api/orders',
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: {
      type: 'channel.message',
      filter: { 'text.test': [{ var: ['trigger.message.text', ''] }, '\\border\\b\\D{0,8}\\d+', 'i'] },
    },
    nodes: [
      {
        id: 'order',
        type: 'set',
        name: 'Order number',
        values: {
          number: {
            $logic: { 'list.first': [{ 'text.match': [{ var: 'trigger.message.text' }, '\\d+'] }] },
          },
        },
        position: { x: 40, y: 160 },
      },
      {
        id: 'lookup',
        type: 'action',
        name: 'Ask the shop',
        action: 'http.request',
        input: { method: 'GET', url: '', query: { number: '{{ steps.order.output.number }}' } },
        retry: { maxAttempts: 3 },
        position: { x: 40, y: 300 },
      },
      {
        id: 'answer',
        type: 'action',
        name: 'Answer with the status',
        action: 'conversations.reply',
        input: {
          contact: '{{ contact.id }}',
          text: 'Your order {{ steps.order.output.number }} is {{ steps.lookup.output.body.status }}.',
        },
        position: { x: 40, y: 440 },
      },
      {
        id: 'unknown',
        type: 'action',
        name: 'Order not found',
        action: 'conversations.reply',
        input: {
          contact: '{{ contact.id }}',
          text: 'Sorry, we could not find order {{ steps.order.output.number }}. A member of the team will look into it.',
        },
        position: { x: 300, y: 440 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'order' },
      { from: 'order', to: 'lookup' },
      { from: 'lookup', to: 'answer' },
      { from: 'lookup', to: 'unknown', branch: 'error' },
    ],
  },
};
