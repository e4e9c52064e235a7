// Synchronous webhook answers (README.md "Respond"), the client half: a webhook whose flow has a respond node starts
// its run with update-with-start, the `respond` update (worker/workflows/respond.ts) waiting in the run until a respond
// node has answered or the run has ended. The run is durable before any answer: the answer comes from the run itself.
// The same dedupe as a plain start (worker/client.ts): the workflow id is the dedupe key, REJECT_DUPLICATE keeps a
// closed run's id from starting again, and USE_EXISTING attaches a repeated delivery to the open run, whose update
// gets the same answer. Node only.
import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  ApplicationFailure,
  type Client,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import type { WebhookResponse } from '../connectors/flow/respond.js';
import type { StepState } from '../connectors/flow/types.js';
import {
  IDEMPOTENCY_KEY_REUSED,
  respondUpdate,
  runSearchAttributes,
  stepsQuery,
  type RespondAnswer,
  type RespondRequest,
  type RunFlowInput,
} from './contract.js';
import { runIdFor } from './ids.js';
import { isTemporalUnavailable, TemporalUnavailableError, withinDeadline } from './temporal-deadline.js';
import { runFlow } from './workflows/run-flow.js';

export interface AnsweredRun {
  runId: string;
  /** This delivery started nothing (a repeated Idempotency-Key). */
  replayed: boolean;
  /** The run's respond node's answer; absent when it gave none within the wait (the webhook then answers 202). */
  response?: WebhookResponse;
}

export interface AnswerOptions {
  idempotencyKey?: string;
  requestHash?: string;
  /** How long the caller may wait for the answer, from now (the trigger's `respond.timeout`). */
  waitMs: number;
}

/** client.ts's IdempotencyKeyReusedError, passed in (this file is imported by client.ts): 422 either way. */
export type ReusedKeyError = new (message: string) => Error;

/**
 * Starts (or, for a repeated key, finds) the run and waits up to `waitMs` for its answer. Reaching Temporal is bounded
 * by `deadlineMs` as for a plain start: TemporalUnavailableError (503) means nothing was acknowledged.
 */
export async function startRunForAnswer(
  {
    client,
    taskQueue,
    deadlineMs,
    ReusedKey,
  }: { client: Client; taskQueue: string; deadlineMs: number; ReusedKey: ReusedKeyError },
  input: RunFlowInput,
  opts: AnswerOptions,
): Promise<AnsweredRun> {
  const until = Date.now() + opts.waitMs;
  const runId = runIdFor(input.flowId, opts.idempotencyKey);
  const deliveryId = randomUUID();
  const request: RespondRequest = {
    deliveryId,
    ...(opts.requestHash !== undefined && { requestHash: opts.requestHash }),
  };
  const reused = () =>
    new ReusedKey('this Idempotency-Key was already used with a different request; use a new key for a new request');

  let update: WorkflowUpdateHandle<RespondAnswer>;
  try {
    update = await withinDeadline(client, deadlineMs, () =>
      client.workflow.startUpdateWithStart(respondUpdate, {
        args: [request],
        updateId: deliveryId,
        waitForStage: 'ACCEPTED',
        startWorkflowOperation: new WithStartWorkflowOperation(runFlow, {
          taskQueue,
          workflowId: runId,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          typedSearchAttributes: runSearchAttributes(input),
          memo: { deliveryId, ...(opts.requestHash !== undefined && { requestHash: opts.requestHash }) },
        }),
      }),
    );
  } catch (err) {
    // A closed run has this id (a repeat after the run ended): its answer is in its steps.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return closedRun();
    if (!(err instanceof TemporalUnavailableError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError))
      throw err;
    // No answer in time: Temporal is away (nothing was acknowledged: 503), or the run started and no worker has
    // taken it yet (the update waits for one). Which one, the run's existence says.
    const d = await withinDeadline(client, Math.ceil(deadlineMs / 2), () =>
      client.workflow.getHandle(runId).describe(),
    ).catch((e: unknown) => {
      if (e instanceof WorkflowNotFoundError || isTemporalUnavailable(e))
        throw err instanceof TemporalUnavailableError ? err : new TemporalUnavailableError((err as Error).message);
      throw e;
    });
    if (
      opts.requestHash !== undefined &&
      typeof d.memo?.requestHash === 'string' &&
      d.memo.requestHash !== opts.requestHash
    )
      throw reused();
    const replayed = d.memo?.deliveryId !== deliveryId;
    // The same update id attaches to the update the start left waiting (or sends it again).
    const answer = await waitUntil(client, until, () =>
      client.workflow.getHandle(runId).executeUpdate(respondUpdate, { args: [request], updateId: deliveryId }),
    ).catch(answerFailure);
    if (answer === 'closed') return closedRun();
    return { runId, replayed, ...(answer?.response && { response: answer.response }) };
  }

  const answer = await waitUntil(client, until, () => update.result()).catch(answerFailure);
  if (answer === 'closed') return closedRun();
  return { runId, replayed: answer ? !answer.started : false, ...(answer?.response && { response: answer.response }) };

  /** An update that failed: the key reused (409), or the run closed before it could answer (read its steps). */
  function answerFailure(err: unknown): 'closed' {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type === IDEMPOTENCY_KEY_REUSED) throw reused();
      return 'closed';
    }
    if (err instanceof WorkflowNotFoundError) return 'closed';
    throw err;
  }

  async function closedRun(): Promise<AnsweredRun> {
    const handle = client.workflow.getHandle(runId);
    const d = await withinDeadline(client, deadlineMs, () => handle.describe());
    if (
      opts.requestHash !== undefined &&
      typeof d.memo?.requestHash === 'string' &&
      d.memo.requestHash !== opts.requestHash
    )
      throw reused();
    // Its answer, if it gave one, is its first sent respond step (the history keeps it; a query replays it).
    // Bounded like a read: a closed run's steps need a worker to replay them, and no worker means no answer (202).
    const steps = await waitUntil(client, Math.min(until, Date.now() + deadlineMs), () =>
      handle.query(stepsQuery),
    ).catch(() => undefined);
    const response = answerOf(steps === undefined ? [] : steps);
    return { runId, replayed: d.memo?.deliveryId !== deliveryId, ...(response && { response }) };
  }
}

/** The answer a run gave: its respond step whose output was sent (`{ status, headers, body?, sent }`). */
export function answerOf(steps: StepState[]): WebhookResponse | undefined {
  for (const s of steps) {
    const out = s.output as { status?: unknown; headers?: unknown; body?: unknown; sent?: unknown } | undefined;
    if (s.type !== 'respond' || s.status !== 'completed' || out?.sent !== true || typeof out.status !== 'number')
      continue;
    return {
      status: out.status,
      headers: (out.headers ?? {}) as Record<string, string>,
      ...(out.body !== undefined && { body: out.body as WebhookResponse['body'] }),
    };
  }
  return undefined;
}

/** `fn`'s result, or undefined once `until` has passed (the run goes on; the caller gets 202). */
async function waitUntil<T>(client: Client, until: number, fn: () => Promise<T>): Promise<T | undefined> {
  const ms = until - Date.now();
  if (ms <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([client.withDeadline(until, fn), expired]);
  } catch (err) {
    if (isTemporalUnavailable(err) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return undefined;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
