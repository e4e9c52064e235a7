// /api/contacts: the unified contact record, looked up by id or by one identity (`kind:value`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { normalizeEmail, normalizePhone } from '../../connectors/contacts/normalize.js';
import { isIdOf } from '../../prisma/ids.js';
import { contactTimeline, findContactByIdentity, getContact, listContacts } from '../../prisma/contacts.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams } from '../schemas/common.js';
import { Contact, ContactList, ContactListQuery, Timeline } from '../schemas/contacts.js';

const tags = ['contacts'];

/**
 * Identities are stored normalized, so the filter is normalized the same way contacts.upsert does it (emails
 * lower-cased, phones to E.164; a `+` that arrived unencoded in the query string reads as a space).
 */
function parseIdentity(identity: string): { kind: string; value: string } {
  const i = identity.indexOf(':');
  const kind = identity.slice(0, i);
  const raw = identity.slice(i + 1);
  try {
    if (kind === 'email') return { kind, value: normalizeEmail(raw, 'identity') };
    if (kind === 'phone') return { kind, value: normalizePhone(raw.replace(/^ (?=\d)/, '+'), undefined, 'identity') };
  } catch (err) {
    const message = (err as Error).message;
    throw httpErrors.validation(message, [{ path: '/query/identity', code: 'invalid', message }]);
  }
  return { kind, value: raw.trim() };
}

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'List contacts (newest first), or find the one owning an identity',
        querystring: ContactListQuery,
        response: { 200: ContactList, ...errors(400, 401) },
      },
    },
    async (request) => {
      const { identity, cursor } = request.query;
      if (identity !== undefined) {
        const { kind, value } = parseIdentity(identity);
        const found = await findContactByIdentity(app.prisma, request.workspaceId, kind, value);
        return { items: found ? [found] : [] };
      }
      // The cursor is a contact id (listContacts' nextCursor): anything else could never be one.
      if (cursor && !isIdOf('ct', cursor)) throw httpErrors.badQuery('cursor', 'cursor', 'not a cursor from this API');
      return listContacts(app.prisma, request.workspaceId, {
        limit: request.query.limit ?? 50,
        ...(cursor && { cursor }),
      });
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

  app.get(
    '/contacts/:id/timeline',
    {
      schema: {
        tags,
        summary: "A contact's history, newest first, with the run step behind each change",
        params: IdParams,
        response: { 200: Timeline, ...errors(401, 404) },
      },
    },
    async (request) => {
      const items = await contactTimeline(app.prisma, request.workspaceId, request.params.id);
      if (!items) throw httpErrors.notFound('contact');
      return { items };
    },
  );
};
