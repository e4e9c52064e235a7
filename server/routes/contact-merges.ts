// Merging contacts (issue 11's identity graph): merge one contact into another, undo a merge, list a contact's
// merges. The store (prisma/contact-merges.ts) decides and refuses; this maps its refusals to statuses.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createContactMergeStore, MergeRefused } from '../../prisma/contact-merges.js';
import { isIdOf } from '../../prisma/ids.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams } from '../schemas/common.js';
import {
  MergeBody,
  MergeList,
  MergeParams,
  MergePreview,
  MergePreviewQuery,
  MergeResult,
  UndoResult,
} from '../schemas/contact-merges.js';

const tags = ['contacts'];

/** The store's refusal as the one error body; anything else goes on to the error plugin. */
function refused(err: unknown, what: string, field = '/body/contactId'): never {
  if (!(err instanceof MergeRefused)) throw err;
  switch (err.reason) {
    case 'not_found':
      throw httpErrors.notFound(what);
    case 'merge_self':
      throw httpErrors.mergeSelf(field);
    case 'already_merged':
      throw httpErrors.alreadyMerged();
    case 'not_merged':
      throw httpErrors.notMerged();
  }
}

export const contactMergeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const merges = createContactMergeStore(app.prisma);

  app.post(
    '/contacts/:id/merge',
    {
      schema: {
        tags,
        summary: 'Merge a contact into this one (reversible)',
        description:
          "`contactId` (and whatever had been merged into it) joins this contact: one view of every row's identities, " +
          'attributes and messages, one conversation. Nothing is deleted; `POST /api/contact-merges/:mergeId/undo` ' +
          'restores both sides exactly. A contact id that was merged itself stands for the contact it is in.',
        params: IdParams,
        body: MergeBody,
        response: { 200: MergeResult, ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { contactId } = request.body;
      if (id === contactId) throw httpErrors.mergeSelf();
      // An id that cannot exist is not looked up.
      if (!isIdOf('ct', id) || !isIdOf('ct', contactId)) throw httpErrors.notFound('contact');
      return merges.merge(request.workspaceId, id, contactId, { type: 'api' }).catch((err) => refused(err, 'contact'));
    },
  );

  app.get(
    '/contacts/:id/merge-preview',
    {
      schema: {
        tags,
        summary: 'What merging a contact into this one would make, side by side (nothing is written)',
        description:
          'Both contacts as they are and the result as `POST /api/contacts/:id/merge` with the same `contactId` would ' +
          'make it: per field the side it comes from and what is set aside, identities on both sides, notes and ' +
          'message counts, and per CRM account what the sync does next. `:id` survives: swap the two to preview the ' +
          'other direction. The same refusals as the merge.',
        params: IdParams,
        querystring: MergePreviewQuery,
        response: { 200: MergePreview, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { contactId } = request.query;
      if (id === contactId) throw httpErrors.mergeSelf('/query/contactId');
      if (!isIdOf('ct', id) || !isIdOf('ct', contactId)) throw httpErrors.notFound('contact');
      const canMerge = (connector: string) => app.registry.get(connector)?.manifest.crm?.merge === true;
      return merges
        .preview(request.workspaceId, id, contactId, canMerge)
        .catch((err) => refused(err, 'contact', '/query/contactId'));
    },
  );

  app.post(
    '/contact-merges/:mergeId/undo',
    {
      schema: {
        tags,
        summary: 'Undo a merge: both contacts as they were, with what arrived since through each one',
        params: MergeParams,
        response: { 200: UndoResult, ...errors(401, 404, 409) },
      },
    },
    async (request) => {
      const { mergeId } = request.params;
      if (!isIdOf('mrg', mergeId)) throw httpErrors.notFound('merge');
      return merges.undo(request.workspaceId, mergeId).catch((err) => refused(err, 'merge'));
    },
  );

  app.get(
    '/contacts/:id/merges',
    {
      schema: {
        tags,
        summary: "A contact's merges, newest first (the latest 100), undone ones included",
        params: IdParams,
        response: { 200: MergeList, ...errors(401, 404) },
      },
    },
    async (request) => {
      const items = await merges.list(request.workspaceId, request.params.id);
      if (!items) throw httpErrors.notFound('contact');
      return { items };
    },
  );
};
