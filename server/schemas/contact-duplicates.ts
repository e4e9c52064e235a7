// Shapes of the duplicate suggestion routes (prisma/contact-duplicates.ts).
import { Type, type Static } from 'typebox';
import { DateTime, Limit } from './common.js';
import { Contact } from './contacts.js';

export const DuplicateStatus = Type.Union([Type.Literal('open'), Type.Literal('merged'), Type.Literal('dismissed')]);

export const Duplicate = Type.Object({
  id: Type.String(),
  status: DuplicateStatus,
  score: Type.Integer({ minimum: 0, maximum: 100, description: 'how likely one person, 0–100' }),
  reasons: Type.Array(
    Type.Object({
      code: Type.Union([
        Type.Literal('shared_identity'),
        Type.Literal('linked_identity'),
        Type.Literal('names_differ'),
        Type.Literal('email_tag'),
        Type.Literal('email_typo'),
        Type.Literal('name_and_city'),
      ]),
      kind: Type.Optional(Type.String()),
      value: Type.Optional(Type.String()),
      values: Type.Optional(Type.Array(Type.String(), { description: 'email_tag, email_typo: the two emails' })),
      names: Type.Optional(Type.Array(Type.String())),
    }),
  ),
  contacts: Type.Array(Contact, { minItems: 2, maxItems: 2, description: 'the older contact first' }),
  mergeId: Type.Union([Type.String(), Type.Null()], { description: 'the merge that joined them (status merged)' }),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Duplicate = Static<typeof Duplicate>;

export const DuplicateListQuery = Type.Object({
  status: Type.Optional(DuplicateStatus),
  limit: Type.Optional(Type.Integer({ ...Limit, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type DuplicateListQuery = Static<typeof DuplicateListQuery>;

export const DuplicateList = Type.Object({ items: Type.Array(Duplicate), nextCursor: Type.Optional(Type.String()) });

export const DuplicateMergeBody = Type.Object({
  survivorId: Type.Optional(
    Type.String({ maxLength: 100, description: 'which of the two keeps the other (default: the older)' }),
  ),
});
export type DuplicateMergeBody = Static<typeof DuplicateMergeBody>;
