// POST /api/flows/:id/steps/:nodeId/test: "Test step" (README.md "Testing one step"). The server builds the context
// (the flow's newest run, a given run, or the samples), resolves the node's input in it as runFlow would, and has a
// worker run the one action through executeStep (the `testStep` workflow): connector code never runs in the server.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseDuration } from '../../connectors/flow/runtime.js';
import type { ActionNode, FlowDefinition, JsonValue } from '../../connectors/flow/types.js';
import { getContact } from '../../prisma/contacts.js';
import { createFlowStore } from '../../prisma/flows.js';
import { StepTestTimeoutError } from '../../worker/client.js';
import { STEP_TIMEOUT_MARGIN_MS, TEST_STEP_ID_PREFIX } from '../../worker/contract.js';
import { httpErrors } from '../errors.js';
import { errors } from '../schemas/common.js';
import { StepTestBody, StepTestParams, StepTestResult } from '../schemas/step-tests.js';
import { assertDraftShape } from '../services/flow-checks.js';
import { getRun, listRuns, runInput } from '../services/runs.js';
import {
  contextOf,
  resolveStepInput,
  runContext,
  sampleEvent,
  samplesContext,
  withOverrides,
  type ContextParts,
} from '../services/step-test.js';

const tags = ['flows'];

/** The longest a test may run the action: its node's timeout, but a test answers a person waiting in the editor. */
export const MAX_STEP_TEST_MS = 60_000;
const DEFAULT_TIMEOUT = 'PT30S';
/** Step tests per flow and minute, per server (a budget against a script hammering a provider through tests). */
export const STEP_TESTS_PER_MINUTE = 30;

/** A sliding window per key, in memory: cheap, and enough for a budget (each server replica counts its own). */
export function windowLimiter(limit: number, windowMs: number) {
  const hits = new Map<string, number[]>();
  return (key: string, now = Date.now()): number => {
    const recent = (hits.get(key) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= limit) {
      hits.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + windowMs - now) / 1000));
    }
    recent.push(now);
    hits.set(key, recent);
    return 0;
  };
}

export const stepTestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const flows = createFlowStore(app.prisma);
  const limited = windowLimiter(STEP_TESTS_PER_MINUTE, 60_000);

  app.post(
    '/flows/:id/steps/:nodeId/test',
    {
      schema: {
        tags,
        summary: 'Run one action node once, on the data of the last run or of the samples',
        description:
          "The node's input is resolved as a run resolves it (a template that cannot be resolved is a 422 naming its field), then a worker runs the action once: no retries, within the node's timeout (at most 60 s). The action runs for real: a send sends. The answer has the resolved input and the output, or the action's error.",
        params: StepTestParams,
        body: StepTestBody,
        response: { 200: StepTestResult, ...errors(400, 401, 404, 409, 422, 429, 503, 504) },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { workspaceId } = request;
      const { id, nodeId } = request.params;
      const body = request.body;
      const flow = await flows.get(workspaceId, id);
      if (!flow) throw httpErrors.notFound('flow');
      if (body.definition !== undefined) assertDraftShape(body.definition);
      const definition = (body.definition ?? flow.draft) as unknown as FlowDefinition;
      const index = definition.nodes.findIndex((n) => n?.id === nodeId);
      if (index < 0) throw httpErrors.notFound('step');
      const node = definition.nodes[index]!;
      if (node.type !== 'action')
        throw httpErrors.stepNotTestable({
          path: `/nodes/${index}/type`,
          code: 'not_an_action',
          message: `step "${nodeId}" is a ${String(node.type)} node: only action steps can be tested on their own`,
          nodeId,
        } as const);
      if (typeof node.action !== 'string' || !Object.hasOwn(app.registry.actionInputs(), node.action))
        throw httpErrors.stepNotTestable({
          path: `/nodes/${index}/action`,
          code: 'unknown_action',
          message: `unknown action "${String(node.action)}": no installed connector provides it`,
          nodeId,
        });
      let timeoutMs: number;
      try {
        timeoutMs = Math.min(parseDuration(node.timeout ?? DEFAULT_TIMEOUT), MAX_STEP_TEST_MS);
      } catch (err) {
        throw httpErrors.stepNotTestable({
          path: `/nodes/${index}/timeout`,
          code: 'duration',
          message: (err as Error).message,
          nodeId,
        });
      }

      const now = new Date();
      const testId = `${TEST_STEP_ID_PREFIX}${randomUUID()}`;
      const from = body.runId !== undefined ? 'last_run' : (body.from ?? 'sample');
      let runId: string | undefined;
      let parts: ContextParts;
      if (from === 'last_run') {
        runId = body.runId ?? (await listRuns(app.temporal, workspaceId, { flowId: flow.id, limit: 1 })).items[0]?.id;
        if (runId === undefined) throw httpErrors.noRunToTest();
        const run = await getRun(app.temporal, workspaceId, runId);
        if (run.flowId !== flow.id) throw httpErrors.notFound('run');
        const started = await runInput(app.temporal, runId);
        parts = runContext({
          trigger: run.trigger as JsonValue,
          steps: run.steps,
          ...(started.contact !== undefined && { contact: started.contact }),
        });
      } else {
        const event = sampleEvent(definition, definition.trigger.sample, now.toISOString());
        const contact = event.contactId ? await getContact(app.prisma, workspaceId, event.contactId) : null;
        parts = samplesContext(
          definition,
          nodeId,
          { trigger: event.trigger, ...(contact && { contact: contact as unknown as JsonValue }) },
          now.getTime(),
        );
      }
      parts = withOverrides(parts, body.context as Parameters<typeof withOverrides>[1]);
      const resolved = resolveStepInput(
        node as ActionNode,
        index,
        contextOf(parts, flow.id, testId, now.toISOString()),
        now.getTime(),
      );
      if ('issues' in resolved) throw httpErrors.stepInputInvalid(resolved.issues);

      const wait = limited(flow.id);
      if (wait > 0) throw httpErrors.stepTestsLimited(wait);
      const started = performance.now();
      let outcome;
      try {
        outcome = await app.workflows.testStep(
          {
            id: testId,
            workspaceId,
            flowId: flow.id,
            nodeId,
            action: node.action,
            input: resolved.input,
            ...(typeof node.connection === 'string' && { connection: node.connection }),
            timeoutMs,
          },
          // The action's limit, the activity's margin past it, and a little for the workflow tasks around it.
          { waitMs: timeoutMs + STEP_TIMEOUT_MARGIN_MS + 3_000 },
        );
      } catch (err) {
        if (err instanceof StepTestTimeoutError) throw httpErrors.stepTestTimeout(err.message);
        throw err;
      }
      return {
        nodeId,
        action: node.action,
        from,
        ...(runId !== undefined && { runId }),
        testId,
        input: resolved.input,
        ...outcome,
        missing: resolved.missing,
        durationMs: Math.round(performance.now() - started),
      };
    },
  );
};
