// HubSpot CRM: contacts kept in step with Confluo's (the `crm` capability: client, signed webhooks, rate limit,
// field map), actions for flows (find or create a contact, update it, add a note, create or move a deal) and the
// `newDeal` poll trigger.
import { defineConnector } from '../sdk/index.js';
import { addNoteAction } from './actions/add-note.js';
import { createDealAction } from './actions/create-deal.js';
import { findOrCreateContactAction } from './actions/find-or-create-contact.js';
import { moveDealAction } from './actions/move-deal.js';
import { updateContactAction } from './actions/update-contact.js';
import { hubspotAuth } from './auth.js';
import { HUBSPOT_FIELD_MAP, hubspotCrmClient } from './crm.js';
import { hubspotInbound } from './inbound.js';
import { hubspotSettings } from './settings.js';
import { newDealTrigger } from './triggers/new-deal.js';

export const hubspotConnector = defineConnector({
  id: 'hubspot',
  name: 'HubSpot',
  version: '1.0.0',
  description: 'Keep contacts in step with HubSpot CRM, log notes, and create and move deals.',
  auth: hubspotAuth,
  actions: [findOrCreateContactAction, updateContactAction, addNoteAction, createDealAction, moveDealAction],
  // A poll trigger: every new deal starts a run (`hubspot.newDeal`).
  triggers: [newDealTrigger],
  crm: {
    settings: hubspotSettings,
    client: hubspotCrmClient,
    inbound: hubspotInbound,
    // Private apps on Free and Starter accounts: 100 requests per 10 seconds (HubSpot's API usage guidelines;
    // Professional and Enterprise get 190, per the changelog "Increasing our API limits": set `rateLimit`).
    // The CRM search endpoints have their own per-second limit (4 per second in the changelog "CRM Search API
    // Rate Limit Increase"), answered with a 429 the sync waits out.
    rateLimit: { limit: 100, intervalMs: 10_000 },
    defaultFieldMap: HUBSPOT_FIELD_MAP,
    // A taken email is a 409 naming the contact, which createPerson then updates (crm.ts).
    createFindsByEmail: true,
  },
});
export default hubspotConnector;
