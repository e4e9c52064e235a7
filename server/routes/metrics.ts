// GET /metrics: Prometheus' text format (server/metrics.ts). No API key, like /health: it tells counts and the backlog
// only, never a workspace's data, and scrapers rarely carry keys; an operator who serves the port publicly blocks the
// path at the proxy (README.md "Metrics").
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (text format): the inbound backlog, acknowledged events, relayed starts',
        security: [],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()),
  );
};
