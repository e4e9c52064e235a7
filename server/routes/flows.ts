// /api/flows: drafts (saved even when incomplete), validation, publishing immutable versions, and test runs.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FlowDefinition, JsonValue } from '../../connectors/flow/types.js';
import type { Prisma, PrismaClient } from '../../prisma/client.js';
import { getContact } from '../../prisma/contacts.js';
import { notFound } from '../errors.js';
import { newId, newWebhookToken } from '../ids.js';
import { errors, IdParams, Nothing, RunIdBody } from '../schemas/common.js';
import {
  CreateFlowBody,
  FlowDetail,
  FlowList,
  FlowListQuery,
  FlowVersionBody,
  Published,
  TestRunBody,
  UpdateFlowBody,
  ValidateBody,
  ValidateResult,
  VersionParams,
} from '../schemas/flows.js';
import {
  accountIssues,
  assertDraftShape,
  assertRunnable,
  DEFAULT_DEFINITION,
  flowIssues,
} from '../services/flow-checks.js';
import { after, encodeCursor } from '../services/keyset.js';

const tags = ['flows'];
const detailInclude = {
  versions: { select: { version: true, createdAt: true }, orderBy: { version: 'asc' } },
  webhookToken: true,
} as const;
type FlowRow = Prisma.FlowGetPayload<{ include: typeof detailInclude }>;

export const flowRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const webhookUrl = (token: string) => `${app.publicUrl}/hooks/flows/${token}`;

  const issuesOf = async (workspaceId: string, definition: unknown) => [
    ...flowIssues(app.registry, definition),
    ...(await accountIssues(app.prisma, workspaceId, app.registry, definition)),
  ];
  const toDetail = async (f: FlowRow): Promise<FlowDetail> => ({
    id: f.id,
    name: f.name,
    definition: f.draft,
    issues: await issuesOf(f.workspaceId, f.draft),
    latestVersion: f.latestVersion,
    ...(f.webhookToken && { webhookToken: f.webhookToken.token, webhookUrl: webhookUrl(f.webhookToken.token) }),
    versions: f.versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString() })),
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  });

  /** The flow if it belongs to the caller's workspace; 404 otherwise (never 403: ids of others are not disclosed). */
  async function ownedFlow(workspaceId: string, id: string): Promise<FlowRow> {
    const flow = await app.prisma.flow.findFirst({ where: { id, workspaceId }, include: detailInclude });
    if (!flow) throw notFound('flow');
    return flow;
  }

  app.post(
    '/flows',
    {
      schema: {
        tags,
        summary: 'Create a draft',
        body: CreateFlowBody,
        response: { 201: FlowDetail, ...errors(400, 401, 413, 415) },
      },
    },
    async (request, reply) => {
      const definition = request.body.definition ?? DEFAULT_DEFINITION;
      assertDraftShape(definition);
      const flow = await app.prisma.flow.create({
        data: {
          id: newId('flow'),
          workspaceId: request.workspaceId,
          name: request.body.name,
          draft: definition as Prisma.InputJsonValue,
        },
        include: detailInclude,
      });
      return reply.code(201).send(await toDetail(flow));
    },
  );

  app.get(
    '/flows',
    {
      schema: {
        tags,
        summary: 'List flows, newest first',
        querystring: FlowListQuery,
        response: { 200: FlowList, ...errors(400, 401) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await app.prisma.flow.findMany({
        where: { workspaceId: request.workspaceId, ...after(request.query.cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        select: { id: true, name: true, latestVersion: true, createdAt: true, updatedAt: true },
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((f) => ({ ...f, createdAt: f.createdAt.toISOString(), updatedAt: f.updatedAt.toISOString() })),
        ...(rows.length > limit && last && { nextCursor: encodeCursor(last) }),
      };
    },
  );

  app.post(
    '/flows/validate',
    {
      schema: {
        tags,
        summary: 'Validate a definition',
        body: ValidateBody,
        response: { 200: ValidateResult, ...errors(400, 401) },
      },
    },
    async (request) => {
      const issues = await issuesOf(request.workspaceId, request.body.definition);
      return { valid: issues.length === 0, issues };
    },
  );

  app.get(
    '/flows/:id',
    {
      schema: {
        tags,
        summary: 'A flow with its draft, issues and versions',
        params: IdParams,
        response: { 200: FlowDetail, ...errors(401, 404) },
      },
    },
    async (request) => toDetail(await ownedFlow(request.workspaceId, request.params.id)),
  );

  app.put(
    '/flows/:id',
    {
      schema: {
        tags,
        summary: 'Update name and/or draft',
        params: IdParams,
        body: UpdateFlowBody,
        response: { 200: FlowDetail, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      await ownedFlow(request.workspaceId, request.params.id);
      const { name, definition } = request.body;
      if (definition !== undefined) assertDraftShape(definition);
      const flow = await app.prisma.flow.update({
        where: { id: request.params.id },
        data: {
          ...(name !== undefined && { name }),
          ...(definition !== undefined && { draft: definition as Prisma.InputJsonValue }),
        },
        include: detailInclude,
      });
      return toDetail(flow);
    },
  );

  app.delete(
    '/flows/:id',
    {
      schema: {
        tags,
        summary: 'Delete a flow, its versions and webhook token (runs already started go on)',
        params: IdParams,
        response: { 204: Nothing, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const { count } = await app.prisma.flow.deleteMany({
        where: { id: request.params.id, workspaceId: request.workspaceId },
      });
      if (count === 0) throw notFound('flow');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/flows/:id/publish',
    {
      schema: {
        tags,
        summary: 'Freeze the draft as the next immutable version',
        params: IdParams,
        response: { 201: Published, ...errors(401, 404, 422) },
      },
    },
    async (request, reply) => {
      await ownedFlow(request.workspaceId, request.params.id);
      const { version, token } = await app.prisma.$transaction(async (tx) => {
        // The increment locks the flow row first, so concurrent publishes (and edits) serialize, and the draft that is
        // validated is exactly the one frozen.
        const flow = await tx.flow.update({
          where: { id: request.params.id },
          data: { latestVersion: { increment: 1 } },
        });
        assertRunnable(
          app.registry,
          flow.draft,
          await accountIssues(tx as unknown as PrismaClient, flow.workspaceId, app.registry, flow.draft),
        );
        await tx.flowVersion.create({
          data: { flowId: flow.id, version: flow.latestVersion, definition: flow.draft as Prisma.InputJsonValue },
        });
        const hook = await tx.webhookToken.upsert({
          where: { flowId: flow.id },
          create: { flowId: flow.id, token: newWebhookToken() },
          update: {},
        });
        return { version: flow.latestVersion, token: hook.token };
      });
      return reply.code(201).send({ version, webhookUrl: webhookUrl(token) });
    },
  );

  app.get(
    '/flows/:id/versions/:version',
    {
      schema: {
        tags,
        summary: 'A published version, frozen',
        params: VersionParams,
        response: { 200: FlowVersionBody, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      await ownedFlow(request.workspaceId, request.params.id);
      const v = await app.prisma.flowVersion.findUnique({
        where: { flowId_version: { flowId: request.params.id, version: request.params.version } },
      });
      if (!v) throw notFound('version');
      return { flowId: v.flowId, version: v.version, definition: v.definition, createdAt: v.createdAt.toISOString() };
    },
  );

  app.post(
    '/flows/:id/test',
    {
      schema: {
        tags,
        summary: 'Run the draft once (version 0) on a sample event',
        description:
          "Without a trigger, the definition's `trigger.sample` is used. For a channel.message flow the trigger is a message event; its `contactId`, when it names a contact of the workspace, becomes the run's `contact`.",
        params: IdParams,
        body: TestRunBody,
        response: { 202: RunIdBody, ...errors(400, 401, 404, 422) },
      },
      // The body is optional (the sample is the default): a request without one validates as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const flow = await ownedFlow(request.workspaceId, request.params.id);
      assertRunnable(
        app.registry,
        flow.draft,
        await accountIssues(app.prisma, request.workspaceId, app.registry, flow.draft),
      );
      const definition = flow.draft as unknown as FlowDefinition;
      const now = new Date().toISOString();
      const given = (request.body.trigger ?? definition.trigger.sample ?? {}) as Record<string, JsonValue>;
      let trigger: JsonValue;
      let contact: JsonValue | undefined;
      if (definition.trigger.type === 'channel.message') {
        // A sample message event, as ingest would hand it over; its contactId (if it is one of ours) is the run's contact.
        trigger = { ...given, receivedAt: typeof given.receivedAt === 'string' ? given.receivedAt : now };
        const contactId = typeof given.contactId === 'string' ? given.contactId : undefined;
        const found = contactId ? await getContact(app.prisma, request.workspaceId, contactId) : null;
        if (found) contact = found as unknown as JsonValue;
      } else {
        trigger = { body: given.body ?? null, headers: given.headers ?? {}, query: given.query ?? {}, receivedAt: now };
      }
      const { runId } = await app.workflows.startRun({
        workspaceId: request.workspaceId,
        flowId: flow.id,
        version: 0,
        definition,
        trigger,
        startedAt: now,
        ...(contact !== undefined && { contact }),
      });
      return reply.code(202).send({ runId });
    },
  );
};
