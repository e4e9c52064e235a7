// `contacts.upsert`: find or create the contact owning an email, phone or channel identity, in the built-in CRM.
import type { JsonObject } from '../../flow/types.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { ActionDefinition, ContactIdentityInput } from '../../sdk/types.js';
import { normalizeCountry, normalizeIdentities } from '../normalize.js';

export interface ContactUpsertActionInput {
  email?: string | null;
  phone?: string | null;
  defaultCountry?: string | null;
  name?: string | null;
  attributes?: JsonObject | null;
  identities?: ContactIdentityInput[] | null;
}

export interface ContactUpsertActionOutput {
  id: string;
  created: boolean;
  name: string | null;
  attributes: JsonObject;
  identities: ContactIdentityInput[];
  /** Other contacts that own some of the given identities (left as they are: no automatic merge in v1). */
  conflicts?: string[];
}

const identitySchema = {
  type: 'object',
  properties: { kind: { type: 'string', minLength: 1 }, value: { type: 'string', minLength: 1 } },
  required: ['kind', 'value'],
  additionalProperties: false,
};

export const upsertInputSchema = {
  type: 'object',
  properties: {
    email: { type: ['string', 'null'], title: 'Email' },
    phone: { type: ['string', 'null'], title: 'Phone', description: 'Normalized to E.164.' },
    defaultCountry: {
      type: ['string', 'null'],
      pattern: '^[A-Za-z]{2}$',
      title: 'Default country',
      description: 'ISO-3166 alpha-2 code for national phone numbers; defaults to CONFLUO_DEFAULT_COUNTRY.',
    },
    name: { type: ['string', 'null'], title: 'Name' },
    attributes: {
      type: ['object', 'null'],
      title: 'Attributes',
      description: 'Merged into the stored attributes (shallow).',
    },
    identities: {
      type: ['array', 'null'],
      items: identitySchema,
      title: 'Other identities',
      description: 'e.g. { "kind": "telegram", "value": "12345" }',
    },
  },
  anyOf: [{ required: ['email'] }, { required: ['phone'] }, { required: ['identities'] }],
  additionalProperties: false,
};

export const upsertOutputSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    created: { type: 'boolean' },
    name: { type: ['string', 'null'] },
    attributes: { type: 'object' },
    identities: { type: 'array', items: identitySchema },
    conflicts: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'created', 'name', 'attributes', 'identities'],
};

export const upsertAction: ActionDefinition<ContactUpsertActionInput, ContactUpsertActionOutput> = {
  id: 'upsert',
  name: 'Create or update contact',
  description:
    'Finds the contact with this email, phone or identity (or creates one), sets the name and merges attributes.',
  input: upsertInputSchema,
  output: upsertOutputSchema,
  async run(ctx, input) {
    const country =
      normalizeCountry(input.defaultCountry) ??
      normalizeCountry(process.env.CONFLUO_DEFAULT_COUNTRY, 'CONFLUO_DEFAULT_COUNTRY');
    const identities = normalizeIdentities(input, country);
    if (input.attributes != null && (typeof input.attributes !== 'object' || Array.isArray(input.attributes)))
      throw new ConnectorError('validation', 'attributes: must be an object', {
        code: 'INPUT_INVALID',
        details: { field: 'attributes' },
      });
    const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : undefined;
    const { contact, created, conflicts } = await ctx.services.contacts.upsert(ctx.workspaceId, {
      identities,
      ...(name !== undefined && { name }),
      ...(input.attributes && { attributes: input.attributes }),
      source: `run:${ctx.runId}:${ctx.nodeId}`,
    });
    if (conflicts?.length)
      ctx.logger.warn({ contactId: contact.id, conflicts }, 'identities belong to several contacts; not merged');
    return {
      id: contact.id,
      created,
      name: contact.name,
      attributes: contact.attributes,
      identities: contact.identities,
      ...(conflicts?.length ? { conflicts } : {}),
    };
  },
};
