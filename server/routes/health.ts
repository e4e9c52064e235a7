// GET /health: liveness plus the two dependencies a request needs. 503 when either fails, so load balancers and
// orchestrators take the replica out. It also shows the inbound backlog (acknowledged events not yet started on
// Temporal) without failing because of it: a backlog is the outbox doing its job; past its bound the routes refuse.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const Check = Type.String({ description: '`ok` or what went wrong' });
const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Object({ database: Check, temporal: Check }),
  inbound: Type.Optional(
    Type.Object(
      {
        pending: Type.Integer({ description: 'acknowledged events not yet started on Temporal' }),
        oldestPendingSeconds: Type.Number({ description: 'age of the oldest of them; 0 when none' }),
      },
      { description: 'the inbound outbox of this server (absent when the database does not answer)' },
    ),
  ),
});

const CHECK_TIMEOUT_MS = 3_000;

async function check(fn: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['system'], security: [], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const { client } = app.temporal;
      let backlog: { pending: number; oldestAgeSeconds: number } | undefined;
      const [database, temporal] = await Promise.all([
        check(async () => (backlog = await app.inbound.backlog())),
        check(() => client.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => client.workflowService.getSystemInfo({}))),
      ]);
      const ok = database === 'ok' && temporal === 'ok';
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        checks: { database, temporal },
        ...(backlog && {
          inbound: { pending: backlog.pending, oldestPendingSeconds: Math.round(backlog.oldestAgeSeconds * 10) / 10 },
        }),
      });
    },
  );
};
