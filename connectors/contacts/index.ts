// The built-in CRM connector: `contacts.upsert`, backed by the ContactsService Confluo lends to actions.
import { defineConnector } from '../sdk/define.js';
import { upsertAction } from './actions/upsert.js';

export const contactsConnector = defineConnector({
  id: 'contacts',
  name: 'Contacts',
  version: '1.0.0',
  description: 'The built-in contact record: one contact per person across channels.',
  actions: [upsertAction],
});
export default contactsConnector;
