// Shapes of /api/contacts: the unified record (ContactRecord of the connector SDK).
import { Type, type Static } from 'typebox';
import { IDENTITY_SCHEMA } from '../../connectors/sdk/channel-schemas.js';
import { CONTACT_IDENTITY_SCHEMA } from '../../connectors/sdk/identity-schemas.js';
import { MAX_TAG_LENGTH, MAX_TAGS, NOTE_MAX_LENGTH } from '../../prisma/contact-limits.js';
import { TIMELINE_EVENT_TYPES, type TimelineEventType } from '../../prisma/contact-timeline-types.js';
import { DateTime, Json, Limit } from './common.js';

/** An identity of a contact: value, validity, verification and what added it (the SDK's one definition). */
export const Identity = CONTACT_IDENTITY_SCHEMA;
export type Identity = Static<typeof Identity>;

/** An address on a channel (a message's sender or recipient): kind and value only. */
export const Address = IDENTITY_SCHEMA;
export type Address = Static<typeof Address>;

export const Contact = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  attributes: Json,
  tags: Type.Array(Type.String(), {
    description: "labels, lower case (`GET /api/contacts?tag=`); a merged contact's view: its own, then its members'",
  }),
  identities: Type.Array(Identity),
  createdAt: DateTime,
  updatedAt: DateTime,
  mergedInto: Type.Optional(
    Type.String({ description: 'this contact was merged: the contact whose merged view holds it' }),
  ),
  members: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.Union([Type.String(), Type.Null()]),
        mergeId: Type.Union([Type.String(), Type.Null()]),
        mergedAt: Type.Union([DateTime, Type.Null()]),
      }),
      {
        description:
          'the contacts merged into this one: identities, attributes (under its own) and messages are shown here',
      },
    ),
  ),
});
export type Contact = Static<typeof Contact>;

/** A tag as sent: some non-blank text (stored trimmed and lower case, prisma/contacts.ts normalizeTags). */
const TagText = { minLength: 1, maxLength: MAX_TAG_LENGTH, pattern: '\\S' } as const;

export const ContactListQuery = Type.Object(
  {
    identity: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_.-]*:.+$',
        maxLength: 500,
        description:
          '`kind:value`, e.g. `email:ada@example.com`; matched by the identity rules (a Gmail address with or without ' +
          'dots or a +tag, a phone in any international format)',
      }),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Search: a phone number in any written format (national ones in CONFLUO_DEFAULT_COUNTRY) or an email finds ' +
          'the contact owning it by the identity rules; any other text matches names and identity values ' +
          '(case-insensitive substring), newest first, paged by `cursor`',
      }),
    ),
    tag: Type.Optional(
      Type.String({
        ...TagText,
        description:
          'Only contacts with this tag (case-insensitive; a merged contact’s tag finds the contact it is in); with `q`, ' +
          'those matching both',
      }),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  {
    patternProperties: {
      '^attr\\.[A-Za-z_][A-Za-z0-9_]{0,63}$': Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          '`attr.<key>=<value>`: only contacts whose attribute has this value: a number, date (`YYYY-MM-DD`) or ' +
          'select attribute (GET /api/contact-attributes) exactly, a text one or a key nobody defined by a ' +
          'case-insensitive substring; several are all required, with `q` and `tag` too',
      }),
    },
  },
);
export type ContactListQuery = Static<typeof ContactListQuery>;

export const ContactList = Type.Object({ items: Type.Array(Contact), nextCursor: Type.Optional(Type.String()) });
export type ContactList = Static<typeof ContactList>;

const TimelineContactRef = Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) });

export const TimelineEvent = Type.Object({
  id: Type.String({ description: '`<type>:<source id>`, unique on the timeline' }),
  type: Type.Unsafe<TimelineEventType>(Type.Union(TIMELINE_EVENT_TYPES.map((t) => Type.Literal(t)))),
  at: DateTime,
  contactId: Type.Optional(
    Type.String({ description: "the contact row it is on (a merged contact's view holds its members' events)" }),
  ),
  identity: Type.Optional(Address),
  message: Type.Optional(
    Type.Object({
      id: Type.String(),
      channel: Type.String(),
      accountId: Type.String(),
      text: Type.Union([Type.String(), Type.Null()]),
      status: Type.String(),
    }),
  ),
  note: Type.Optional(
    Type.Object(
      { id: Type.String(), contactId: Type.String(), text: Type.String() },
      { description: 'note.added: the note and the contact row it is on' },
    ),
  ),
  merge: Type.Optional(
    Type.Object(
      {
        id: Type.String(),
        survivor: TimelineContactRef,
        merged: TimelineContactRef,
        members: Type.Array(Type.String()),
        undoneAt: Type.Union([DateTime, Type.Null()]),
      },
      { description: 'contact.merged / contact.unmerged: the merge (`POST /api/contact-merges/:mergeId/undo`)' },
    ),
  ),
  changes: Type.Optional(
    Type.Array(
      Type.Object({
        field: Type.String({ description: '`name`, `tags` or `attributes.<key>`' }),
        from: Type.Unknown({ description: 'null: absent' }),
        to: Type.Unknown({ description: 'null: absent (removed)' }),
      }),
      { description: 'contact.updated / crm.updated (a change the CRM sync brought in): what changed' },
    ),
  ),
  crm: Type.Optional(
    Type.Object(
      {
        accountId: Type.String(),
        connector: Type.String(),
        accountName: Type.String(),
        recordId: Type.Union([Type.String(), Type.Null()]),
        sent: Type.Optional(
          Type.Object(
            {
              name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              emails: Type.Optional(Type.Array(Type.String())),
              phones: Type.Optional(Type.Array(Type.String())),
              fields: Type.Optional(Json),
            },
            { description: 'crm.synced: what Confluo last wrote to the record' },
          ),
        ),
        error: Type.Optional(
          Type.Object(
            { code: Type.String(), message: Type.String(), retrying: Type.Boolean() },
            { description: 'crm.sync_failed: the last write’s failure (gone once a write goes through)' },
          ),
        ),
      },
      {
        description:
          "crm.synced (the link's last sync, either way) / crm.sync_failed: a CRM account's link of the contact row",
      },
    ),
  ),
  source: Type.Optional(
    Type.String({ description: 'who or what did it, e.g. `run:<runId>:<nodeId>`, `api`, `crm:<account>:<record>`' }),
  ),
  runId: Type.Optional(Type.String()),
  nodeId: Type.Optional(Type.String()),
  flowId: Type.Optional(Type.String({ description: "the run's flow, when recorded (`/flows/<flowId>?run=<runId>`)" })),
});
export type TimelineEvent = Static<typeof TimelineEvent>;
/** `POST /api/contacts/:id/identities`: an identity typed by a person, through the matching rules. */
export const AddIdentityBody = Type.Object({
  kind: Type.String({ pattern: '^[a-z][a-z0-9_.-]*$', maxLength: 50 }),
  value: Type.String({ minLength: 1, maxLength: 500 }),
  shared: Type.Optional(
    Type.Boolean({
      description: 'another contact holds it and truly uses it too (a household): keep it on both, flagged shared',
    }),
  ),
});
export type AddIdentityBody = Static<typeof AddIdentityBody>;

export const IdentityParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  identityId: Type.String({ maxLength: 100 }),
});

export const Timeline = Type.Object({
  items: Type.Array(TimelineEvent),
  nextCursor: Type.Optional(Type.String({ description: 'pass as `before` for the next (older) page' })),
});
export type Timeline = Static<typeof Timeline>;

export const TimelineQuery = Type.Object({
  types: Type.Optional(
    Type.String({
      maxLength: 500,
      description: `Only these event types, comma-separated: ${TIMELINE_EVENT_TYPES.join(', ')}`,
    }),
  ),
  channel: Type.Optional(
    Type.String({
      pattern: '^[a-z][a-z0-9_-]*$',
      maxLength: 50,
      description: 'Only messages on this channel (e.g. `sms`); every other event type is left out',
    }),
  ),
  before: Type.Optional(Type.String({ maxLength: 500, description: 'a `nextCursor`: the page after it' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type TimelineQuery = Static<typeof TimelineQuery>;

/** `PATCH /api/contacts/:id`: the name and custom attributes (merged in; `null` removes one), the tags (replaced). */
export const UpdateContactBody = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    attributes: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
        Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean(), Type.Null()]),
        {
          maxProperties: 100,
          additionalProperties: false,
          description:
            'merged into the stored attributes; a null value removes that attribute; a value of a defined attribute ' +
            '(GET /api/contact-attributes) must fit its type (400 naming `attributes.<key>`)',
        },
      ),
    ),
    tags: Type.Optional(
      Type.Array(Type.String(TagText), {
        maxItems: MAX_TAGS,
        description:
          "the contact's tags from now on (trimmed, lower case, duplicates dropped); on a contact with merged ones, " +
          'a new tag goes on it, one left out is taken off every merged row holding it',
      }),
    ),
  },
  { minProperties: 1, additionalProperties: false },
);
export type UpdateContactBody = Static<typeof UpdateContactBody>;

/** One CRM account's sync of a contact (prisma/crm-sync.ts). */
export const CrmLinkStatus = Type.Object({
  accountId: Type.String(),
  connector: Type.String(),
  accountName: Type.String(),
  /** The linked CRM record, once there is one. */
  recordId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union(
    [
      Type.Literal('synced'),
      Type.Literal('pending'),
      Type.Literal('retrying'),
      Type.Literal('failed'),
      Type.Literal('not_synced'),
    ],
    {
      description:
        'synced: the CRM has the last change; pending: a change waits to be written (seconds); retrying: the CRM was ' +
        'down or answered garbage, tried again with backoff; failed: the CRM refused the last change (see error), ' +
        'tried again at the next change; not_synced: nothing to find the person by in a CRM (no email or phone)',
    },
  ),
  syncedAt: Type.Union([DateTime, Type.Null()]),
  error: Type.Union([
    Type.Object({ code: Type.String(), message: Type.String(), at: DateTime, retrying: Type.Boolean() }),
    Type.Null(),
  ]),
});
export type CrmLinkStatus = Static<typeof CrmLinkStatus>;
export const CrmLinkList = Type.Object({ items: Type.Array(CrmLinkStatus) });

/** A note on a contact (prisma/contact-notes.ts): on the row it was written on, listed by the contact it is in. */
export const ContactNote = Type.Object({
  id: Type.String(),
  contactId: Type.String({ description: 'the contact row it was written on (a merged one keeps its notes)' }),
  text: Type.String(),
  by: Type.Object(
    {
      type: Type.Union([Type.Literal('api'), Type.Literal('person'), Type.Literal('run')]),
      ref: Type.Optional(Type.String()),
    },
    { description: 'who wrote it' },
  ),
  createdAt: DateTime,
});
export type ContactNote = Static<typeof ContactNote>;

export const ContactNoteList = Type.Object({
  items: Type.Array(ContactNote),
  nextCursor: Type.Optional(Type.String()),
});
export type ContactNoteList = Static<typeof ContactNoteList>;

export const ContactNoteListQuery = Type.Object({
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

/** `POST /api/contacts/:id/notes`. */
export const AddNoteBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: NOTE_MAX_LENGTH, pattern: '\\S' }) },
  { additionalProperties: false },
);
export type AddNoteBody = Static<typeof AddNoteBody>;

export const NoteParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  noteId: Type.String({ maxLength: 100 }),
});
