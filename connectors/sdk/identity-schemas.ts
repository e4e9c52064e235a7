// The shapes of a contact's identities, once (TypeBox, which is JSON Schema): what added an identity (provenance) and
// an identity as a contact record shows it. The server's contacts API and the contacts.upsert output use these.
import { Type, type Static } from 'typebox';

/**
 * What added an identity: a channel message (the account and the provider's message id: the message row is written
 * after its sender's contact is found), a run step, an API call, a person, or a CRM record (its account and id). When is the identity's `addedAt`.
 */
export const IDENTITY_SOURCE_SCHEMA = Type.Union([
  Type.Object({ type: Type.Literal('message'), accountId: Type.String(), providerMessageId: Type.String() }),
  Type.Object({
    type: Type.Literal('run'),
    runId: Type.String(),
    nodeId: Type.String(),
    /** The run's flow (absent on identities added before it was recorded). */
    flowId: Type.Optional(Type.String()),
  }),
  Type.Object({ type: Type.Literal('api'), ref: Type.Optional(Type.String()) }),
  Type.Object({ type: Type.Literal('person'), ref: Type.Optional(Type.String()) }),
  Type.Object({ type: Type.Literal('crm'), accountId: Type.String(), recordId: Type.String() }),
]);
export type IdentitySource = Static<typeof IDENTITY_SOURCE_SCHEMA>;

/** One identity of a contact, as stored. */
export const CONTACT_IDENTITY_SCHEMA = Type.Object({
  /** This identity on this contact (`DELETE /api/contacts/:id/identities/:identityId` detaches it). */
  id: Type.String(),
  kind: Type.String(),
  /** The normalised display value: what is shown and sent to (an email as written, trimmed and lower-cased). */
  value: Type.String(),
  /** False: stored as written because it is not a valid email or phone; never used to match. */
  valid: Type.Boolean(),
  /** True when a provider delivered from it (a sender's phone), false when someone typed it (a web chat email). */
  verified: Type.Boolean(),
  /** Present (true) when two people truly use it, a household's phone or email: each contact holds a copy. */
  shared: Type.Optional(Type.Literal(true)),
  source: IDENTITY_SOURCE_SCHEMA,
  addedAt: Type.String({ format: 'date-time' }),
});
export type ContactIdentity = Static<typeof CONTACT_IDENTITY_SCHEMA>;
