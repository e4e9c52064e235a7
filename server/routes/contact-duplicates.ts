// Duplicate suggestions (issue 11's identity graph): the pairs the matching rules would not merge on their own, to be
// merged (as a merge by the API, undone like any other) or dismissed by a person.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createContactDuplicateStore, DuplicateRefused } from '../../prisma/contact-duplicates.js';
import { createContactMergeStore, MergeRefused } from '../../prisma/contact-merges.js';
import { isIdOf } from '../../prisma/ids.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams } from '../schemas/common.js';
import { Duplicate, DuplicateList, DuplicateListQuery, DuplicateMergeBody } from '../schemas/contact-duplicates.js';
import { MergeResult } from '../schemas/contact-merges.js';

const tags = ['contacts'];

/** The stores' refusals as the one error body; anything else goes on to the error plugin. */
function refused(err: unknown): never {
  if (err instanceof DuplicateRefused) {
    if (err.reason === 'not_found') throw httpErrors.notFound('duplicate suggestion');
    if (err.reason === 'not_open') throw httpErrors.duplicateNotOpen();
    throw httpErrors.validation('survivorId: not one of the two contacts of this suggestion', [
      { path: '/body/survivorId', code: 'not_in_pair', message: 'not one of the two contacts of this suggestion' },
    ]);
  }
  // The two were merged some other way since: nothing left to merge (the merge closed the suggestion).
  if (err instanceof MergeRefused && err.reason === 'already_merged') throw httpErrors.alreadyMerged();
  throw err;
}

export const contactDuplicateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const duplicates = createContactDuplicateStore(app.prisma);
  const merges = createContactMergeStore(app.prisma);

  app.get(
    '/duplicates',
    {
      schema: {
        tags,
        summary: 'Duplicate suggestions: pairs of contacts that may be one person, highest score first',
        description:
          'What the matching rules would not merge on their own (connectors/contacts/README.md): a household ' +
          'identifier two differently named people share, contacts one delivery links whose full names differ.',
        querystring: DuplicateListQuery,
        response: { 200: DuplicateList, ...errors(400, 401) },
      },
    },
    async (request) => {
      const { status = 'open', limit = 20, cursor } = request.query;
      if (cursor && !isIdOf('dup', cursor)) throw httpErrors.badQuery('cursor', 'cursor', 'not a cursor from this API');
      return duplicates.list(request.workspaceId, { status, limit, ...(cursor && { cursor }) });
    },
  );

  app.post(
    '/duplicates/:id/merge',
    {
      schema: {
        tags,
        summary: 'Merge the two contacts of a suggestion (reversible)',
        description:
          'The older keeps the other unless `survivorId` names the newer. A merge like `POST /api/contacts/:id/merge` ' +
          '(`by: { type: "api", ref: "duplicate <id>" }`); its undo reopens the suggestion.',
        params: IdParams,
        body: DuplicateMergeBody,
        response: { 200: MergeResult, ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isIdOf('dup', id)) throw httpErrors.notFound('duplicate suggestion');
      const ws = request.workspaceId;
      try {
        const [survivor, merged] = await duplicates.pair(ws, id, request.body.survivorId);
        return await merges.merge(ws, survivor, merged, { type: 'api', ref: `duplicate ${id}` });
      } catch (err) {
        refused(err);
      }
    },
  );

  app.post(
    '/duplicates/:id/dismiss',
    {
      schema: {
        tags,
        summary: 'Dismiss a suggestion: not one person (the rules never suggest the pair again)',
        params: IdParams,
        response: { 200: Duplicate, ...errors(401, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isIdOf('dup', id)) throw httpErrors.notFound('duplicate suggestion');
      return duplicates.dismiss(request.workspaceId, id).catch(refused);
    },
  );
};
