// Runs live in Temporal only: this module reads them back (visibility for lists, describe + the `steps` query for one
// run) and retries them; starts go through worker/client.ts. Nothing about runs is stored in PostgreSQL. Every call
// to Temporal has the deadline (`call`): past it, or with Temporal down, a read answers 503 temporal_unavailable.
import { createHash } from 'node:crypto';
import {
  ApplicationFailure,
  defaultPayloadConverter,
  isGrpcServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto, { type temporal } from '@temporalio/proto';
import { mainGraph } from '../../connectors/flow/loop.js';
import type { FlowDefinition, StepState } from '../../connectors/flow/types.js';
import type { WorkflowClient } from '../../worker/client.js';
import { DEFAULT_TEMPORAL_DEADLINE_MS, isTemporalUnavailable, withinDeadline } from '../../worker/temporal-deadline.js';
import {
  RUN_ID_PREFIX,
  runContactId,
  SA_CONTACT,
  SA_FLOW,
  SA_PHASE,
  SA_VERSION,
  SA_WORKSPACE,
  STEP_FAILED,
  stepsQuery,
  type RunFailedDetails,
  type RunFlowInput,
  type RunFlowResult,
  type RunStatus,
} from '../../worker/contract.js';
import { SA_SCHEDULED_START, scheduledAtOf, scheduledTrigger } from '../../worker/schedule-trigger.js';
import { httpErrors } from '../errors.js';
import { withLoopProgress } from './loop-progress.js';
import type { RunDetail, RunSummary } from '../schemas/runs.js';
import type { TemporalDeps } from '../types.js';

const WORKFLOW_TYPE = 'runFlow';

/** One Temporal call (or a few that belong together) within the read deadline. */
const call = <T>(t: TemporalDeps, fn: () => Promise<T>) =>
  withinDeadline(t.client, t.deadlineMs ?? DEFAULT_TEMPORAL_DEADLINE_MS, fn);

/** How long a run's steps may take to come back from a worker (a query); past it the steps show as pending. */
const QUERY_WAIT_MS = 5_000;

const S = proto.temporal.api.enums.v1.WorkflowExecutionStatus;

/** Temporal's execution status (+ the workflow's phase attribute) as a Confluo run status. */
export function runStatus(
  code: temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined,
  phase?: string,
): RunStatus {
  switch (code) {
    case S.WORKFLOW_EXECUTION_STATUS_RUNNING:
      return phase === 'waiting' ? 'waiting' : 'running';
    case S.WORKFLOW_EXECUTION_STATUS_COMPLETED:
      return 'completed';
    case S.WORKFLOW_EXECUTION_STATUS_CANCELED:
      return 'cancelled';
    default:
      // Failed, timed out, terminated (and anything newer): the run did not finish its work.
      return 'failed';
  }
}

/** Visibility query clauses for a run status. */
const STATUS_CLAUSE: Record<RunStatus, string> = {
  running: `ExecutionStatus = "Running" AND (ConfluoPhase IS NULL OR ConfluoPhase != "waiting")`,
  waiting: `ExecutionStatus = "Running" AND ConfluoPhase = "waiting"`,
  completed: `ExecutionStatus = "Completed"`,
  failed: `ExecutionStatus IN ("Failed", "TimedOut", "Terminated")`,
  cancelled: `ExecutionStatus = "Canceled"`,
};

/** Values are interpolated into a visibility query, so they are restricted to id characters by the route schema. */
const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

const tsToIso = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined => {
  if (!ts?.seconds) return undefined;
  const ms = Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
};

function searchAttr(fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined, name: string): unknown {
  const p = fields?.[name];
  if (!p) return undefined;
  const v = defaultPayloadConverter.fromPayload<unknown>(p as temporal.api.common.v1.Payload);
  // Older servers wrap single keyword values in an array.
  return Array.isArray(v) ? v[0] : v;
}

/** Bytes of the check in front of Temporal's token in the API's page token. */
const PAGE_CHECK_BYTES = 8;

/** The check binds a token to the visibility query it pages (workspace and every filter are all in it). */
const pageCheck = (query: string, token: Uint8Array) =>
  createHash('sha256').update(`confluo runs page v1\0${query}\0`).update(token).digest().subarray(0, PAGE_CHECK_BYTES);

/**
 * The API's page token: Temporal's own, behind a short checksum over the query and the token. Unkeyed on purpose:
 * it is not a permission (the query carries the workspace, so no token can widen what is listed), only a check that
 * refuses a token from another query, a truncated or an altered one with a 400 before Temporal sees it.
 */
export const encodePageToken = (query: string, token: Uint8Array) =>
  Buffer.concat([pageCheck(query, token), token]).toString('base64url');

/** Temporal's token inside an API page token, when it is one of this query; 400 on /query/pageToken otherwise. */
export function decodePageToken(query: string, pageToken: string): Buffer {
  const raw = Buffer.from(pageToken, 'base64url');
  const token = raw.subarray(PAGE_CHECK_BYTES);
  // Re-encoding proves the text was canonical base64url (Buffer.from skips what is not).
  if (
    raw.length > PAGE_CHECK_BYTES &&
    raw.toString('base64url') === pageToken &&
    pageCheck(query, token).equals(raw.subarray(0, PAGE_CHECK_BYTES))
  )
    return token;
  throw pageTokenRefused();
}

const pageTokenRefused = () =>
  httpErrors.badQuery(
    'pageToken',
    'page_token',
    "not a page token of this list: pass the previous page's nextPageToken, with the same flowId, contactId and status",
  );

/** Temporal's INVALID_ARGUMENT: what it answers for a page token it cannot read. */
const INVALID_ARGUMENT = 3;

/** Most contact ids one run list asks Temporal about. */
const RUN_CONTACTS = 50;

/**
 * One page of a workspace's runs, newest first. The raw list call is used (not the SDK's iterator) because it hands
 * back Temporal's page token, which becomes the API's `nextPageToken`.
 */
export async function listRuns(
  t: TemporalDeps,
  workspaceId: string,
  opts: { flowId?: string; contactIds?: string[]; status?: RunStatus; limit: number; pageToken?: string },
): Promise<{ items: RunSummary[]; nextPageToken?: string }> {
  const clauses = [`WorkflowType = "${WORKFLOW_TYPE}"`, `${SA_WORKSPACE.name} = ${quote(workspaceId)}`];
  if (opts.flowId) clauses.push(`${SA_FLOW.name} = ${quote(opts.flowId)}`);
  // Only runs started with the attribute match: older runs (and runs without a contact) have none.
  // A contact and the rows merged into it (the first RUN_CONTACTS of them: the query stays short).
  if (opts.contactIds?.length)
    clauses.push(`${SA_CONTACT.name} IN (${opts.contactIds.slice(0, RUN_CONTACTS).map(quote).join(', ')})`);
  if (opts.status) clauses.push(`(${STATUS_CLAUSE[opts.status]})`);
  const query = clauses.join(' AND ');
  const nextPageToken = opts.pageToken ? decodePageToken(query, opts.pageToken) : undefined;
  const res = await call(t, () =>
    t.client.workflowService.listWorkflowExecutions({
      namespace: t.namespace,
      query,
      pageSize: opts.limit,
      nextPageToken,
    }),
  ).catch((err: unknown) => {
    // A token with a valid check that Temporal still cannot read (made by hand, or from an older server).
    if (nextPageToken && isGrpcServiceError(err) && err.code === INVALID_ARGUMENT) throw pageTokenRefused();
    throw err;
  });
  const items = res.executions.map((e): RunSummary => {
    const fields = e.searchAttributes?.indexedFields;
    const closedAt = tsToIso(e.closeTime);
    const contactId = searchAttr(fields, SA_CONTACT.name);
    return {
      id: e.execution?.workflowId ?? '',
      flowId: String(searchAttr(fields, SA_FLOW.name) ?? ''),
      version: Number(searchAttr(fields, SA_VERSION.name) ?? 0),
      status: runStatus(e.status, searchAttr(fields, SA_PHASE.name) as string | undefined),
      ...(typeof contactId === 'string' && { contactId }),
      startedAt: tsToIso(e.startTime) ?? new Date(0).toISOString(),
      ...(closedAt && { closedAt }),
    };
  });
  const token =
    res.nextPageToken && res.nextPageToken.length > 0 ? encodePageToken(query, res.nextPageToken) : undefined;
  return { items, ...(token && { nextPageToken: token }) };
}

/** A run of this workspace, described; 404 for unknown ids and for other workspaces' runs alike. */
async function describeOwned(
  t: TemporalDeps,
  workspaceId: string,
  runId: string,
): Promise<WorkflowExecutionDescription> {
  if (!runId.startsWith(RUN_ID_PREFIX)) throw httpErrors.notFound('run');
  try {
    const d = await call(t, () => t.client.workflow.getHandle(runId).describe());
    if (d.type !== WORKFLOW_TYPE || d.typedSearchAttributes.get(SA_WORKSPACE) !== workspaceId)
      throw httpErrors.notFound('run');
    return d;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw httpErrors.notFound('run');
    throw err;
  }
}

/** The run's input, from the first history event (history is not paged in full for this). */
export async function runInput(t: TemporalDeps, runId: string): Promise<RunFlowInput> {
  const res = await call(t, () =>
    t.client.workflowService.getWorkflowExecutionHistory({
      namespace: t.namespace,
      execution: { workflowId: runId },
      maximumPageSize: 1,
    }),
  );
  const payload = res.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`run ${runId} has no input`);
  return defaultPayloadConverter.fromPayload<RunFlowInput>(payload as temporal.api.common.v1.Payload);
}

/** Steps from the workflow itself; undefined when no worker answers soon (none polling, or the run never started). */
async function queriedSteps(t: TemporalDeps, runId: string, taskQueue: string): Promise<StepState[] | undefined> {
  try {
    // A query waits for a worker; when none polls the queue, don't make the caller wait for the deadline.
    const { pollers } = await call(t, () =>
      t.client.workflowService.describeTaskQueue({
        namespace: t.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    if (!pollers?.length) return undefined;
    return await withinDeadline(t.client, QUERY_WAIT_MS, () => t.client.workflow.getHandle(runId).query(stepsQuery));
  } catch {
    return undefined;
  }
}

/** Without a worker to ask: every node pending, which is all the server can know from the definition. */
const pendingSteps = (def: FlowDefinition): StepState[] =>
  // Loop bodies are not steps of the run (they run per item in the loop's child), as the run's own steps have it.
  mainGraph({ ...def, nodes: def.nodes ?? [], edges: def.edges ?? [] }).nodes.map((n) => ({
    nodeId: n.id,
    type: n.type,
    status: 'pending',
  }));

export async function getRun(t: TemporalDeps, workspaceId: string, runId: string): Promise<RunDetail> {
  const d = await describeOwned(t, workspaceId, runId);
  const input = await runInput(t, runId);
  const status = runStatus(d.status.code, d.typedSearchAttributes.get(SA_PHASE));
  let steps: StepState[] | undefined;
  let error: RunDetail['error'];
  if (status !== 'running' && status !== 'waiting') {
    // Closed: the outcome is in the result or the failure, available without a worker.
    try {
      steps = ((await call(t, () => t.client.workflow.getHandle(runId).result())) as RunFlowResult | undefined)?.steps;
    } catch (err) {
      if (isTemporalUnavailable(err)) throw err;
      error = runError(err);
    }
  }
  steps ??= (await queriedSteps(t, runId, d.taskQueue)) ?? pendingSteps(input.definition);
  steps = mergePendingActivities(steps, d);
  if (status === 'running' || status === 'waiting') steps = await withLoopProgress(t, runId, steps);
  const closedAt = d.closeTime?.toISOString();
  const contactId = runContactId(input.contact);
  return {
    id: runId,
    flowId: input.flowId,
    version: input.version,
    status,
    ...(contactId && { contactId }),
    startedAt: d.startTime.toISOString(),
    ...(closedAt && { closedAt }),
    definition: input.definition,
    // A scheduled run's trigger gets its tick's time as the run itself derived it (worker/schedule-trigger.ts).
    trigger: scheduledTrigger(
      input.trigger,
      scheduledAtOf({
        scheduledStart: d.typedSearchAttributes.get(SA_SCHEDULED_START),
        // Deprecated, but where older servers leave it (untyped only).
        searchAttributes: d.searchAttributes as Record<string, unknown>,
        workflowId: runId,
        startedAt: d.startTime,
      }),
    ),
    steps,
    ...(error && { error }),
  };
}

function runError(err: unknown): { message: string; failedStep?: string } {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof ApplicationFailure && cause.type === STEP_FAILED) {
    const details = cause.details?.[0] as RunFailedDetails | undefined;
    if (details?.failedStep) return { message, failedStep: details.failedStep };
  }
  return { message };
}

/**
 * Temporal knows about an action's retries before the workflow does (attempts happen inside one activity), so the
 * attempt count and last failure of pending activities are merged into their steps. Activity ids are node ids.
 */
function mergePendingActivities(steps: StepState[], d: WorkflowExecutionDescription): StepState[] {
  const pending = d.raw.pendingActivities ?? [];
  if (pending.length === 0) return steps;
  return steps.map((s) => {
    const a = pending.find((p) => p.activityId === s.nodeId);
    if (!a) return s;
    const lastFailure = a.lastFailure?.message;
    return {
      ...s,
      status: s.status === 'pending' ? 'running' : s.status,
      ...(a.attempt && { attempts: a.attempt }),
      ...(lastFailure && { error: { ...s.error, message: lastFailure, retryable: true } }),
    };
  });
}

export async function cancelRun(t: TemporalDeps, workspaceId: string, runId: string): Promise<void> {
  await describeOwned(t, workspaceId, runId);
  await call(t, () => t.client.workflow.getHandle(runId).cancel());
}

/**
 * Re-runs a failed (or cancelled) run from where it stopped: a new run of the same version and trigger that carries
 * over the steps the old one completed or skipped, so their side effects are not repeated.
 */
export async function retryRun(
  t: TemporalDeps,
  workflows: WorkflowClient,
  workspaceId: string,
  runId: string,
): Promise<string> {
  const run = await getRun(t, workspaceId, runId);
  if (run.status !== 'failed' && run.status !== 'cancelled') throw httpErrors.runNotFailed(run.status);
  const input = await runInput(t, runId);
  const { runId: newRunId } = await workflows.startRun({
    ...input,
    // A scheduled run's retry keeps the tick it ran for (the retry itself was not started by the schedule).
    trigger: run.trigger as RunFlowInput['trigger'],
    startedAt: new Date().toISOString(),
    resume: { fromRunId: runId, steps: run.steps.filter((s) => s.status === 'completed' || s.status === 'skipped') },
  });
  return newRunId;
}
