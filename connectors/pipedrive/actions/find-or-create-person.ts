// `pipedrive.findOrCreatePerson`: the person holding the email (else the phone), created when there is none. A retried
// step finds the person its first attempt created (the search runs first on every attempt), so it never makes two.
import { Type, defineAction } from '../../sdk/index.js';
import { pipedriveCrmClient } from '../crm.js';
import { CRM_ACCOUNT_INPUT, PERSON_OUTPUT, crmCall, personOutput } from '../schemas.js';

export const findOrCreatePersonInput = Type.Object(
  {
    account: CRM_ACCOUNT_INPUT,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254, title: 'Email' })),
    phone: Type.Optional(
      Type.String({
        pattern: '^\\+?[0-9 ()./-]{4,40}$',
        title: 'Phone',
        description: 'Preferably E.164, e.g. +14155550123',
      }),
    ),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, title: 'Name', description: 'Used when the person is created' }),
    ),
  },
  { anyOf: [{ required: ['email'] }, { required: ['phone'] }], additionalProperties: false },
);

export const findOrCreatePersonAction = defineAction({
  id: 'findOrCreatePerson',
  name: 'Find or create person',
  description: 'Find the Pipedrive person with this email or phone, or create one.',
  input: findOrCreatePersonInput,
  output: Type.Object({ created: Type.Boolean(), person: PERSON_OUTPUT }),
  ui: { group: 'People' },
  async run(ctx, input) {
    const call = await crmCall(ctx, input.account);
    const emails = input.email !== undefined ? [input.email] : [];
    const phones = input.phone !== undefined ? [input.phone] : [];
    const found = await pipedriveCrmClient.findPerson(call, { emails, phones });
    if (found) return { created: false, person: personOutput(found) };
    const person = await pipedriveCrmClient.createPerson(call, {
      ...(input.name !== undefined && { name: input.name }),
      emails,
      phones,
    });
    return { created: true, person: personOutput(person) };
  },
});
