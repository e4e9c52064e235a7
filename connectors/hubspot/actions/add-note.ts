// `hubspot.addNote`: a note on a contact's timeline (and a deal's, when given): `POST /crm/v3/objects/notes` with
// hs_timestamp and hs_note_body, associated on create (note→contact 202, note→deal 214; NOTES.md "Notes").
// HubSpot has no idempotency key for notes; a retry after a lost answer finds a note of the same body on
// the contact (and the same time, when one is given) instead of adding a second one.
import { Type, defineAction } from '../../sdk/index.js';
import { ASSOCIATION, associateTo, createObject, searchObjects } from '../client.js';
import { NOTE_MAX } from '../crm.js';
import { HUBSPOT_ACCOUNT_INPUT, HUBSPOT_ID } from '../schemas.js';

export const addNoteAction = defineAction({
  id: 'addNote',
  name: 'Add note',
  description: 'Add a note to a HubSpot contact, and optionally to a deal.',
  input: Type.Object(
    {
      account: HUBSPOT_ACCOUNT_INPUT,
      contactId: { ...HUBSPOT_ID, title: 'Contact id' },
      body: Type.String({ minLength: 1, maxLength: NOTE_MAX, title: 'Note', 'x-ui': { widget: 'textarea' } }),
      dealId: Type.Optional({ ...HUBSPOT_ID, title: 'Deal id' }),
      timestamp: Type.Optional(Type.String({ format: 'date-time', title: 'Time', description: 'Default: now.' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ id: HUBSPOT_ID, timestamp: Type.String() }),
  ui: { group: 'Notes' },
  async run(ctx, input) {
    const call = { account: await ctx.services.accounts.open(input.account), signal: ctx.signal };
    const timestamp = new Date(input.timestamp ?? Date.now()).toISOString();
    if (ctx.attempt > 1) {
      const page = await searchObjects(call, 'notes', {
        filterGroups: [
          {
            filters: [
              { propertyName: 'hs_note_body', operator: 'EQ', value: input.body },
              { propertyName: 'associations.contact', operator: 'EQ', value: input.contactId },
              ...(input.timestamp ? [{ propertyName: 'hs_timestamp', operator: 'EQ' as const, value: timestamp }] : []),
            ],
          },
        ],
        properties: ['hs_timestamp'],
        limit: 1,
      });
      const same = page.results[0];
      if (same) return { id: same.id, timestamp: same.properties.hs_timestamp ?? timestamp };
    }
    const note = await createObject(call, 'notes', { hs_timestamp: timestamp, hs_note_body: input.body }, [
      associateTo(input.contactId, ASSOCIATION.noteToContact),
      ...(input.dealId ? [associateTo(input.dealId, ASSOCIATION.noteToDeal)] : []),
    ]);
    return { id: note.id, timestamp };
  },
});
