// /api/contacts: the unified contact record, looked up by id or by one identity (`kind:value`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JsonObject } from '../../connectors/flow/types.js';
import type { ContactRecord } from '../../connectors/sdk/types.js';
import { findContactByIdentity, getContact } from '../../prisma/contacts.js';
import { notFound } from '../errors.js';
import { errors, IdParams } from '../schemas/common.js';
import { Contact, ContactList, ContactListQuery } from '../schemas/contacts.js';

const tags = ['contacts'];

/** Identities are stored normalized; emails are case-insensitive, so the filter is lower-cased the same way. */
function parseIdentity(identity: string): { kind: string; value: string } {
  const i = identity.indexOf(':');
  const kind = identity.slice(0, i);
  const value = identity.slice(i + 1).trim();
  return { kind, value: kind === 'email' ? value.toLowerCase() : value };
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
      const limit = request.query.limit ?? 50;
      // Contacts ids are random, so the cursor is the last id of the page, ordered by (createdAt, id).
      const rows = await app.prisma.contact.findMany({
        where: { workspaceId: request.workspaceId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        ...(cursor && { cursor: { id: cursor }, skip: 1 }),
        include: { identities: { orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }, { value: 'asc' }] } },
      });
      const page = rows.slice(0, limit);
      const items: ContactRecord[] = page.map((c) => ({
        id: c.id,
        name: c.name,
        attributes: (c.attributes ?? {}) as JsonObject,
        identities: c.identities.map((i) => ({ kind: i.kind, value: i.value })),
        createdAt: c.createdAt.toISOString(),
        updatedAt: c.updatedAt.toISOString(),
      }));
      const last = page.at(-1);
      return { items, ...(rows.length > limit && last && { nextCursor: last.id }) };
    },
  );

  app.get(
    '/contacts/:id',
    { schema: { tags, summary: 'A contact with its identities', params: IdParams, response: { 200: Contact, ...errors(401, 404) } } },
    async (request) => {
      const contact = await getContact(app.prisma, request.workspaceId, request.params.id);
      if (!contact) throw notFound('contact');
      return contact;
    },
  );
};
