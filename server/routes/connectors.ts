// GET /api/connectors: plain-data manifests the editor renders palette and forms from.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../schemas/common.js';

export const connectorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/connectors',
    {
      schema: {
        tags: ['connectors'],
        summary: 'Every connector with its actions and their input/output JSON Schemas',
        response: { 200: Type.Array(Type.Unknown()), ...errors(401) },
      },
    },
    async () => app.registry.manifests(),
  );
};
