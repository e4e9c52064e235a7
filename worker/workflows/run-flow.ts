// runFlow: walks a run's pinned flow definition. The decisions (what is ready, what is skipped, when it is done)
// come from the pure `planNext`; this file only carries them out: conditions, switches, set and delays in workflow
// code, each action as one `executeStep` activity (a failure into its `error` branch when it has one), each sub-flow
// as a child run of this same workflow. Nodes start as soon as they are ready, so a long delay on one branch never
// holds up another. Deterministic: imports only the workflow SDK, the contract and the sandbox-safe flow runtime.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  TerminatedFailure,
  TimeoutFailure,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  caseBranch,
  DEFAULT_BRANCH,
  ERROR_BRANCH,
  evaluateRule,
  FunctionError,
  jsonBytes,
  parseDuration,
  planNext,
  resolveTemplates,
  RuleBudgetError,
  RUN_BUDGET,
  truthy,
} from '../../connectors/flow/runtime.js';
import type {
  ActionNode,
  FlowNode,
  JsonObject,
  JsonValue,
  RunContext,
  StepError,
  StepState,
  SubflowNode,
  WaitNode,
} from '../../connectors/flow/types.js';
import type { Activities, StepFailureDetails } from '../activities.js';
import {
  MAX_SUBFLOW_DEPTH,
  NON_RETRYABLE_STEP_CODES,
  RATE_LIMIT_WAIT,
  replySignal,
  runSearchAttributes,
  SA_FLOW,
  SA_PHASE,
  STEP_FAILED,
  STEP_TIMEOUT_MARGIN_MS,
  stepsQuery,
  subflowRunId,
  type ReplySignal,
  type RunFailedDetails,
  type RunFlowInput,
  type RunFlowResult,
} from '../contract.js';
import { withScheduleTime } from './schedule-input.js';

const DEFAULT_TIMEOUT = 'PT30S';

export async function runFlow(started: RunFlowInput): Promise<RunFlowResult> {
  // A run a flow's schedule started learns its tick's time here (schedule-input.ts); any other input is unchanged.
  const input = withScheduleTime(started);
  const def = input.definition;
  const states = new Map<string, StepState>(
    def.nodes.map((n) => [n.id, { nodeId: n.id, type: n.type, status: 'pending' }]),
  );
  for (const prior of input.resume?.steps ?? []) {
    if (states.has(prior.nodeId) && (prior.status === 'completed' || prior.status === 'skipped'))
      states.set(prior.nodeId, { ...prior, reusedFrom: input.resume!.fromRunId });
  }
  const state = (id: string) => states.get(id)!;
  const list = () => def.nodes.map((n) => state(n.id));
  setHandler(stepsQuery, list);
  // Replies from contacts this run waits for (ingest signals runs registered in run_waits), in arrival order.
  const replies: ReplySignal[] = [];
  setHandler(replySignal, (r) => void replies.push(r));
  let runContact: JsonValue = input.contact ?? null;

  // Steps that failed with onError 'continue' or into their error branch: shown as failed, routed (by planNext) and
  // templated as completed, their output being `{ error }`.
  const continued = new Set<string>();
  // Actions with an error edge: a failure for good follows it instead of failing the run.
  const errorRouted = new Set(def.edges.filter((e) => e.branch === ERROR_BRANCH).map((e) => e.from));
  let failedStep: string | undefined;

  // The server sets these at start; a run started some other way gets them here, so every run can be listed.
  // (Upserting unconditionally would cost every run an extra history event and visibility write.)
  if (workflowInfo().typedSearchAttributes.get(SA_FLOW) === undefined) {
    upsertSearchAttributes(runSearchAttributes(input));
  }
  let waiting = 0;
  const setWaiting = (delta: 1 | -1) => {
    waiting += delta;
    if ((delta === 1 && waiting === 1) || (delta === -1 && waiting === 0))
      upsertSearchAttributes([{ key: SA_PHASE, value: waiting > 0 ? 'waiting' : 'running' }]);
  };

  const context = (): RunContext => ({
    trigger: input.trigger,
    steps: Object.fromEntries(
      list()
        .filter((s) => s.status === 'completed' || continued.has(s.nodeId))
        .map((s) => [s.nodeId, { output: s.output ?? null }]),
    ),
    run: { id: workflowInfo().workflowId, flowId: input.flowId, version: input.version, startedAt: input.startedAt },
    contact: runContact,
  });

  // Bytes of JSON the run's steps hold (inputs and outputs), against RUN_BUDGET.runStateBytes.
  let stateBytes = 0;
  /** `value` when it fits the step's and the run's budgets; otherwise the step fails, naming the budget. */
  function budgeted<T>(node: FlowNode, what: string, value: T): T {
    const bytes = jsonBytes(value, RUN_BUDGET.stepValueBytes);
    if (bytes > RUN_BUDGET.stepValueBytes)
      throw new EvaluationError(
        `the ${what} of "${node.id}" is over the step value budget of ${RUN_BUDGET.stepValueBytes} bytes of JSON`,
        'BUDGET_EXCEEDED',
      );
    if (stateBytes + bytes > RUN_BUDGET.runStateBytes)
      throw new EvaluationError(
        `the ${what} of "${node.id}" would take the run over its state budget of ${RUN_BUDGET.runStateBytes} bytes of JSON`,
        'BUDGET_EXCEEDED',
      );
    stateBytes += bytes;
    return value;
  }

  async function perform(node: FlowNode, st: StepState): Promise<void> {
    switch (node.type) {
      case 'condition': {
        const result = budgeted(node, 'result', evaluateRule(node.rule, context(), { now: Date.now() }));
        const branch = truthy(result) ? 'true' : 'false';
        Object.assign(st, { input: result, output: branch === 'true', branch });
        return;
      }
      case 'switch': {
        // Cases in order, the first truthy one wins; every case evaluated up to it is recorded as the step's input.
        const ctx = context();
        const results: JsonValue[] = [];
        let branch = DEFAULT_BRANCH;
        for (const [i, c] of node.cases.entries()) {
          const result = evaluateRule(c.rule, ctx, { now: Date.now() });
          results.push(result);
          if (truthy(result)) {
            branch = caseBranch(c, i);
            break;
          }
        }
        Object.assign(st, { input: budgeted(node, 'result', results), output: branch, branch });
        return;
      }
      case 'set':
        st.output = budgeted(
          node,
          'values',
          resolveTemplates(node.values, context(), { now: Date.now() }) as JsonValue,
        );
        return;
      case 'delay': {
        const ms = parseDuration(node.duration);
        st.input = { duration: node.duration };
        st.status = 'waiting';
        setWaiting(1);
        try {
          await sleep(ms);
        } finally {
          setWaiting(-1);
        }
        return;
      }
      case 'wait':
        return waitForReply(node, st);
      case 'subflow':
        return callSubflow(node, st);
      case 'action': {
        const resolved = budgeted(
          node,
          'input',
          resolveTemplates(node.input ?? {}, context(), { now: Date.now() }) as JsonObject,
        );
        st.input = resolved;
        const { executeStep } = proxyActivities<Activities>(activityOptions(node));
        const req = {
          workspaceId: input.workspaceId,
          flowId: input.flowId,
          runId: workflowInfo().workflowId,
          nodeId: node.id,
          action: node.action,
          input: resolved,
          ...(node.connection !== undefined && { connection: node.connection }),
        };
        // A channel account at its rate limit: sleep (a durable timer, no attempt used up) and go again.
        for (let earlier = 0; ;) {
          try {
            const { output, attempt } = await executeStep(req);
            Object.assign(st, { output: budgeted(node, 'output', output), attempts: earlier + attempt });
            return;
          } catch (err) {
            const wait = rateLimitWait(err);
            if (wait === undefined) throw err;
            // The attempt that found the limit sent nothing; those before it in that activity did try.
            earlier += (attemptsOf(err, node) ?? 1) - 1;
            await sleep(wait);
          }
        }
      }
    }
  }

  async function waitForReply(node: WaitNode, st: StepState): Promise<void> {
    const ctx = context();
    const contactId =
      node.contact === undefined
        ? (ctx.contact as { id?: unknown } | null)?.id
        : resolveTemplates(node.contact, ctx, { now: Date.now() });
    if (typeof contactId !== 'string' || contactId === '') {
      throw new EvaluationError(
        `wait "${node.id}" has no contact to wait for (the run has none; set "contact")`,
        'WAIT_NO_CONTACT',
      );
    }
    const ms = parseDuration(node.timeout);
    const runId = workflowInfo().workflowId;
    st.input = { for: node.for, contact: contactId, timeout: node.timeout };
    st.status = 'waiting';
    setWaiting(1);
    const { registerWait, clearWait } = proxyActivities<Activities>(WAIT_ACTIVITY_OPTIONS);
    const from = replies.length;
    try {
      await registerWait({
        runId,
        nodeId: node.id,
        workspaceId: input.workspaceId,
        flowId: input.flowId,
        contactId,
        expiresAt: new Date(Date.now() + ms).toISOString(),
      });
      const reply = () => replies.slice(from).find((r) => r.contactId === contactId);
      await condition(() => reply() !== undefined, ms);
      const got = reply();
      if (got?.contact !== undefined && (runContact as { id?: unknown } | null)?.id === contactId)
        runContact = got.contact;
      Object.assign(
        st,
        got ? { branch: 'received', output: got.message } : { branch: 'timeout', output: { timedOut: true } },
      );
    } finally {
      setWaiting(-1);
      // Cleanup must run even when the run is being cancelled.
      await CancellationScope.nonCancellable(() => clearWait({ runId, nodeId: node.id })).catch(() => undefined);
    }
  }

  /**
   * A sub-flow: the called flow's published version (an activity, so replay sees the same one), then a child run of
   * this same workflow, waited for. Its output is its completed steps' outputs.
   */
  async function callSubflow(node: SubflowNode, st: StepState): Promise<void> {
    const resolved = budgeted(
      node,
      'input',
      resolveTemplates(node.input ?? {}, context(), { now: Date.now() }) as JsonObject,
    );
    const pinned = node.version !== undefined && { version: node.version };
    st.input = { flow: node.flow, ...pinned, input: resolved };
    const depth = (input.subflowDepth ?? 0) + 1;
    if (depth > MAX_SUBFLOW_DEPTH)
      throw new EvaluationError(
        `sub-flow "${node.id}" would nest ${depth} levels deep; sub-flows nest at most ${MAX_SUBFLOW_DEPTH} (does a called flow call back?)`,
        'SUBFLOW_DEPTH',
      );
    const { loadSubflow } = proxyActivities<Activities>(SUBFLOW_ACTIVITY_OPTIONS);
    const child = await loadSubflow({ workspaceId: input.workspaceId, flowId: node.flow, ...pinned });
    const parentRunId = workflowInfo().workflowId;
    const childRunId = subflowRunId(parentRunId, node.id);
    st.input = { flow: node.flow, version: child.version, input: resolved };
    st.childRunId = childRunId;
    const childInput: RunFlowInput = {
      workspaceId: input.workspaceId,
      flowId: node.flow,
      version: child.version,
      definition: child.definition,
      trigger: {
        type: 'subflow',
        parent: { runId: parentRunId, flowId: input.flowId, nodeId: node.id },
        input: resolved,
      },
      startedAt: new Date().toISOString(),
      ...(runContact !== null && { contact: runContact }),
      subflowDepth: depth,
    };
    let result: RunFlowResult;
    try {
      result = await executeChild(runFlow, {
        workflowId: childRunId,
        args: [childInput],
        // The parent closing for any reason (cancelled, terminated, timed out) asks the child to cancel, so it cleans
        // up (its waits) instead of being cut off, and never outlives the run that waits for it.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: runSearchAttributes(childInput),
        ...(node.timeout !== undefined && { workflowExecutionTimeout: parseDuration(node.timeout) }),
      });
    } catch (err) {
      if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
      throw subflowError(err, childRunId);
    }
    const steps = Object.fromEntries(
      result.steps
        .filter((s) => s.status === 'completed' || (s.status === 'failed' && s.output !== undefined))
        .map((s) => [s.nodeId, s.output ?? null]),
    );
    st.output = budgeted(node, 'output', { runId: childRunId, version: child.version, steps });
  }

  /** Runs one node to its end state. Never rejects, except to pass on a cancellation. */
  async function execute(node: FlowNode): Promise<void> {
    const st = state(node.id);
    Object.assign(st, { status: 'running', startedAt: new Date().toISOString() });
    try {
      await perform(node, st);
      st.status = 'completed';
    } catch (err) {
      Object.assign(st, { status: 'failed', error: stepError(err) });
      const attempts = node.type === 'action' ? attemptsOf(err, node) : undefined;
      if (attempts !== undefined) st.attempts = attempts;
      if (isCancellation(err)) throw err;
      const routable = node.type === 'action' || node.type === 'subflow';
      if (routable && (errorRouted.has(node.id) || node.onError === 'continue')) {
        continued.add(node.id);
        st.output = { error: st.error as unknown as JsonObject };
        if (errorRouted.has(node.id)) st.branch = ERROR_BRANCH;
      } else failedStep ??= node.id;
    } finally {
      st.finishedAt = new Date().toISOString();
    }
  }

  // One scope for all node executions, so a step that fails the run can stop its still-running siblings.
  const nodesScope = new CancellationScope();
  const inflight = new Map<string, Promise<void>>();
  for (;;) {
    const plan = planNext(def, Object.fromEntries(states));
    let progressed = false;
    for (const id of plan.skip) {
      const st = states.get(id);
      if (st?.status !== 'pending') continue;
      st.status = 'skipped';
      progressed = true;
    }
    for (const node of plan.ready) {
      if (state(node.id).status !== 'pending') continue;
      const run = nodesScope.run(() => execute(node)).finally(() => inflight.delete(node.id));
      inflight.set(node.id, run);
      progressed = true;
    }
    if (inflight.size === 0) {
      if (progressed) continue;
      if (plan.done) break;
      throw ApplicationFailure.nonRetryable(
        'The flow cannot make progress: no step is ready and none is running',
        'FLOW_STUCK',
      );
    }
    await Promise.race(inflight.values());
    if (failedStep !== undefined) break;
  }

  if (failedStep !== undefined) {
    nodesScope.cancel();
    await Promise.allSettled(inflight.values());
    const details: RunFailedDetails = { failedStep };
    throw ApplicationFailure.nonRetryable(
      `Step "${failedStep}" failed: ${state(failedStep).error?.message}`,
      STEP_FAILED,
      details,
    );
  }
  return { status: 'completed', steps: list() };
}

/**
 * A node the workflow evaluates itself (condition, set, delay, wait, an action's templates) that cannot be carried
 * out as written: the step fails with `code` (json-logic, template and duration errors are `EVALUATION_ERROR`).
 * No retry fixes it; the flow does. Plain JavaScript, so sandbox-safe.
 */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
  constructor(
    message: string,
    readonly code:
      | 'EVALUATION_ERROR'
      | 'WAIT_NO_CONTACT'
      | 'BUDGET_EXCEEDED'
      | 'SUBFLOW_DEPTH'
      | 'SUBFLOW_FAILED'
      | 'SUBFLOW_TIMEOUT' = 'EVALUATION_ERROR',
  ) {
    super(message);
  }
}

const SUBFLOW_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: ['SUBFLOW_NOT_FOUND'],
  },
};

/** A child run's failure as the sub-flow step's error: SUBFLOW_TIMEOUT past the node's timeout, else SUBFLOW_FAILED. */
function subflowError(err: unknown, childRunId: string): EvaluationError {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure)
    return new EvaluationError(`sub-flow run ${childRunId} did not finish within its timeout`, 'SUBFLOW_TIMEOUT');
  const why =
    cause instanceof TerminatedFailure
      ? 'was terminated'
      : isCancellation(err)
        ? 'was cancelled'
        : `failed: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new EvaluationError(`sub-flow run ${childRunId} ${why}`, 'SUBFLOW_FAILED');
}

const WAIT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/** How long to sleep before asking again, when a send found its channel account at its rate limit. */
function rateLimitWait(err: unknown): number | undefined {
  if (
    !(err instanceof ActivityFailure) ||
    !(err.cause instanceof ApplicationFailure) ||
    err.cause.type !== RATE_LIMIT_WAIT
  )
    return undefined;
  const details = err.cause.details?.[0] as StepFailureDetails | undefined;
  const ms = (details?.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms > 0 ? ms : 1000;
}

/** Activity options for one action node: its timeout (plus the margin) and its retry policy, with defaults. */
export function activityOptions(node: ActionNode): ActivityOptions {
  const r = node.retry ?? {};
  return {
    activityId: node.id,
    startToCloseTimeout: parseDuration(node.timeout ?? DEFAULT_TIMEOUT) + STEP_TIMEOUT_MARGIN_MS,
    retry: {
      maximumAttempts: r.maxAttempts ?? 5,
      initialInterval: parseDuration(r.initialInterval ?? 'PT1S'),
      backoffCoefficient: r.backoffCoefficient ?? 2,
      maximumInterval: parseDuration(r.maximumInterval ?? 'PT1M'),
      nonRetryableErrorTypes: NON_RETRYABLE_STEP_CODES,
    },
  };
}

/** A step's error from whatever its execution threw. */
export function stepError(err: unknown): StepError {
  if (isCancellation(err)) return { message: 'Cancelled before it finished', code: 'CANCELLED' };
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure)
      return { message: cause.message, ...(cause.type && { code: cause.type }), retryable: !cause.nonRetryable };
    if (cause instanceof TimeoutFailure)
      return { message: `The attempt timed out (${cause.timeoutType ?? 'timeout'})`, code: 'TIMEOUT', retryable: true };
    return { message: cause?.message ?? err.message };
  }
  // Expressions, templates (data functions: FUNCTION_ERROR, the function and argument named) and durations evaluated
  // in the workflow. Date.now() there is the workflow's deterministic clock: date.now is the same on replay.
  return {
    message: err instanceof Error ? err.message : String(err),
    code:
      err instanceof EvaluationError
        ? err.code
        : err instanceof RuleBudgetError
          ? 'BUDGET_EXCEEDED'
          : err instanceof FunctionError
            ? 'FUNCTION_ERROR'
            : 'EVALUATION_ERROR',
  };
}

/** Attempts an action made, from the failure's details (executeStep puts them there) or its retry state. */
export function attemptsOf(err: unknown, node: ActionNode): number | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const details =
    err.cause instanceof ApplicationFailure ? (err.cause.details?.[0] as StepFailureDetails | undefined) : undefined;
  if (typeof details?.attempt === 'number') return details.attempt;
  return err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? (node.retry?.maxAttempts ?? 5) : undefined;
}
