// A web chat visitor who leaves an email becomes a HubSpot contact (a lead) and gets a welcome email, once.
import type { FlowTemplate } from './types.js';

export const webchatLeadCrmWelcome: FlowTemplate = {
  slug: 'webchat-lead-crm-welcome',
  name: 'New web chat lead → CRM contact + welcome email',
  description:
    'When a web chat visitor gives their email, create them in HubSpot as a lead and send them a welcome email (once per person).',
  category: 'Leads',
  needs: [
    {
      key: 'hubspot',
      kind: 'account',
      connector: 'hubspot',
      label: 'HubSpot account',
      paths: ['/nodes/0/input/account'],
    },
    {
      key: 'email',
      kind: 'account',
      connector: 'email',
      label: 'Mailbox the welcome email is sent from',
      paths: ['/nodes/1/input/account'],
    },
  ],
  definition: {
    schemaVersion: 1,
    trigger: {
      type: 'channel.message',
      channels: ['webchat'],
      // The visitor gave an email (web chat adds it beside the visitor id), and was not welcomed before.
      filter: {
        and: [
          { '==': [{ var: 'trigger.sender.identities.0.kind' }, 'email'] },
          { '!': { var: 'contact.attributes.welcomedAt' } },
        ],
      },
    },
    nodes: [
      {
        id: 'crm',
        type: 'action',
        name: 'HubSpot contact',
        action: 'hubspot.findOrCreateContact',
        input: {
          account: '',
          email: '{{ trigger.sender.identities.0.value }}',
          properties: { firstname: '{{ trigger.sender.name }}', lifecyclestage: 'lead' },
        },
        position: { x: 40, y: 160 },
      },
      {
        id: 'welcome',
        type: 'action',
        name: 'Welcome email',
        action: 'email.send',
        input: {
          account: '',
          to: '{{ trigger.sender.identities.0.value }}',
          subject: 'Welcome!',
          text: 'Hi {{ trigger.sender.name }},\n\nThanks for chatting with us. We will get back to you very soon, and you can answer this email any time.\n\nThe team',
        },
        position: { x: 40, y: 300 },
      },
      {
        id: 'mark',
        type: 'action',
        name: 'Remember the welcome',
        action: 'contacts.upsert',
        input: {
          email: '{{ trigger.sender.identities.0.value }}',
          attributes: { welcomedAt: '{{ run.startedAt }}', hubspotId: '{{ steps.crm.output.contact.id }}' },
        },
        position: { x: 40, y: 440 },
      },
    ],
    edges: [
      { from: 'trigger', to: 'crm' },
      { from: 'crm', to: 'welcome' },
      { from: 'welcome', to: 'mark' },
    ],
  },
};
