// Pipedrive's webhook for a new deal (v2 payload: meta + data) posts the deal to a Slack channel.
import type { FlowTemplate } from './types.js';

export const crmDealToSlack: FlowTemplate = {
  slug: 'crm-deal-to-slack',
  name: 'New CRM deal → Slack channel',
  description:
    'When a deal is created in Pipedrive, post its title, value and stage to a Slack channel. After import, publish, then add the flow\'s webhook URL in Pipedrive (Tools → Webhooks, event "create.deal").',
  category: 'CRM',
  needs: [
    {
      key: 'slack',
      kind: 'account',
      connector: 'slack',
      label: 'Slack workspace',
      paths: ['/nodes/1/input/account'],
    },
    {
      key: 'channel',
      kind: 'text',
      label: 'Slack channel id for new deals',
      description: "The channel's id (in Slack: channel details, at the bottom), e.g. C0123ABCD.",
      paths: ['/nodes/1/input/channel'],
      pattern: '^[A-Z0-9]+$',
      placeholder: 'C0123ABCD',
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: {
      type: 'webhook',
      // Pipedrive's webhooks v2 body for "create.deal" (abridged), for the data picker and test runs.
      sample: {
        body: {
          meta: { action: 'create', entity: 'deal', entity_id: '17', id: 'b2f7…', company_id: '1', user_id: '1' },
          data: { id: 17, title: 'Acme renewal', value: 4800, currency: 'EUR', stage_id: 1, status: 'open' },
          previous: null,
        },
        headers: {},
        query: {},
      },
    },
    nodes: [
      {
        id: 'isDeal',
        type: 'condition',
        name: 'A new deal?',
        rule: {
          and: [
            { '==': [{ var: 'trigger.body.meta.entity' }, 'deal'] },
            { '==': [{ var: 'trigger.body.meta.action' }, 'create'] },
          ],
        },
        position: { x: 40, y: 160 },
      },
      {
        id: 'post',
        type: 'action',
        name: 'Post to Slack',
        action: 'slack.postMessage',
        input: {
          account: '',
          channel: '',
          text: ':moneybag: New deal *{{ trigger.body.data.title }}*: {{ trigger.body.data.value }} {{ trigger.body.data.currency }} (stage {{ trigger.body.data.stage_id }})',
        },
        position: { x: 40, y: 300 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'isDeal' },
      { from: 'isDeal', to: 'post', branch: 'true' },
    ],
  },
};
