// Shapes of the contact merge routes: a merge as recorded (prisma/contact-merges.ts) and the views it returns.
import { Type, type Static } from 'typebox';
import { DateTime } from './common.js';
import { Contact } from './contacts.js';

const ContactId = Type.String({ minLength: 1, maxLength: 100 });

export const MergeBody = Type.Object({
  contactId: Type.String({ minLength: 1, maxLength: 100, description: 'the contact to merge into this one' }),
});
export type MergeBody = Static<typeof MergeBody>;

export const MergeParams = Type.Object({ mergeId: Type.String({ minLength: 1, maxLength: 100 }) });
export type MergeParams = Static<typeof MergeParams>;

export const ContactMerge = Type.Object({
  id: Type.String(),
  survivorId: Type.String({ description: 'the contact that holds the merged one' }),
  mergedId: Type.String({ description: 'the contact merged into it' }),
  members: Type.Array(ContactId, {
    description: 'the rows moved: the merged contact and what had been merged into it',
  }),
  by: Type.Object({
    type: Type.Union([Type.Literal('person'), Type.Literal('api'), Type.Literal('run'), Type.Literal('rule')]),
    ref: Type.Optional(Type.String()),
  }),
  createdAt: DateTime,
  undoneAt: Type.Union([DateTime, Type.Null()]),
});
export type ContactMerge = Static<typeof ContactMerge>;

export const MergeResult = Type.Object({ merge: ContactMerge, contact: Contact });
export type MergeResult = Static<typeof MergeResult>;

export const UndoResult = Type.Object({
  merge: ContactMerge,
  contacts: Type.Array(Contact, { description: 'the survivor, then the contact restored', minItems: 2, maxItems: 2 }),
});
export type UndoResult = Static<typeof UndoResult>;

export const MergeList = Type.Object({ items: Type.Array(ContactMerge) });
export type MergeList = Static<typeof MergeList>;
