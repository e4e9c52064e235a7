// Pipedrive, a CRM the platform keeps contacts in step with (persons both ways, notes on their timeline), plus
// actions for flows: find or create a person, update one, add a note, create and move deals.
import { defineConnector } from '../sdk/index.js';
import { addNoteAction } from './actions/add-note.js';
import { createDealAction } from './actions/create-deal.js';
import { findOrCreatePersonAction } from './actions/find-or-create-person.js';
import { moveDealAction } from './actions/move-deal.js';
import { updatePersonAction } from './actions/update-person.js';
import { pipedriveAuth } from './auth.js';
import { pipedriveCrmClient } from './crm.js';
import { pipedriveInbound } from './inbound.js';
import { pipedriveSettings } from './settings.js';

export const pipedriveConnector = defineConnector({
  id: 'pipedrive',
  name: 'Pipedrive',
  version: '1.0.0',
  description: 'Keep Pipedrive persons in step with Confluo contacts, and work with persons, notes and deals in flows.',
  auth: pipedriveAuth,
  actions: [findOrCreatePersonAction, updatePersonAction, addNoteAction, createDealAction, moveDealAction],
  crm: {
    settings: pipedriveSettings,
    client: pipedriveCrmClient,
    inbound: pipedriveInbound,
    // Pipedrive's burst limit is per API token per 2-second window: 20 requests on Essential (the lowest plan), but
    // 10 for the Search API on every plan (developers.pipedrive.com "Rate limiting"). The sync searches before most
    // writes, so the search figure is the one that holds; the daily token budget (set by plan and seats) is not a
    // pace and is left to 429s. Higher plans may raise it with the rateLimit setting.
    rateLimit: { limit: 10, intervalMs: 2_000 },
    defaultFieldMap: { jobTitle: 'job_title', birthday: 'birthday' },
  },
});
export default pipedriveConnector;
