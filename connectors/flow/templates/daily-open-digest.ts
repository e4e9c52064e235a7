// Every weekday morning, the conversations still waiting for an answer, posted to a Slack channel.
import type { FlowTemplate } from './types.js';

export const dailyOpenDigest: FlowTemplate = {
  slug: 'daily-open-digest',
  name: 'Daily digest of open conversations',
  description:
    'Every weekday at 8:00 in your time zone, post to Slack the conversations whose last message is from the customer (still waiting for an answer).',
  category: 'Reporting',
  needs: [
    {
      key: 'timezone',
      kind: 'text',
      label: 'Your time zone',
      description: 'An IANA time zone, e.g. Europe/Paris or America/New_York.',
      paths: ['/trigger/timezone'],
      placeholder: 'Europe/Paris',
      default: 'UTC',
    },
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
      label: 'Slack channel id',
      description: "The channel's id (in Slack: channel details, at the bottom), e.g. C0123ABCD.",
      paths: ['/nodes/1/input/channel'],
      pattern: '^[A-Z0-9]+$',
      placeholder: 'C0123ABCD',
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: { type: 'schedule', cron: '0 8 * * 1-5', timezone: 'UTC' },
    nodes: [
      {
        id: 'open',
        type: 'action',
        name: 'Open conversations',
        action: 'conversations.listOpen',
        input: { limit: 50 },
        position: { x: 40, y: 160 },
      },
      {
        id: 'post',
        type: 'action',
        name: 'Post the digest',
        action: 'slack.postMessage',
        input: {
          account: '',
          channel: '',
          text: '*{{ steps.open.output.count }} conversations waiting for an answer*\n{{ steps.open.output.text }}',
        },
        position: { x: 40, y: 300 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'open' },
      { from: 'open', to: 'post' },
    ],
  },
};
