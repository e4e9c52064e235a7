// The HTTP server as a tree of Fastify plugins:
//   root: decorators (prisma, temporal, workflows, registry, publicUrl, inbound, metrics), error handling, OpenAPI
//   ├─ /health, /metrics, /api/schemas/flow.json, /api/openapi.json public
//   ├─ /api (auth hook, JSON bodies only)                          connectors, flows, runs, contacts, conversations, channel accounts
//   ├─ /hooks (no key; JSON, form, text, anything as text)       webhook triggers
//   ├─ /hooks/channels (no key; raw bodies, provider signatures)  the channel gateway
//   ├─ /webchat (no key; visitor token)                           web chat sessions, visitor long poll, widget.js
//   └─ /  the editor's static build, when present
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuth } from './plugins/auth.js';
import { registerEditor } from './plugins/editor.js';
import { clientErrorHandler, frameworkErrors, registerErrorHandling, registerNotFound } from './plugins/errors.js';
import { registerJsonParser, registerTextGuard } from './plugins/input-guard.js';
import { registerOpenApi } from './plugins/openapi.js';
import { channelAccountRoutes } from './routes/channel-accounts.js';
import { channelHookRoutes } from './routes/channel-hooks.js';
import { connectorRoutes } from './routes/connectors.js';
import { normalizeCountry } from '../connectors/contacts/normalize.js';
import { contactDuplicateRoutes } from './routes/contact-duplicates.js';
import { contactSettingsRoutes } from './routes/contact-settings.js';
import { workspaceSettingsRoutes } from './routes/workspace-settings.js';
import { contactMergeRoutes } from './routes/contact-merges.js';
import { contactRoutes } from './routes/contacts.js';
import { conversationRoutes } from './routes/conversations.js';
import { flowRoutes } from './routes/flows.js';
import { flowPollRoutes } from './routes/flow-polls.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { createServerMetrics } from './metrics.js';
import { createInbound } from './services/inbound.js';
import { hookRoutes } from './routes/hooks.js';
import { publicRoutes } from './routes/public.js';
import { runRoutes } from './routes/runs.js';
import { stepTestRoutes } from './routes/step-tests.js';
import { templateRoutes } from './routes/templates.js';
import { webchatRoutes } from './routes/webchat.js';
import { createContactEventRelay } from '../worker/contact-event-relay.js';
import { createFlowSchedules } from '../worker/schedules.js';
import { reconcilePollSchedules } from '../worker/poll-schedules.js';
import { createFlowStore } from '../prisma/flows.js';
import type { AppDeps } from './types.js';

export type { AppDeps } from './types.js';

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(deps.logger),
    // Requests are logged by the hook below instead, without query strings and webhook tokens (the token is the secret).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    // Every validation issue at once, not the first (the editor shows them all).
    ajv: { customOptions: { allErrors: true } },
    // What fails before a route runs (bad percent-encoding, huge headers) answers with the one error body too.
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onResponse', async (request, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        method: request.method,
        path: redactPath(request.url),
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.decorate('prisma', deps.prisma);
  app.decorate('temporal', deps.temporal);
  app.decorate('workflows', deps.workflows);
  app.decorate('registry', deps.registry);
  app.decorate('publicUrl', deps.publicUrl.replace(/\/+$/, ''));
  app.decorateRequest('workspaceId', '');

  // Webhooks and deliveries are acknowledged once committed here, and relayed to Temporal by this process.
  const metrics = createServerMetrics();
  const inbound = createInbound({
    prisma: deps.prisma,
    workflows: deps.workflows,
    taskQueue: deps.temporal.taskQueue,
    logger: app.log.child({ component: 'inbound' }),
    metrics: metrics.inbound,
    ...deps.inbound,
  });
  metrics.setBacklogSource(() => inbound.backlog());
  app.decorate('metrics', metrics);
  app.decorate('inbound', inbound);
  app.addHook('onReady', async () => inbound.start());
  app.addHook('onClose', async () => inbound.stop());

  if (deps.contactEvents !== false) {
    const relay = createContactEventRelay({
      prisma: deps.prisma,
      workflows: deps.workflows,
      logger: app.log.child({ component: 'contact-events' }),
      ...deps.contactEvents,
    });
    app.addHook('onReady', async () => relay.start());
    app.addHook('onClose', async () => relay.stop());
  }

  // Temporal Schedules in line with the stored versions (a publish whose commit failed after its schedule changed, a
  // schedule deleted by hand): in the background, so a Temporal that is down does not hold up the start.
  if (deps.reconcileSchedules !== false)
    app.addHook('onReady', async () => {
      const schedules = createFlowSchedules({ client: deps.temporal.client, taskQueue: deps.temporal.taskQueue });
      void createFlowStore(deps.prisma)
        .scheduleFlows()
        .then((flows) => schedules.reconcile(flows))
        .then(
          ({ synced, failed }) =>
            (synced || failed.length) && app.log.info({ synced, failed }, 'flow schedules reconciled'),
          (err: unknown) => app.log.warn({ err }, 'flow schedules not reconciled'),
        );
      void reconcilePollSchedules(deps.prisma, deps.temporal, app.log);
    });

  registerErrorHandling(app);
  registerJsonParser(app);
  // Path parameters and query strings reach lookups in PostgreSQL on every route.
  registerTextGuard(app, ['params', 'query']);
  await registerOpenApi(app, app.publicUrl);

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(publicRoutes);
  await app.register(
    async (api) => {
      // The API speaks JSON only: without this, text/plain bodies would reach the schemas as strings.
      api.removeContentTypeParser('text/plain');
      // Bodies of the API end up in PostgreSQL: text it cannot store is refused up front.
      registerTextGuard(api, ['body']);
      registerAuth(api);
      await api.register(connectorRoutes);
      await api.register(flowRoutes);
      await api.register(flowPollRoutes);
      await api.register(templateRoutes);
      await api.register(stepTestRoutes);
      await api.register(runRoutes);
      await api.register(contactRoutes, {
        defaultCountry: normalizeCountry(
          deps.defaultCountry ?? process.env.CONFLUO_DEFAULT_COUNTRY,
          'CONFLUO_DEFAULT_COUNTRY',
        ),
      });
      await api.register(contactMergeRoutes);
      await api.register(contactDuplicateRoutes);
      await api.register(contactSettingsRoutes);
      await api.register(workspaceSettingsRoutes);
      await api.register(conversationRoutes);
      // The key goes to this plugin only, not onto a decorator every route could reach.
      await api.register(channelAccountRoutes, { secretKey: deps.secretKey });
    },
    { prefix: '/api' },
  );
  await app.register(hookRoutes, { prefix: '/hooks' });
  await app.register(channelHookRoutes, { prefix: '/hooks/channels', secretKey: deps.secretKey });
  await app.register(webchatRoutes, { prefix: '/webchat', secretKey: deps.secretKey });

  const editor = await registerEditor(app, deps.editorDir);
  registerNotFound(app, { spaFallback: editor });
  return app;
}

function loggerOptions(
  logger: AppDeps['logger'],
): { logger: Exclude<AppDeps['logger'], FastifyBaseLogger> } | { loggerInstance: FastifyBaseLogger } {
  if (logger && typeof (logger as FastifyBaseLogger).child === 'function')
    return { loggerInstance: logger as FastifyBaseLogger };
  return { logger: (logger as Exclude<AppDeps['logger'], FastifyBaseLogger>) ?? { level: 'info' } };
}

/** The path only (query strings may carry secrets), with webhook tokens cut to a recognizable prefix. */
export const redactPath = (url: string) =>
  (url.split('?')[0] ?? '').replace(/^(\/hooks\/flows\/[^/]{0,4})[^/]*/, '$1…');
