// `contacts.upsert`: find or create the contact owning an email, phone or channel identity, in the built-in CRM.
import {
  CONTACT_IDENTITY_SCHEMA,
  ConnectorError,
  Type,
  defineAction,
  type JsonObject,
  type JsonValue,
  type Static,
} from '../../sdk/index.js';
import { normalizeCountry, normalizeIdentities } from '../normalize.js';

const identitySchema = Type.Object(
  { kind: Type.String({ minLength: 1 }), value: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);

export const upsertInputSchema = Type.Object(
  {
    email: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], title: 'Email' })),
    phone: Type.Optional(
      Type.Unsafe<string | null>({ type: ['string', 'null'], title: 'Phone', description: 'Normalized to E.164.' }),
    ),
    defaultCountry: Type.Optional(
      Type.Unsafe<string | null>({
        type: ['string', 'null'],
        pattern: '^[A-Za-z]{2}$',
        title: 'Default country',
        description: 'ISO-3166 alpha-2 code for national phone numbers; defaults to CONFLUO_DEFAULT_COUNTRY.',
      }),
    ),
    name: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], title: 'Name' })),
    attributes: Type.Optional(
      Type.Unsafe<JsonObject | null>({
        type: ['object', 'null'],
        title: 'Attributes',
        description: 'Merged into the stored attributes (shallow).',
      }),
    ),
    identities: Type.Optional(
      Type.Unsafe<Static<typeof identitySchema>[] | null>({
        type: ['array', 'null'],
        items: identitySchema,
        title: 'Other identities',
        description: 'e.g. { "kind": "telegram", "value": "12345" }',
      }),
    ),
  },
  {
    anyOf: [{ required: ['email'] }, { required: ['phone'] }, { required: ['identities'] }],
    additionalProperties: false,
  },
);

export const upsertOutputSchema = Type.Object({
  id: Type.String(),
  created: Type.Boolean(),
  name: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  attributes: Type.Unsafe<JsonObject>({ type: 'object' }),
  identities: Type.Array(CONTACT_IDENTITY_SCHEMA),
  /** Emails and phones of the input that are not valid: stored as written, flagged, never matched on. */
  invalid: Type.Optional(
    Type.Array(Type.Object({ field: Type.String(), kind: Type.String(), value: Type.String(), reason: Type.String() })),
  ),
  /** Other contacts owning some of the given identities whose names differ from each other: left as they are. */
  conflicts: Type.Optional(Type.Array(Type.String())),
  /** Contacts merged into this one: the input linked them and every name fits (connectors/contacts/README.md). */
  merged: Type.Optional(Type.Array(Type.String())),
  /** Other people holding some of the given identities too (a household's phone): each keeps a shared copy. */
  sharedWith: Type.Optional(Type.Array(Type.String())),
  /** Workspace-defined attributes whose value does not fit their type (even "42" as a number): left out, the rest kept. */
  rejectedAttributes: Type.Optional(
    Type.Array(Type.Object({ key: Type.String(), value: Type.Unsafe<JsonValue>({}), problem: Type.String() })),
  ),
});

export type ContactUpsertActionInput = Static<typeof upsertInputSchema>;
export type ContactUpsertActionOutput = Static<typeof upsertOutputSchema>;

export interface UpsertActionOptions {
  /** The country of national numbers when the input names none (CONFLUO_DEFAULT_COUNTRY, read by builtinConnectors). */
  defaultCountry?: string | undefined;
}

export const upsertAction = (opts: UpsertActionOptions = {}) =>
  defineAction({
    id: 'upsert',
    name: 'Create or update contact',
    description:
      'Finds the contact with this email, phone or identity (or creates one), sets the name and merges attributes. ' +
      'An invalid email or phone is kept flagged (never matched on) and reported in `invalid`.',
    input: upsertInputSchema,
    output: upsertOutputSchema,
    async run(ctx, input) {
      const country =
        normalizeCountry(input.defaultCountry) ?? normalizeCountry(opts.defaultCountry, 'CONFLUO_DEFAULT_COUNTRY');
      const { identities, invalid } = normalizeIdentities(input, country);
      if (input.attributes != null && (typeof input.attributes !== 'object' || Array.isArray(input.attributes)))
        throw new ConnectorError('validation', 'attributes: must be an object', {
          code: 'INPUT_INVALID',
          details: { field: 'attributes' },
        });
      const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : undefined;
      const { contact, created, conflicts, merged, sharedWith, rejectedAttributes } =
        await ctx.services.contacts.upsert(ctx.workspaceId, {
          identities,
          ...(name !== undefined && { name }),
          ...(input.attributes && { attributes: input.attributes }),
          source: {
            type: 'run',
            runId: ctx.runId,
            nodeId: ctx.nodeId,
            ...(ctx.flowId !== undefined && { flowId: ctx.flowId }),
          },
        });
      if (invalid.length > 0)
        ctx.logger.warn({ contactId: contact.id, invalid }, 'kept invalid identities flagged; not used to match');
      if (rejectedAttributes?.length)
        ctx.logger.warn(
          { contactId: contact.id, rejectedAttributes },
          'left out attribute values that do not fit their type',
        );
      if (conflicts?.length)
        ctx.logger.warn({ contactId: contact.id, conflicts }, 'identities belong to several contacts; not merged');
      return {
        id: contact.id,
        created,
        name: contact.name,
        attributes: contact.attributes,
        identities: contact.identities,
        ...(invalid.length > 0 && { invalid }),
        ...(conflicts?.length ? { conflicts } : {}),
        ...(merged?.length ? { merged } : {}),
        ...(sharedWith?.length ? { sharedWith } : {}),
        ...(rejectedAttributes?.length ? { rejectedAttributes } : {}),
      };
    },
  });
