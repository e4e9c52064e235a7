// The workspace's contact settings: custom attribute definitions (/api/contact-attributes) and the merge rules the
// workspace turns on (/api/contact-settings). Thin glue to prisma/contact-attributes.ts and workspace-settings.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createAjv } from '../../connectors/flow/ajv.js';
import { AttributeDefinitionRefused, createContactAttributeStore } from '../../prisma/contact-attributes.js';
import { createContactSettingsStore } from '../../prisma/workspace-settings.js';
import { httpErrors } from '../errors.js';
import { errors, Nothing } from '../schemas/common.js';
import {
  AttributeDefinition,
  AttributeDefinitionList,
  AttributeKeyParams,
  ContactSettings,
  CreateAttributeBody,
  UpdateAttributeBody,
  UpdateContactSettingsBody,
} from '../schemas/contact-settings.js';

const tags = ['contacts'];

/** The store's refusals as the one error body, naming the body field at fault. */
function refused(err: unknown, key = ''): never {
  if (!(err instanceof AttributeDefinitionRefused)) throw err;
  if (err.reason === 'not_found') throw httpErrors.notFound('contact attribute');
  if (err.reason === 'exists') throw httpErrors.attributeExists(key);
  const message = `${err.field}: ${err.problem}`;
  throw httpErrors.validation(message, [{ path: `/body/${err.field}`, code: err.reason, message }]);
}

export const contactSettingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const attributes = createContactAttributeStore(app.prisma);
  const settings = createContactSettingsStore(app.prisma);
  // Bodies kept as sent: the app's ajv coerces types (0 to null in a union) and drops unknown properties.
  const exact = createAjv();
  const validatorCompiler = ({ schema }: { schema: object }) => exact.compile(schema);

  app.get(
    '/contact-attributes',
    {
      schema: {
        tags,
        summary: "The workspace's custom contact attributes (oldest first)",
        response: { 200: AttributeDefinitionList, ...errors(401) },
      },
    },
    async (request) => ({ items: await attributes.list(request.workspaceId) }),
  );

  app.post(
    '/contact-attributes',
    {
      schema: {
        tags,
        summary: 'Define a custom contact attribute (text, number, date or select)',
        description:
          'From then on a value of `key` written by a person or the API (PATCH /api/contacts/{id}) must fit the type ' +
          '(400 naming `attributes.<key>`); a flow step or a CRM pull writes what fits read leniently ("42" as a ' +
          'number, a date-time as its day, a select option in any case) and reports the rest as `rejectedAttributes`. ' +
          'Values stored before are kept as they are. At most 100 per workspace.',
        body: CreateAttributeBody,
        response: { 201: AttributeDefinition, ...errors(400, 401, 409, 415) },
      },
      validatorCompiler,
    },
    async (request, reply) => {
      const created = await attributes
        .create(request.workspaceId, request.body)
        .catch((err: unknown) => refused(err, request.body.key));
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/contact-attributes/:key',
    {
      schema: {
        tags,
        summary: "Change a custom attribute's label or a select's options",
        description: 'The type never changes. A contact keeps a value whose option was dropped.',
        params: AttributeKeyParams,
        body: UpdateAttributeBody,
        response: { 200: AttributeDefinition, ...errors(400, 401, 404, 415) },
      },
      validatorCompiler,
    },
    async (request) => attributes.update(request.workspaceId, request.params.key, request.body).catch(refused),
  );

  app.delete(
    '/contact-attributes/:key',
    {
      schema: {
        tags,
        summary: 'Delete a custom attribute definition (every value is kept, free text from then on)',
        params: AttributeKeyParams,
        response: { 204: Nothing, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await attributes.remove(request.workspaceId, request.params.key)))
        throw httpErrors.notFound('contact attribute');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/contact-settings',
    {
      schema: {
        tags,
        summary: "The workspace's contact settings: the merge rules it turns on",
        response: { 200: ContactSettings, ...errors(401) },
      },
    },
    async (request) => settings.get(request.workspaceId),
  );

  app.patch(
    '/contact-settings',
    {
      schema: {
        tags,
        summary: 'Change the contact settings (what is sent; they apply to deliveries and upserts from then on)',
        body: UpdateContactSettingsBody,
        response: { 200: ContactSettings, ...errors(400, 401, 415) },
      },
      validatorCompiler,
    },
    async (request) => settings.update(request.workspaceId, request.body),
  );
};
