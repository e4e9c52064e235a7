// `pipedrive.updatePerson`: changes only what is given (v2 PATCH); emails and phones given replace the lists, the
// first becoming primary; `fields` by Pipedrive's API names (job_title, birthday, ...) or custom field keys.
import { Type, defineAction, type JsonObject } from '../../sdk/index.js';
import { pipedriveCrmClient } from '../crm.js';
import { CRM_ACCOUNT_INPUT, PERSON_ID_INPUT, PERSON_OUTPUT, crmCall, personOutput } from '../schemas.js';

export const updatePersonInput = Type.Object(
  {
    account: CRM_ACCOUNT_INPUT,
    personId: PERSON_ID_INPUT,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, title: 'Name' })),
    emails: Type.Optional(
      Type.Array(Type.String({ format: 'email', maxLength: 254 }), {
        maxItems: 20,
        title: 'Emails',
        description: 'Replace the list; the first is primary',
      }),
    ),
    phones: Type.Optional(
      Type.Array(Type.String({ pattern: '^\\+?[0-9 ()./-]{4,40}$' }), {
        maxItems: 20,
        title: 'Phones',
        description: 'Replace the list; the first is primary',
      }),
    ),
    fields: Type.Optional(
      Type.Unsafe<JsonObject>({
        type: 'object',
        maxProperties: 100,
        title: 'Fields',
        description: 'By API name (job_title, birthday, org_id, ...) or custom field key',
      }),
    ),
  },
  {
    anyOf: [{ required: ['name'] }, { required: ['emails'] }, { required: ['phones'] }, { required: ['fields'] }],
    additionalProperties: false,
  },
);

export const updatePersonAction = defineAction({
  id: 'updatePerson',
  name: 'Update person',
  description: "Change a Pipedrive person's name, emails, phones or fields.",
  input: updatePersonInput,
  output: PERSON_OUTPUT,
  ui: { group: 'People' },
  async run(ctx, input) {
    const call = await crmCall(ctx, input.account);
    const person = await pipedriveCrmClient.updatePerson(call, input.personId, {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.emails !== undefined && { emails: input.emails }),
      ...(input.phones !== undefined && { phones: input.phones }),
      ...(input.fields !== undefined && { fields: input.fields }),
    });
    return personOutput(person);
  },
});
