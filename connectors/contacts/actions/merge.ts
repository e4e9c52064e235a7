// `contacts.merge`: merge two contacts of the built-in CRM from a flow (a rule the business writes: "same customer id
// in the shop order → one person"). Reversible like every merge; a retried step finds them merged and changes nothing.
import { CONTACT_IDENTITY_SCHEMA, Type, defineAction, type JsonObject, type Static } from '../../sdk/index.js';

const contactId = (title: string, description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^ct_', title, description });

export const mergeInputSchema = Type.Object(
  {
    survivor: contactId('Keep', 'The contact that stays, e.g. {{ contact.id }}'),
    merged: contactId('Merge in', 'The contact merged into it, e.g. {{ steps.find.output.id }}'),
  },
  { additionalProperties: false },
);

export const mergeOutputSchema = Type.Object({
  /** The merge, for `POST /api/contact-merges/:mergeId/undo`; null when they were one contact already. */
  mergeId: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  alreadyMerged: Type.Boolean(),
  /** The surviving contact, with every identity and attribute of both. */
  id: Type.String(),
  name: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  attributes: Type.Unsafe<JsonObject>({ type: 'object' }),
  identities: Type.Array(CONTACT_IDENTITY_SCHEMA),
});

export type ContactMergeActionInput = Static<typeof mergeInputSchema>;
export type ContactMergeActionOutput = Static<typeof mergeOutputSchema>;

export const mergeAction = defineAction({
  id: 'merge',
  name: 'Merge contacts',
  description:
    'Merges one contact into another: the survivor holds both identities, conversations, attributes and CRM links. ' +
    'Undone from the contact page or the API; never crosses workspaces.',
  input: mergeInputSchema,
  output: mergeOutputSchema,
  async run(ctx, input) {
    const { mergeId, alreadyMerged, contact } = await ctx.services.contacts.merge(ctx.workspaceId, {
      survivorId: input.survivor,
      mergedId: input.merged,
      source: {
        type: 'run',
        runId: ctx.runId,
        nodeId: ctx.nodeId,
        ...(ctx.flowId !== undefined && { flowId: ctx.flowId }),
      },
    });
    return {
      mergeId,
      alreadyMerged,
      id: contact.id,
      name: contact.name,
      attributes: contact.attributes,
      identities: contact.identities,
    };
  },
});
