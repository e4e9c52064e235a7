// `hubspot.findOrCreateContact`: the contact with this email (else phone), or a new one with the given properties.
// A retry finds what the first attempt made: by search, or (search lags behind writes) by the 409 HubSpot answers
// for a taken email, which names the existing id.
import { ConnectorError, Type, defineAction } from '../../sdk/index.js';
import { createObject, getObject, searchObjects, type HubspotCallContext } from '../client.js';
import { HUBSPOT_ACCOUNT_INPUT, HUBSPOT_RECORD, PROPERTIES_INPUT, asStrings, recordOut } from '../schemas.js';

export const findOrCreateContactInput = Type.Object(
  {
    account: HUBSPOT_ACCOUNT_INPUT,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254, title: 'Email' })),
    phone: Type.Optional(
      Type.String({ minLength: 3, maxLength: 40, title: 'Phone', description: 'Matched exactly as HubSpot holds it.' }),
    ),
    properties: Type.Optional(PROPERTIES_INPUT),
  },
  { anyOf: [{ required: ['email'] }, { required: ['phone'] }], additionalProperties: false },
);

const READ = ['email', 'firstname', 'lastname', 'phone', 'mobilephone', 'lastmodifieddate'];

async function find(
  ctx: HubspotCallContext,
  email: string | undefined,
  phone: string | undefined,
  properties: string[],
) {
  const groups = [
    ...(email ? [{ filters: [{ propertyName: 'email', operator: 'EQ' as const, value: email }] }] : []),
    ...(phone
      ? [
          { filters: [{ propertyName: 'phone', operator: 'EQ' as const, value: phone }] },
          { filters: [{ propertyName: 'mobilephone', operator: 'EQ' as const, value: phone }] },
        ]
      : []),
  ];
  const page = await searchObjects(ctx, 'contacts', {
    filterGroups: groups,
    properties,
    sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
    limit: 10,
  });
  // The email match wins over a phone match.
  return page.results.find((r) => email && r.properties.email?.toLowerCase() === email) ?? page.results[0] ?? null;
}

export const findOrCreateContactAction = defineAction({
  id: 'findOrCreateContact',
  name: 'Find or create contact',
  description: 'Find the HubSpot contact with this email or phone, or create it with the given properties.',
  input: findOrCreateContactInput,
  output: Type.Object({ created: Type.Boolean(), contact: HUBSPOT_RECORD }),
  ui: { group: 'Contacts' },
  async run(ctx, input) {
    const call = { account: await ctx.services.accounts.open(input.account), signal: ctx.signal };
    const email = input.email?.trim().toLowerCase();
    const phone = input.phone?.trim();
    const properties = asStrings(input.properties);
    const read = [...new Set([...READ, ...Object.keys(properties)])];
    const found = await find(call, email, phone, read);
    if (found) return { created: false, contact: recordOut(found) };
    try {
      const made = await createObject(call, 'contacts', {
        ...properties,
        ...(email && { email }),
        ...(phone && !properties.mobilephone && { phone }),
      });
      return { created: true, contact: recordOut(made) };
    } catch (e) {
      const existingId =
        e instanceof ConnectorError && e.code === 'HUBSPOT_CONFLICT'
          ? (e.details as { existingId?: string }).existingId
          : undefined;
      if (!existingId) throw e;
      const existing = await getObject(call, 'contacts', existingId, read);
      if (!existing) throw e;
      return { created: false, contact: recordOut(existing) };
    }
  },
});
