// `pipedrive.addNote`: a note on a person's timeline, optionally on one of their deals too (v1 POST /notes). The text
// is plain: it is escaped into the HTML Pipedrive stores, line breaks kept.
import { ConnectorError, Type, defineAction } from '../../sdk/index.js';
import { addNote, pipedriveId } from '../client.js';
import { fromV1Time, noteHtml } from '../persons.js';
import { CRM_ACCOUNT_INPUT, PERSON_ID_INPUT, crmCall } from '../schemas.js';

export const addNoteInput = Type.Object(
  {
    account: CRM_ACCOUNT_INPUT,
    personId: PERSON_ID_INPUT,
    dealId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', title: 'Deal id' })),
    text: Type.String({ minLength: 1, maxLength: 50_000, title: 'Text', 'x-ui': { widget: 'textarea' } }),
  },
  { additionalProperties: false },
);

export const addNoteAction = defineAction({
  id: 'addNote',
  name: 'Add note',
  description: 'Add a note to a Pipedrive person, and optionally to a deal.',
  input: addNoteInput,
  output: Type.Object({
    id: Type.String(),
    personId: Type.String(),
    dealId: Type.Union([Type.String(), Type.Null()]),
    addedAt: Type.String({ format: 'date-time' }),
  }),
  ui: { group: 'Notes' },
  async run(ctx, input) {
    const call = await crmCall(ctx, input.account);
    const note = await addNote(
      call.account,
      {
        content: noteHtml(input.text),
        personId: pipedriveId(input.personId, 'personId'),
        ...(input.dealId !== undefined && { dealId: pipedriveId(input.dealId, 'dealId') }),
      },
      call.signal,
    );
    const addedAt = fromV1Time(note.add_time);
    if (addedAt === undefined)
      throw new ConnectorError('upstream', 'Pipedrive note add answered without an add_time', { code: 'BAD_RESPONSE' });
    return {
      id: String(note.id),
      personId: String(note.person_id ?? input.personId),
      dealId: note.deal_id === null || note.deal_id === undefined ? null : String(note.deal_id),
      addedAt,
    };
  },
});
