// Shapes of the contact merge routes: a merge as recorded (prisma/contact-merges.ts) and the views it returns.
import { Type, type Static, type TSchema } from 'typebox';
import { DateTime, Json } from './common.js';
import { Contact, Identity } from './contacts.js';

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

export const MergePreviewQuery = Type.Object({
  contactId: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'the contact that would be merged into this one',
  }),
});
export type MergePreviewQuery = Static<typeof MergePreviewQuery>;

const Side = Type.Union([Type.Literal('survivor'), Type.Literal('merged'), Type.Literal('both')], {
  description: "where it comes from: the surviving contact's rows, the merged contact's, or both hold it",
});
const SetAside = <T extends TSchema>(value: T) =>
  Type.Array(Type.Object({ from: Type.Union([Type.Literal('survivor'), Type.Literal('merged')]), value }), {
    description: "what a side's view showed that the result does not: kept on its row, shown again after an undo",
  });

const CrmRecordRef = Type.Object({
  accountId: Type.String(),
  connector: Type.String(),
  accountName: Type.String(),
  contactId: Type.String({ description: 'the contact row the record is linked to' }),
  recordId: Type.String(),
});

const PreviewSide = Type.Object({
  contact: Contact,
  rows: Type.Array(ContactId, { description: 'its contact and the rows merged into it' }),
  notes: Type.Integer(),
  messages: Type.Integer(),
  conversations: Type.Integer(),
  crm: Type.Array(CrmRecordRef),
});

export const MergePreview = Type.Object({
  survivorId: Type.String({ description: 'the contact that would survive (`:id`, or the contact it is merged into)' }),
  mergedId: Type.String({ description: 'the contact that would be merged into it' }),
  survivor: PreviewSide,
  merged: PreviewSide,
  result: Type.Object({
    contact: Contact,
    name: Type.Object({
      value: Type.Union([Type.String(), Type.Null()]),
      from: Type.Union([Side, Type.Null()]),
      setAside: SetAside(Type.String()),
    }),
    identities: Type.Array(
      Type.Object({
        identity: Identity,
        from: Side,
        conflict: Type.Boolean({
          description: 'a CRM record while the other side has another record of the same CRM account',
        }),
      }),
    ),
    attributes: Type.Array(Type.Object({ key: Type.String(), value: Json, from: Side, setAside: SetAside(Json) }), {
      description: "per key the value that wins (a survivor's own value beats its members' and the merged ones')",
    }),
    tags: Type.Array(Type.Object({ tag: Type.String(), from: Side })),
    notes: Type.Integer(),
    messages: Type.Integer(),
    conversations: Type.Integer({ description: "the merge files every message in the survivor's conversation" }),
    crm: Type.Array(
      Type.Object({
        accountId: Type.String(),
        connector: Type.String(),
        accountName: Type.String(),
        action: Type.Union(
          [Type.Literal('merge'), Type.Literal('update_each'), Type.Literal('update'), Type.Literal('sync')],
          {
            description:
              'what the CRM sync does next: merge (the CRM merges `mergeAway` into `keep`; an undo does not unmerge ' +
              'it), update_each (several records, a CRM that cannot merge: each is written), update (its one record ' +
              'is written), sync (no record yet: found or created when the contact has an email or a phone)',
          },
        ),
        keep: Type.Array(CrmRecordRef),
        mergeAway: Type.Array(CrmRecordRef),
      }),
    ),
  }),
});
export type MergePreview = Static<typeof MergePreview>;
