// /api/flows: drafts (saved even when incomplete), validation, publishing immutable versions, and test runs.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FlowDefinition, JsonValue } from '../../connectors/flow/types.js';
import { createChannelAccountStore } from '../../prisma/channel-accounts.js';
import { getContact } from '../../prisma/contacts.js';
import { createFlowStore, type FlowRecord } from '../../prisma/flows.js';
import { createFlowSchedules } from '../../worker/schedules.js';
import { createFlowPollService } from '../services/flow-polls.js';
import { isTemporalUnavailable } from '../../worker/temporal-deadline.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams, Nothing, RunIdBody } from '../schemas/common.js';
import {
  CreateFlowBody,
  FlowDetail,
  FlowSchedule,
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
  subflowIssues,
} from '../services/flow-checks.js';
import { runFailedFlowIssues } from '../services/event-trigger-checks.js';
import { sampleEvent } from '../services/step-test.js';
import { decodeCursor, nextCursor } from '../services/keyset.js';

const tags = ['flows'];

export const flowRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const flows = createFlowStore(app.prisma);
  // Only to check the accounts a definition names: no credentials are opened here.
  const accounts = createChannelAccountStore(app.prisma, { publicUrl: app.publicUrl, registry: app.registry });
  const webhookUrl = (token: string) => `${app.publicUrl}/hooks/flows/${token}`;
  // The Temporal Schedules of schedule-triggered flows, kept with the published version (worker/schedules.ts).
  // The poll Schedules of poll-triggered flows, kept the same way (worker/poll-schedules.ts).
  const polls = createFlowPollService(app, flows);
  const schedules = createFlowSchedules({
    client: app.temporal.client,
    taskQueue: app.temporal.taskQueue,
    ...(app.temporal.deadlineMs !== undefined && { deadlineMs: app.temporal.deadlineMs }),
  });

  /** Whether the flow's latest published version starts on a schedule (so Temporal holds a schedule for it). */
  async function scheduled(f: Pick<FlowRecord, 'id' | 'latestVersion'>): Promise<boolean> {
    if (f.latestVersion === 0) return false;
    const v = await flows.version(f.id, f.latestVersion);
    return (v?.definition as unknown as FlowDefinition | undefined)?.trigger.type === 'schedule';
  }

  /** The schedule's state for the API; a Temporal that does not answer makes it `unknown`, not the whole read a 503. */
  async function scheduleOf(f: FlowRecord): Promise<FlowSchedule | undefined> {
    if (!(await scheduled(f))) return undefined;
    try {
      return (await schedules.state(f.id)) ?? { state: 'missing', nextRunAt: [] };
    } catch (err) {
      if (isTemporalUnavailable(err)) return { state: 'unknown', nextRunAt: [] };
      throw err;
    }
  }

  /** `flowId`: the flow it is a draft of (a sub-flow calling it back is a cycle); without one only existence is checked. */
  const issuesOf = async (workspaceId: string, definition: unknown, flowId = '') => [
    ...flowIssues(app.registry, definition),
    ...(await accountIssues(accounts.connectors(workspaceId), app.registry, definition)),
    ...(await subflowIssues((id, v) => flows.published(workspaceId, id, v), flowId, definition)),
    ...(await runFailedFlowIssues((id, v) => flows.published(workspaceId, id, v), flowId, definition)),
  ];
  const toDetail = async (f: FlowRecord): Promise<FlowDetail> => ({
    id: f.id,
    name: f.name,
    // Every draft passed assertDraftShape when it was written (a version, assertRunnable too).
    definition: f.draft as unknown as FlowDefinition,
    issues: await issuesOf(f.workspaceId, f.draft, f.id),
    latestVersion: f.latestVersion,
    ...(f.webhookToken && { webhookToken: f.webhookToken.token, webhookUrl: webhookUrl(f.webhookToken.token) }),
    ...(await scheduleOf(f).then((schedule) => schedule && { schedule })),
    ...(await polls.stateOf(f).then((poll) => poll && { poll })),
    versions: f.versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString() })),
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  });

  /** The flow if it belongs to the caller's workspace; 404 otherwise (never 403: ids of others are not disclosed). */
  async function ownedFlow(workspaceId: string, id: string): Promise<FlowRecord> {
    const flow = await flows.get(workspaceId, id);
    if (!flow) throw httpErrors.notFound('flow');
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
      const flow = await flows.createDraft(request.workspaceId, { name: request.body.name, definition });
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
      const page = await flows.list(request.workspaceId, {
        limit: request.query.limit ?? 50,
        cursor: decodeCursor(request.query.cursor, 'flow'),
      });
      return {
        items: page.items.map((f) => ({
          ...f,
          createdAt: f.createdAt.toISOString(),
          updatedAt: f.updatedAt.toISOString(),
        })),
        ...nextCursor(page.next),
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
      const issues = await issuesOf(request.workspaceId, request.body.definition, request.body.flowId);
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
      const flow = await flows.update(request.workspaceId, request.params.id, { name, definition });
      if (!flow) throw httpErrors.notFound('flow');
      return toDetail(flow);
    },
  );

  app.delete(
    '/flows/:id',
    {
      schema: {
        tags,
        summary: 'Delete a flow, its versions, webhook token and schedule (runs already started go on)',
        params: IdParams,
        response: { 204: Nothing, ...errors(401, 404, 503) },
      },
    },
    async (request, reply) => {
      // The schedule first: with Temporal down this is a 503 and the flow stays, so no schedule outlives its flow.
      const flow = await ownedFlow(request.workspaceId, request.params.id);
      if (await scheduled(flow)) await schedules.remove(flow.id);
      if (await polls.pollTriggerOf(flow)) await polls.remove(flow.id);
      if (!(await flows.remove(request.workspaceId, request.params.id))) throw httpErrors.notFound('flow');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/flows/:id/publish',
    {
      schema: {
        tags,
        summary: 'Freeze the draft as the next immutable version',
        description:
          "A version with a schedule trigger creates or updates the flow's Temporal Schedule; one with another trigger deletes it. That happens inside the publish: with Temporal unavailable the answer is 503 and no version is stored.",
        params: IdParams,
        response: { 201: Published, ...errors(401, 404, 422, 503) },
      },
    },
    async (request, reply) => {
      const { workspaceId } = request;
      const before = await ownedFlow(workspaceId, request.params.id);
      const hadSchedule = await scheduled(before);
      const hadPoll = (await polls.pollTriggerOf(before)) !== undefined;
      const published = await flows.publish(
        workspaceId,
        request.params.id,
        async (draft, accounts, version, called) => {
          assertRunnable(app.registry, draft, [
            ...(await accountIssues(accounts, app.registry, draft)),
            ...(await subflowIssues(called, before.id, draft)),
            ...(await runFailedFlowIssues(called, before.id, draft)),
          ]);
          // Inside the transaction: a Temporal that refuses or does not answer rolls the version back (503, nothing
          // stored). A commit failing after the schedule changed is what the server's reconcile at start repairs.
          const definition = draft as FlowDefinition;
          if (definition.trigger.type === 'schedule' || hadSchedule)
            await schedules.sync({ workspaceId, flowId: before.id, version, definition });
          await polls.sync({ workspaceId, flowId: before.id, version, definition }, hadPoll);
        },
      );
      if (!published) throw httpErrors.notFound('flow');
      const { version, token } = published;
      return reply.code(201).send({ version, webhookUrl: webhookUrl(token) });
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(
      `/flows/:id/schedule/${action}`,
      {
        schema: {
          tags,
          summary: paused
            ? "Pause the flow's schedule (no run starts until it is resumed)"
            : "Resume the flow's paused schedule",
          description:
            'Only for a flow whose published version has a schedule trigger (409 `not_scheduled` otherwise). The state stays across later publishes.',
          params: IdParams,
          response: { 200: FlowSchedule, ...errors(401, 404, 409, 503) },
        },
      },
      async (request) => {
        const flow = await ownedFlow(request.workspaceId, request.params.id);
        if (!(await scheduled(flow))) throw httpErrors.notScheduled();
        const note = `${paused ? 'paused' : 'resumed'} through the API`;
        if (!(await schedules.setPaused(flow.id, paused, note))) throw httpErrors.notScheduled();
        return (await schedules.state(flow.id)) ?? { state: 'missing' as const, nextRunAt: [] };
      },
    );
  }

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
      const v = await flows.version(request.params.id, request.params.version);
      if (!v) throw httpErrors.notFound('version');
      return {
        flowId: v.flowId,
        version: v.version,
        definition: v.definition as unknown as FlowDefinition,
        createdAt: v.createdAt.toISOString(),
      };
    },
  );

  app.post(
    '/flows/:id/test',
    {
      schema: {
        tags,
        summary: 'Run the draft once (version 0) on a sample event',
        description:
          "Without a trigger, the definition's `trigger.sample` is used. The trigger is the event as the flow's trigger hands it over (a webhook's request, a message event, a schedule tick, a poll's item, a contact or platform event as given); its `contactId`, when it names a contact of the workspace, becomes the run's `contact`.",
        params: IdParams,
        body: TestRunBody,
        response: { 202: RunIdBody, ...errors(400, 401, 404, 422, 503) },
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
        await accountIssues(accounts.connectors(request.workspaceId), app.registry, flow.draft),
      );
      const definition = flow.draft as unknown as FlowDefinition;
      const now = new Date().toISOString();
      // The event as the trigger would hand it over; its contactId (if it is one of ours) is the run's contact.
      const { trigger, contactId } = sampleEvent(
        definition,
        (request.body.trigger ?? definition.trigger.sample) as JsonValue | undefined,
        now,
      );
      const found = contactId ? await getContact(app.prisma, request.workspaceId, contactId) : null;
      const contact = found ? (found as unknown as JsonValue) : undefined;
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
