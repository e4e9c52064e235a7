// The server↔worker seam: every workflow start Confluo makes from outside workflow code, typed by the workflow
// function itself (args and result checked against worker/workflows/), with the workflow id and its id-reuse and
// conflict policies set here, once. A workflow id is the dedupe key, so these policies are what make a provider's
// redelivery, a repeated Idempotency-Key or a second poll start nothing new. Every start is bounded by a deadline
// (worker/temporal-deadline.ts) and fails with TemporalUnavailableError past it, so a request never waits out the
// SDK's retries. A start that failed so was not acknowledged; retried with the same dedupe key (Idempotency-Key,
// the provider's message id), it maps to the same workflow id and still starts one execution.
// Node only (it hashes ids): workflow code never imports this file; only this direction, Node → workflows, is allowed.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import {
  runSearchAttributes,
  STEP_TIMEOUT_MARGIN_MS,
  type CrmChangeInput,
  type IngestInput,
  type RunFlowInput,
  type SendMessageInput,
  type SendMessageResult,
  type TestStepInput,
  type TestStepResult,
} from './contract.js';
import { crmChangeIdFor, crmSyncIdFor, ingestIdFor, pollIdFor, runIdFor } from './ids.js';
import { startRunForAnswer, type AnsweredRun, type AnswerOptions } from './respond-client.js';
import { DEFAULT_TEMPORAL_DEADLINE_MS, withinDeadline } from './temporal-deadline.js';
import { crmChange } from './workflows/crm-change.js';
import { crmSync } from './workflows/crm-sync.js';
import { ingest } from './workflows/ingest.js';
import { pollChannel } from './workflows/poll-channel.js';
import { runFlow } from './workflows/run-flow.js';
import { sendMessage } from './workflows/send-message.js';
import { testStep } from './workflows/test-step.js';

export interface WorkflowClient {
  /**
   * Starts a run and resolves once Temporal has it (the event is durable). With an idempotency key the run id is
   * derived from flow and key; a second start with the same id finds the first execution, open or closed, and
   * reports `replayed` instead of starting anything.
   */
  startRun(
    input: RunFlowInput,
    opts?: { idempotencyKey?: string; requestHash?: string },
  ): Promise<{ runId: string; replayed: boolean }>;
  /**
   * A run of a flow with a respond node (respond-client.ts): started like `startRun` (same run id, same dedupe), with
   * its answer when the run gives one within `waitMs`.
   */
  startRunForAnswer(input: RunFlowInput, opts: AnswerOptions): Promise<AnsweredRun>;
  /** One ingest per (account, event dedupe key), ever: a redelivery of the same event is a `duplicate`. */
  startIngest(input: IngestInput): Promise<'started' | 'duplicate'>;
  /** One pull per (CRM account, change dedupe key), ever: a redelivered webhook event is a `duplicate`. */
  startCrmChange(input: CrmChangeInput): Promise<'started' | 'duplicate'>;
  /**
   * The relay's start of an acknowledged event (prisma/inbound-events.ts): its workflow with `event.id` as workflow
   * id, under the same once-ever policy as the starts above, so a row started before is a `duplicate`, never twice.
   */
  startInbound(event: InboundStart): Promise<'started' | 'duplicate'>;
  /** The account's polling loop: started when none runs, left alone when one does. */
  ensurePolling(accountId: string): Promise<void>;
  /** A CRM account's sync loop (writes to the CRM, catch-up poll): started when none runs. */
  ensureCrmSync(accountId: string): Promise<void>;
  /**
   * Sends an agent's reply (workflow id = `input.id`) and waits up to `waitMs` for it to go out: its result, or
   * `sending` while it is still under way (it goes on durably). A send that failed throws `SendFailedError`.
   */
  sendAgentReply(input: SendMessageInput, opts: { waitMs: number }): Promise<SendMessageResult | 'sending'>;
  /**
   * Runs one action once (`testStep`, workflow id `input.id`, a fresh one per test) and waits up to `waitMs` for its outcome; past it
   * the test is terminated and `StepTestTimeoutError` thrown (no worker picked it up, or none finished it in time).
   */
  testStep(input: TestStepInput, opts: { waitMs: number }): Promise<TestStepResult>;
}

/** One row of the inbound outbox, as the relay hands it over. */
export type InboundStart =
  | { id: string; kind: 'run'; input: RunFlowInput }
  | { id: string; kind: 'ingest'; input: IngestInput }
  | { id: string; kind: 'crm_change'; input: CrmChangeInput };

/** A step test no worker answered within its wait. */
export class StepTestTimeoutError extends Error {
  override readonly name = 'StepTestTimeoutError';
}

/**
 * An idempotency key used again with a different request (its `requestHash` differs from the first one's), as
 * Stripe refuses it: replaying the first run would silently drop the second request.
 */
export const KEY_REUSED_MESSAGE =
  'this Idempotency-Key was already used with a different request; use a new key for a new request';

export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
}

/** A reply that could not be sent (opted out, no channel, the provider refused): `code` is the failure type. */
export class SendFailedError extends Error {
  override readonly name = 'SendFailedError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface WorkflowClientOptions {
  client: Client;
  taskQueue: string;
  /**
   * How long each start (with its dedupe check) may take before it fails with TemporalUnavailableError; default
   * DEFAULT_TEMPORAL_DEADLINE_MS. Starts answer requests, so they wait for Temporal no longer than a caller would.
   */
  deadlineMs?: number;
}

export function createWorkflowClient({
  client,
  taskQueue,
  deadlineMs = DEFAULT_TEMPORAL_DEADLINE_MS,
}: WorkflowClientOptions): WorkflowClient {
  /** One deadline for all the Temporal calls of one start. */
  const bounded = <T>(fn: () => Promise<T>) => withinDeadline(client, deadlineMs, fn);
  /** Whether `start` started something; false when its workflow id was taken (see `once`). */
  async function startOnce(start: () => Promise<unknown>): Promise<boolean> {
    try {
      await start();
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }
  /** An id names one execution, ever: REJECT_DUPLICATE (a closed one counts) + FAIL (so does an open one). */
  const once = {
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  };

  return {
    startRun: (input, opts = {}) =>
      bounded(async () => {
        const runId = runIdFor(input.flowId, opts.idempotencyKey);
        const started = await startOnce(() =>
          client.workflow.start(runFlow, {
            taskQueue,
            workflowId: runId,
            args: [input],
            ...once,
            // Listable from its first moment (runFlow sets them itself only when a start did not).
            typedSearchAttributes: runSearchAttributes(input),
            ...(opts.requestHash !== undefined && { memo: { requestHash: opts.requestHash } }),
          }),
        );
        if (!started && opts.requestHash !== undefined) {
          // A run started before request hashes were kept has none: it replays, as it did then.
          const first = (await client.workflow.getHandle(runId).describe()).memo?.requestHash;
          if (first !== undefined && first !== opts.requestHash)
            throw new IdempotencyKeyReusedError(KEY_REUSED_MESSAGE);
        }
        return { runId, replayed: !started };
      }),

    startRunForAnswer: (input, opts) =>
      startRunForAnswer({ client, taskQueue, deadlineMs, ReusedKey: IdempotencyKeyReusedError }, input, opts),

    startCrmChange: (input) =>
      bounded(async () => {
        const started = await startOnce(() =>
          client.workflow.start(crmChange, {
            taskQueue,
            workflowId: crmChangeIdFor(input.accountId, input.change.dedupeKey),
            args: [input],
            ...once,
          }),
        );
        return started ? 'started' : 'duplicate';
      }),

    startInbound: (event) =>
      bounded(async () => {
        const common = { taskQueue, workflowId: event.id, ...once };
        const started = await startOnce(() => {
          switch (event.kind) {
            case 'run':
              return client.workflow.start(runFlow, {
                ...common,
                args: [event.input],
                typedSearchAttributes: runSearchAttributes(event.input),
              });
            case 'ingest':
              return client.workflow.start(ingest, { ...common, args: [event.input] });
            case 'crm_change':
              return client.workflow.start(crmChange, { ...common, args: [event.input] });
          }
        });
        return started ? 'started' : 'duplicate';
      }),

    startIngest: (input) =>
      bounded(async () => {
        const started = await startOnce(() =>
          client.workflow.start(ingest, {
            taskQueue,
            workflowId: ingestIdFor(input.accountId, input.event.dedupeKey),
            args: [input],
            ...once,
          }),
        );
        return started ? 'started' : 'duplicate';
      }),

    ensurePolling: (accountId) =>
      bounded(async () => {
        // A loop that ended (its account was deleted) may be started again; a running one is the account's loop.
        await client.workflow.start(pollChannel, {
          taskQueue,
          workflowId: pollIdFor(accountId),
          args: [{ accountId }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
      }),

    ensureCrmSync: (accountId) =>
      bounded(async () => {
        await client.workflow.start(crmSync, {
          taskQueue,
          workflowId: crmSyncIdFor(accountId),
          args: [{ accountId, failures: 0 }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
      }),

    async testStep(input, { waitMs }) {
      const handle = await bounded(() =>
        client.workflow.start(testStep, {
          taskQueue,
          workflowId: input.id,
          args: [input],
          ...once,
          // Ends by itself when no worker ever takes it (the activity's own limits only start once it is scheduled).
          workflowExecutionTimeout: input.timeoutMs + 3 * STEP_TIMEOUT_MARGIN_MS,
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), waitMs);
      });
      try {
        const outcome = await Promise.race([handle.result(), late]);
        if (outcome !== 'late') return outcome;
      } catch (err) {
        // testStep reports the action's failure as its result; failing itself (terminated, timed out) is rare.
        if (!(err instanceof WorkflowFailedError)) throw err;
        const why = err.cause?.message ?? err.message;
        return { error: { message: `the step test did not finish: ${why}`, code: 'STEP_TEST_FAILED' } };
      } finally {
        clearTimeout(timer);
      }
      // Nobody is waiting for it any more: stop it, so it does not run the action later (best effort).
      await bounded(() => handle.terminate('the step test was not answered in time')).catch(() => undefined);
      throw new StepTestTimeoutError(
        `no worker finished the test within ${Math.round(waitMs / 1000)} s: is a worker running on task queue "${taskQueue}"?`,
      );
    },

    async sendAgentReply(input, { waitMs }) {
      // `input.id` is a fresh message id: one id, one send workflow, ever. REJECT_DUPLICATE + FAIL makes a second start
      // with it an error; ALLOW_DUPLICATE, the default, would run a closed one again (its send then deduped only by
      // the outbound record channels.ts keeps per step).
      const handle = await bounded(() =>
        client.workflow.start(sendMessage, {
          taskQueue,
          workflowId: input.id,
          args: [input],
          ...once,
        }),
      );
      // The wait for its result is bounded by `waitMs` (then `sending`), not by the deadline: the send is durable now.
      let timer: NodeJS.Timeout | undefined;
      const sending = new Promise<'sending'>((resolve) => {
        timer = setTimeout(() => resolve('sending'), waitMs);
      });
      try {
        return await Promise.race([handle.result(), sending]);
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        // WorkflowFailedError ← ActivityFailure ← ApplicationFailure: the send's own failure says what went wrong.
        const cause = (err.cause as { cause?: { message?: string; type?: string } } | undefined)?.cause;
        throw new SendFailedError(cause?.message ?? err.message, cause?.type ?? 'send_failed');
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
