// Public documents under /api: the flow JSON Schema and the OpenAPI document (no key needed to read the contract).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { flowSchema } from '../../connectors/flow/index.js';

export const publicRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/schemas/flow.json',
    {
      schema: {
        tags: ['schemas'],
        summary: 'JSON Schema of a flow definition (v1)',
        security: [],
        response: { 200: Type.Unknown() },
      },
    },
    async () => flowSchema,
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
