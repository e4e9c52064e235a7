// /api/contacts: the unified contact record, looked up by id or by one identity (`kind:value`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CountryCode } from 'libphonenumber-js/max';
import { checkEmail, checkIdentity, checkPhone, resolveIdentity } from '../../connectors/contacts/identity.js';
import { createAjv } from '../../connectors/flow/ajv.js';
import type { ContactRecord } from '../../connectors/sdk/types.js';
import { isIdOf } from '../../prisma/ids.js';
import {
  addIdentity,
  detachIdentity,
  IdentityRefused,
  findContactsByIdentity,
  getContact,
  listContacts,
  normalizeTag,
  searchContacts,
  TagRefused,
  updateContact,
} from '../../prisma/contacts.js';
import {
  AttributeRefused,
  attributeFilters,
  definitionsInTx,
  matchesAttributes,
  type AttributeFilter,
} from '../../prisma/contact-attributes.js';
import { createContactNoteStore } from '../../prisma/contact-notes.js';
import {
  createContactTimelineStore,
  TIMELINE_EVENT_TYPES,
  type TimelineEventType,
} from '../../prisma/contact-timeline.js';
import { createCrmSyncStore } from '../../prisma/crm-sync.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams, Nothing } from '../schemas/common.js';
import { decodeCursor, decodeTimelineKey, encodeTimelineKey, nextCursor } from '../services/keyset.js';
import {
  AddIdentityBody,
  AddNoteBody,
  ContactNote,
  ContactNoteList,
  ContactNoteListQuery,
  NoteParams,
  Contact,
  CrmLinkList,
  type CrmLinkStatus,
  ContactList,
  ContactListQuery,
  IdentityParams,
  Timeline,
  TimelineQuery,
  UpdateContactBody,
} from '../schemas/contacts.js';

const tags = ['contacts'];

/**
 * The filter goes through the same matching rules as ingest and contacts.upsert, and is looked up by its match key
 * (`j.o.hn+shop@googlemail.com` finds john@gmail.com). A `+` that arrived unencoded in the query string reads as a space.
 */
function parseIdentity(identity: string): { kind: string; key: string } {
  const i = identity.indexOf(':');
  const kind = identity.slice(0, i);
  const raw = identity.slice(i + 1);
  const checked = checkIdentity(kind, kind === 'phone' ? raw.replace(/^ (?=\d)/, '+') : raw);
  if (!checked.ok) {
    const message = `identity: ${checked.problem}`;
    throw httpErrors.validation(message, [{ path: '/query/identity', code: 'invalid', message }]);
  }
  return { kind, key: checked.key };
}

/** `types=a,b` as event types; 400 on /query/types naming the first unknown one. */
function timelineTypes(text: string): TimelineEventType[] {
  const types = text.split(',').map((t) => t.trim());
  const unknown = types.find((t) => !(TIMELINE_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined)
    throw httpErrors.badQuery(
      'types',
      'enum',
      `${unknown ? `"${unknown}" is` : 'an empty entry is'} not a timeline event type (${TIMELINE_EVENT_TYPES.join(', ')})`,
    );
  return types as TimelineEventType[];
}

// What a typed phone number may hold: digits and the separators people write (no letters, so a name never parses).
const PHONE_LIKE = /^[+\d\s().-]{6,}$/;

/**
 * A search text that is a phone number (any written format, national ones in `defaultCountry`) or an email: its
 * identity, by match key, so "0034 612 34 56 78" finds +34612345678. Anything else: undefined (a text search).
 */
export function searchIdentity(q: string, defaultCountry?: CountryCode): { kind: string; key: string } | undefined {
  // A `+` left unencoded in the query string arrives as a space.
  const text = q.replace(/^ (?=\d)/, '+').trim();
  if (text.includes('@')) {
    const email = checkEmail(text);
    return email.ok ? { kind: 'email', key: email.key } : undefined;
  }
  if (!PHONE_LIKE.test(text)) return undefined;
  const phone = checkPhone(text, defaultCountry);
  return phone.ok ? { kind: 'phone', key: phone.key } : undefined;
}

export const contactRoutes: FastifyPluginAsyncTypebox<{ defaultCountry?: CountryCode | undefined }> = async (
  app,
  opts,
) => {
  const crmSyncs = createCrmSyncStore(app.prisma);
  const notes = createContactNoteStore(app.prisma);
  const timeline = createContactTimelineStore(app.prisma);
  const exactAjv = createAjv();
  /** The `attr.<key>` query parameters as search conditions, read against the workspace's definitions. */
  const queryAttributes = async (workspaceId: string, query: Record<string, unknown>): Promise<AttributeFilter[]> => {
    const raw = Object.fromEntries(
      Object.entries(query)
        .filter(([k, v]) => k.startsWith('attr.') && typeof v === 'string')
        .map(([k, v]) => [k.slice('attr.'.length), v as string]),
    );
    if (Object.keys(raw).length === 0) return [];
    try {
      return attributeFilters(await definitionsInTx(app.prisma, workspaceId), raw);
    } catch (err) {
      if (!(err instanceof AttributeRefused)) throw err;
      throw httpErrors.badQuery(`attr.${err.key}`, 'invalid', `attr.${err.key}: ${err.problem}`);
    }
  };
  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary:
          'List or search contacts (newest first), or find those holding an identity (a shared one: each holder)',
        querystring: ContactListQuery,
        response: { 200: ContactList, ...errors(400, 401) },
      },
    },
    async (request) => {
      const { identity, cursor, q } = request.query;
      const tag = request.query.tag === undefined ? undefined : queryTag(request.query.tag);
      const attrs = await queryAttributes(request.workspaceId, request.query as Record<string, unknown>);
      const tagged = (items: ContactRecord[]) => ({
        items: items.filter(
          (c) => (tag === undefined || c.tags.includes(tag)) && matchesAttributes(c.attributes, attrs),
        ),
      });
      if (identity !== undefined) {
        const { kind, key } = parseIdentity(identity);
        return tagged(await findContactsByIdentity(app.prisma, request.workspaceId, kind, key));
      }
      const match = q !== undefined && q.trim() !== '' ? searchIdentity(q, opts.defaultCountry) : undefined;
      if (match) {
        return tagged(await findContactsByIdentity(app.prisma, request.workspaceId, match.kind, match.key));
      }
      // The cursor is a contact id (listContacts' nextCursor): anything else could never be one.
      if (cursor && !isIdOf('ct', cursor)) throw httpErrors.badQuery('cursor', 'cursor', 'not a cursor from this API');
      const page = { limit: request.query.limit ?? 50, ...(cursor && { cursor }) };
      const text = q?.trim() || undefined;
      return text !== undefined || tag !== undefined || attrs.length > 0
        ? searchContacts(
            app.prisma,
            request.workspaceId,
            { ...(text && { text }), ...(tag && { tag }), ...(attrs.length > 0 && { attributes: attrs }) },
            page,
          )
        : listContacts(app.prisma, request.workspaceId, page);
    },
  );

  app.get(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'A contact with its identities',
        params: IdParams,
        response: { 200: Contact, ...errors(401, 404) },
      },
    },
    async (request) => {
      const contact = await getContact(app.prisma, request.workspaceId, request.params.id);
      if (!contact) throw httpErrors.notFound('contact');
      return contact;
    },
  );

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: "Change a contact's name, custom attributes or tags",
        description:
          'Attributes are merged into the stored ones; a null value removes one. `tags` replaces the tags (trimmed, ' +
          'lower case, duplicates dropped). A change is written to every connected CRM (GET /api/contacts/{id}/crm ' +
          'says when) and recorded as a contact.updated event (`name`, `attributes.<key>`, `tags`).',
        params: IdParams,
        body: UpdateContactBody,
        response: { 200: Contact, ...errors(400, 401, 404, 415) },
      },
      // Values kept as sent: the app's ajv coerces types, which in a union turns "" into null and 3 into "3".
      validatorCompiler: ({ schema }) => exactAjv.compile(schema),
    },
    async (request) => {
      if (!isIdOf('ct', request.params.id)) throw httpErrors.notFound('contact');
      const contact = await updateContact(app.prisma, request.workspaceId, request.params.id, request.body).catch(
        (err: unknown) => {
          if (err instanceof AttributeRefused) throw httpErrors.attributeInvalid(err.key, err.problem);
          if (!(err instanceof TagRefused)) throw err;
          const message = `tags: ${err.problem}`;
          throw httpErrors.validation(message, [{ path: `/body/tags/${err.index}`, code: 'invalid', message }]);
        },
      );
      if (!contact) throw httpErrors.notFound('contact');
      return contact;
    },
  );

  app.get(
    '/contacts/:id/notes',
    {
      schema: {
        tags,
        summary: "A contact's notes, newest first",
        description:
          "A contact with merged ones lists theirs too (each note's `contactId` is the row it was written on); a " +
          'merged contact lists its own.',
        params: IdParams,
        querystring: ContactNoteListQuery,
        response: { 200: ContactNoteList, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const cursor = decodeCursor(request.query.cursor, 'note');
      const page = isIdOf('ct', request.params.id)
        ? await notes.list(request.workspaceId, request.params.id, {
            limit: request.query.limit ?? 50,
            ...(cursor && { cursor }),
          })
        : null;
      if (!page) throw httpErrors.notFound('contact');
      return { items: page.items, ...nextCursor(page.next) };
    },
  );

  app.post(
    '/contacts/:id/notes',
    {
      schema: {
        tags,
        summary: 'Write a note on a contact',
        description:
          'The note stays on this contact row: written on a merged contact, it is listed by the contact it is in, ' +
          'and again by its own after an unmerge. From `{ type: "api" }`.',
        params: IdParams,
        body: AddNoteBody,
        response: { 201: ContactNote, ...errors(400, 401, 404, 415) },
      },
      // The text as sent: the app's ajv would turn a number into text.
      validatorCompiler: ({ schema }) => exactAjv.compile(schema),
    },
    async (request, reply) => {
      const note = isIdOf('ct', request.params.id)
        ? await notes.add(request.workspaceId, request.params.id, request.body.text, { type: 'api' })
        : null;
      if (!note) throw httpErrors.notFound('contact');
      return reply.code(201).send(note);
    },
  );

  app.delete(
    '/contacts/:id/notes/:noteId',
    {
      schema: {
        tags,
        summary: 'Delete a note',
        description: "Any note the contact lists (a merged contact's too); it leaves the timeline as well.",
        params: NoteParams,
        response: { 204: Nothing, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const { id, noteId } = request.params;
      if (!isIdOf('ct', id)) throw httpErrors.notFound('contact');
      if (!isIdOf('note', noteId)) throw httpErrors.notFound('note');
      const result = await notes.remove(request.workspaceId, id, noteId);
      if (result !== 'removed') throw httpErrors.notFound(result);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/contacts/:id/crm',
    {
      schema: {
        tags,
        summary: "A contact's CRM records and the sync state of each connected CRM account",
        params: IdParams,
        response: { 200: CrmLinkList, ...errors(401, 404) },
      },
    },
    async (request) => {
      const contact = isIdOf('ct', request.params.id)
        ? await getContact(app.prisma, request.workspaceId, request.params.id)
        : null;
      if (!contact) throw httpErrors.notFound('contact');
      const rows = [contact.id, ...(contact.members ?? []).map((m) => m.id)];
      const links = await crmSyncs.linksOf(request.workspaceId, rows);
      return {
        items: links.map((l): CrmLinkStatus => {
          const error = l.error as CrmLinkStatus['error'];
          return {
            accountId: l.accountId,
            connector: l.account.connector,
            accountName: l.account.name,
            recordId: l.recordId,
            status: error
              ? error.retrying
                ? 'retrying'
                : 'failed'
              : l.pending
                ? 'pending'
                : l.recordId
                  ? 'synced'
                  : 'not_synced',
            syncedAt: l.syncedAt?.toISOString() ?? null,
            error,
          };
        }),
      };
    },
  );

  app.get(
    '/contacts/:id/timeline',
    {
      schema: {
        tags,
        summary: "A contact's one timeline across every channel, newest first, with who or what did each thing",
        description:
          'Messages in and out, notes, identities added and detached (with the run step, message or CRM record ' +
          'behind them), changes to name, attributes and tags (from → to, and who), merges and their undoing, and ' +
          'the CRM sync (a change the CRM brought in: crm.updated; the last sync and failure per CRM account). A ' +
          "merged contact's view holds its members' events. Keyset pages: `nextCursor` as `before` gives the next " +
          'older page, stable while new events arrive.',
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: Timeline, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { types, channel, before, limit = 50 } = request.query;
      const page = await timeline.page(request.workspaceId, request.params.id, {
        ...(types !== undefined && { types: timelineTypes(types) }),
        ...(channel && { channel }),
        before: decodeTimelineKey(before),
        limit,
      });
      if (!page) throw httpErrors.notFound('contact');
      return { items: page.items, ...(page.next && { nextCursor: encodeTimelineKey(page.next) }) };
    },
  );

  app.post(
    '/contacts/:id/identities',
    {
      schema: {
        tags,
        summary: 'Add an identity to a contact by hand',
        description:
          'Through the matching rules (a phone in any written format, national ones in CONFLUO_DEFAULT_COUNTRY); ' +
          'stored unverified, from `{ type: "api" }`. 201 when added, 200 when the contact had it already. Held by ' +
          'another contact: 409 `identity_claimed` naming it, unless `shared: true` (a household: kept on both).',
        params: IdParams,
        body: AddIdentityBody,
        response: { 200: Contact, 201: Contact, ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request, reply) => {
      const { kind, value, shared } = request.body;
      const identity = resolveIdentity({ kind, value }, opts.defaultCountry);
      if (!identity.valid) {
        const message = `value: ${identity.problem}`;
        throw httpErrors.validation(message, [{ path: '/body/value', code: 'invalid', message }]);
      }
      if (!isIdOf('ct', request.params.id)) throw httpErrors.notFound('contact');
      const { contact, added } = await addIdentity(app.prisma, request.workspaceId, request.params.id, identity, {
        shared: shared === true,
        source: { type: 'api' },
      }).catch(identityRefused);
      return reply.code(added ? 201 : 200).send(contact);
    },
  );

  app.delete(
    '/contacts/:id/identities/:identityId',
    {
      schema: {
        tags,
        summary: 'Detach an identity from a contact',
        description:
          'It leaves the contact and matches nobody any more; the timeline keeps it (`identity.detached`). A shared ' +
          'identity left with one other holder becomes theirs alone. A later delivery from it is matched afresh.',
        params: IdentityParams,
        response: { 200: Contact, ...errors(401, 404) },
      },
    },
    async (request) => {
      const { id, identityId } = request.params;
      if (!isIdOf('ct', id)) throw httpErrors.notFound('contact');
      if (!isIdOf('idn', identityId)) throw httpErrors.notFound('identity');
      return detachIdentity(app.prisma, request.workspaceId, id, identityId, { type: 'api' }).catch(identityRefused);
    },
  );
};

/** `?tag=` as stored (trimmed, lower case); 400 naming /query/tag when it cannot be a tag. */
function queryTag(tag: string): string {
  try {
    return normalizeTag(tag);
  } catch (err) {
    if (err instanceof TagRefused) throw httpErrors.badQuery('tag', 'invalid', err.problem);
    throw err;
  }
}

/** The store's refusal as the one error body; anything else goes on to the error plugin. */
function identityRefused(err: unknown): never {
  if (!(err instanceof IdentityRefused)) throw err;
  if (err.reason === 'identity_claimed') throw httpErrors.identityClaimed(err.holders);
  throw httpErrors.notFound(err.what);
}
