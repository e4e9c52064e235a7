// Shapes of the workspace's contact settings: custom attribute definitions (prisma/contact-attributes.ts) and the
// merge rules it turns on (prisma/workspace-settings.ts).
import { Type, type Static } from 'typebox';
import { ATTRIBUTE_KEY_PATTERN, MAX_ATTRIBUTE_LABEL, MAX_ATTRIBUTE_OPTIONS } from '../../prisma/contact-limits.js';
import { DateTime } from './common.js';

export const AttributeType = Type.Union(
  [Type.Literal('text'), Type.Literal('number'), Type.Literal('date'), Type.Literal('select')],
  { description: 'text; number (a JSON number); date (`YYYY-MM-DD`); select (one of `options`)' },
);
export type AttributeType = Static<typeof AttributeType>;

const Label = Type.String({ minLength: 1, maxLength: MAX_ATTRIBUTE_LABEL, pattern: '\\S' });
const Options = Type.Array(Type.String({ minLength: 1, maxLength: MAX_ATTRIBUTE_LABEL, pattern: '\\S' }), {
  minItems: 1,
  maxItems: MAX_ATTRIBUTE_OPTIONS,
  description: 'select: the values it may take, in the order shown (trimmed, each once)',
});

export const AttributeDefinition = Type.Object({
  key: Type.String({ description: "the key in a contact's `attributes` (and a flow's `attributes.<key>`)" }),
  label: Type.String(),
  type: AttributeType,
  options: Type.Optional(Type.Array(Type.String())),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type AttributeDefinition = Static<typeof AttributeDefinition>;

export const AttributeDefinitionList = Type.Object({ items: Type.Array(AttributeDefinition) });
export type AttributeDefinitionList = Static<typeof AttributeDefinitionList>;

/** `POST /api/contact-attributes`. */
export const CreateAttributeBody = Type.Object(
  {
    key: Type.String({
      pattern: ATTRIBUTE_KEY_PATTERN,
      description: 'letters, digits and `_`, not starting with a digit (no dots or spaces), at most 64',
    }),
    label: Label,
    type: AttributeType,
    options: Type.Optional(Options),
  },
  { additionalProperties: false },
);
export type CreateAttributeBody = Static<typeof CreateAttributeBody>;

/** `PATCH /api/contact-attributes/:key`: the label and a select's options (the type never changes). */
export const UpdateAttributeBody = Type.Object(
  { label: Type.Optional(Label), options: Type.Optional(Options) },
  { minProperties: 1, additionalProperties: false },
);
export type UpdateAttributeBody = Static<typeof UpdateAttributeBody>;

export const AttributeKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) });

export const ContactSettings = Type.Object({
  mergeOnSharedDelivery: Type.Boolean({
    description:
      'a delivery carrying identities already on two contacts whose names fit merges them (the shared-delivery ' +
      'rule, on by default); off: the pair becomes a duplicate suggestion and the upsert reports a conflict',
  }),
  autoMergeScore: Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()], {
    description:
      'a duplicate suggestion scoring at least this is merged by rule when an upsert makes it or sees it again (not ' +
      'those already waiting when this is set; `by: { type: "rule", ref: ' +
      '"auto-merge <suggestion id>" }`, undoable; a pair whose merge was undone is left open); null: never (default)',
  }),
});
export type ContactSettings = Static<typeof ContactSettings>;

export const UpdateContactSettingsBody = Type.Partial(ContactSettings, {
  minProperties: 1,
  additionalProperties: false,
});
export type UpdateContactSettingsBody = Static<typeof UpdateContactSettingsBody>;
