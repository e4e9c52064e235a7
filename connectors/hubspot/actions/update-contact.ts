// `hubspot.updateContact`: set properties on a contact (PATCH; the same write twice leaves the same record).
import { Type, defineAction } from '../../sdk/index.js';
import { updateObject } from '../client.js';
import {
  HUBSPOT_ACCOUNT_INPUT,
  HUBSPOT_ID,
  HUBSPOT_RECORD,
  PROPERTIES_INPUT,
  asStrings,
  recordOut,
} from '../schemas.js';

export const updateContactAction = defineAction({
  id: 'updateContact',
  name: 'Update contact',
  description: 'Set properties on a HubSpot contact; an empty string clears a property.',
  input: Type.Object(
    {
      account: HUBSPOT_ACCOUNT_INPUT,
      contactId: { ...HUBSPOT_ID, title: 'Contact id' },
      properties: { ...PROPERTIES_INPUT, minProperties: 1 },
    },
    { additionalProperties: false },
  ),
  output: HUBSPOT_RECORD,
  ui: { group: 'Contacts' },
  async run(ctx, input) {
    const call = { account: await ctx.services.accounts.open(input.account), signal: ctx.signal };
    return recordOut(await updateObject(call, 'contacts', input.contactId, asStrings(input.properties)));
  },
});
