// /api/contacts: the unified contact record, looked up by id or by one identity (`kind:value`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkIdentity } from '../../connectors/contacts/identity.js';
import { isIdOf } from '../../prisma/ids.js';
import { contactTimeline, findContactByIdentity, getContact, listContacts } from '../../prisma/contacts.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams } from '../schemas/common.js';
import { Contact, ContactList, ContactListQuery, Timeline } from '../schemas/contacts.js';

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
        const { kind, key } = parseIdentity(identity);
        const found = await findContactByIdentity(app.prisma, request.workspaceId, kind, key);
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
