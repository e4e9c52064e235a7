// The built-in CRM connector: `contacts.upsert` and `contacts.merge`, backed by the ContactsService Confluo lends to actions.
import { defineConnector } from '../sdk/index.js';
import { mergeAction } from './actions/merge.js';
import { upsertAction, type UpsertActionOptions } from './actions/upsert.js';

/** `defaultCountry`: the country of national phone numbers when an input names none. */
export const createContactsConnector = (opts: UpsertActionOptions = {}) =>
  defineConnector({
    id: 'contacts',
    name: 'Contacts',
    version: '1.0.0',
    description: 'The built-in contact record: one contact per person across channels.',
    actions: [upsertAction(opts), mergeAction],
  });

/** Without a default country: national phone numbers need one in the input. */
export const contactsConnector = createContactsConnector();
export default contactsConnector;
