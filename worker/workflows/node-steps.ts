// The nodes a run and a loop's body carry out alike: conditions, switches, set and delays in workflow code, and each
// action as one `executeStep` activity with its rate-limit waits. runFlow (run-flow.ts) and runLoop (run-loop.ts) both
// call `performStep`; what differs between them (the context, the budgets, the waiting phase, the step's key) comes in
// `StepEnv`; both walk their graph with `advance` and settle failures with `settleFailure`. Deterministic: imports only the workflow SDK, the contract and the sandbox-safe flow runtime.
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TemporalFailure,
  TimeoutFailure,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  canFail,
  caseBranch,
  DEFAULT_BRANCH,
  ERROR_BRANCH,
  evaluateRule,
  FunctionError,
  parseDuration,
  resolveTemplates,
  RuleBudgetError,
  truthy,
} from '../../connectors/flow/runtime.js';
import type {
  ActionNode,
  ConditionNode,
  DelayNode,
  FlowEdge,
  FlowNode,
  JsonObject,
  JsonValue,
  Plan,
  RunContext,
  SetNode,
  StepError,
  StepState,
  SwitchNode,
} from '../../connectors/flow/types.js';
import type { Activities, StepFailureDetails } from '../activities.js';
import { NON_RETRYABLE_STEP_CODES, RATE_LIMIT_WAIT, STEP_TIMEOUT_MARGIN_MS } from '../contract.js';

const DEFAULT_TIMEOUT = 'PT30S';

export type SimpleNode = ActionNode | ConditionNode | SwitchNode | SetNode | DelayNode;

/** What a step sees of the workflow carrying it out. */
export interface StepEnv {
  context(): RunContext;
  /** `value` when it fits the step's and the run's budgets; otherwise throws, naming the budget. */
  budgeted<T>(node: FlowNode, what: string, value: T): T;
  /** A delay started (1) or ended (-1). */
  setWaiting(delta: 1 | -1): void;
  workspaceId: string;
  flowId: string;
  /** The run's id (the workflow id of runFlow; a loop's items keep their parent run's). */
  runId: string;
  /**
   * The step's own key: its activity id and the `nodeId` of its executeStep request (so its idempotency key). Default
   * the node id; a loop's item makes it its own (`<loop>[<index>].<node>`), so two items never share a key.
   */
  key?: string;
}

/** Carries out one condition, switch, set, delay or action node, filling in `st` (status, input, output, branch). */
export async function performStep(node: SimpleNode, st: StepState, env: StepEnv): Promise<void> {
  switch (node.type) {
    case 'condition': {
      const result = env.budgeted(node, 'result', evaluateRule(node.rule, env.context(), { now: Date.now() }));
      const branch = truthy(result) ? 'true' : 'false';
      Object.assign(st, { input: result, output: branch === 'true', branch });
      return;
    }
    case 'switch': {
      // Cases in order, the first truthy one wins; every case evaluated up to it is recorded as the step's input.
      const ctx = env.context();
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
      Object.assign(st, { input: env.budgeted(node, 'result', results), output: branch, branch });
      return;
    }
    case 'set':
      st.output = env.budgeted(
        node,
        'values',
        resolveTemplates(node.values, env.context(), { now: Date.now() }) as JsonValue,
      );
      return;
    case 'delay': {
      const ms = parseDuration(node.duration);
      st.input = { duration: node.duration };
      st.status = 'waiting';
      env.setWaiting(1);
      try {
        await sleep(ms);
      } finally {
        env.setWaiting(-1);
      }
      return;
    }
    case 'action':
      return performAction(node, st, env);
  }
}

async function performAction(node: ActionNode, st: StepState, env: StepEnv): Promise<void> {
  const resolved = env.budgeted(
    node,
    'input',
    resolveTemplates(node.input ?? {}, env.context(), { now: Date.now() }) as JsonObject,
  );
  st.input = resolved;
  const key = env.key ?? node.id;
  const executeStep = stepActivity(node, key);
  const origin = runOrigin(env.context().trigger);
  const req = {
    workspaceId: env.workspaceId,
    flowId: env.flowId,
    runId: env.runId,
    nodeId: key,
    action: node.action,
    input: resolved,
    ...(node.connection !== undefined && { connection: node.connection }),
    ...(origin !== undefined && { origin }),
  };
  // A channel account at its rate limit: sleep (a durable timer, no attempt used up) and go again.
  for (let earlier = 0; ;) {
    try {
      const { output, attempt } = await executeStep(req);
      Object.assign(st, { output: env.budgeted(node, 'output', output), attempts: earlier + attempt });
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

/**
 * The platform event that started a run (`trigger.event`), or that started the run calling it as a sub-flow
 * (`trigger.parent.origin`): what its sends carry so that their failures do not cascade (prisma/message-events.ts).
 */
export function runOrigin(trigger: JsonValue | undefined): string | undefined {
  if (trigger === null || typeof trigger !== 'object' || Array.isArray(trigger)) return undefined;
  if (trigger.type === 'subflow') {
    const parent = trigger.parent;
    const origin = parent !== null && typeof parent === 'object' && !Array.isArray(parent) ? parent.origin : undefined;
    return typeof origin === 'string' ? origin : undefined;
  }
  return typeof trigger.event === 'string' ? trigger.event : undefined;
}

/**
 * The longest step timeout run as a local activity (README "Steps: local or regular activity"): a short step runs in
 * the worker that runs the workflow task, with no activity task to schedule, poll and record, so a run with no timer
 * completes in one workflow task; a longer one (a slow API given minutes) is a regular activity, since a local one
 * holds the workflow task while it runs (queries of the run wait for it, and a worker crash repeats it only after
 * the workflow task times out).
 */
export const LOCAL_STEP_MAX_TIMEOUT_MS = 30_000;
/** Backoff longer than this between a local step's attempts is a durable timer, not a sleep in the worker. */
const LOCAL_RETRY_THRESHOLD_MS = 10_000;
/** Runs started before steps could be local activities replay theirs as regular ones (Temporal patching). */
export const LOCAL_STEPS_PATCH = 'local-steps';

/** `executeStep` for one action node, as a local activity when it is short (above), else a regular one. */
function stepActivity(node: ActionNode, key: string): Activities['executeStep'] {
  const { activityId: _, ...options } = activityOptions(node);
  if (parseDuration(node.timeout ?? DEFAULT_TIMEOUT) <= LOCAL_STEP_MAX_TIMEOUT_MS && patched(LOCAL_STEPS_PATCH)) {
    const { executeStep } = proxyLocalActivities<Activities>({
      ...options,
      localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
      summary: key,
    });
    return (req) => executeStep(req).catch((err: unknown) => Promise.reject(asActivityFailure(err, key)));
  }
  return proxyActivities<Activities>({ ...options, activityId: key }).executeStep;
}

/**
 * A local activity's failure arrives as the activity's own (an ApplicationFailure or TimeoutFailure), not wrapped
 * in an ActivityFailure as a regular one's is (temporalio/sdk-core#449): wrapped the same way here, so what reads
 * step failures (stepError, attemptsOf, rateLimitWait) sees one shape. A cancellation stays as it is.
 */
function asActivityFailure(err: unknown, key: string): unknown {
  if (err instanceof ActivityFailure || isCancellation(err) || !(err instanceof TemporalFailure)) return err;
  const retryState =
    err instanceof ApplicationFailure && err.nonRetryable ? 'NON_RETRYABLE_FAILURE' : 'MAXIMUM_ATTEMPTS_REACHED';
  return new ActivityFailure('Activity task failed', 'executeStep', key, retryState, undefined, err);
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

/** Attempts an action made, from the failure's details (executeStep puts them there) or its retry state. */
export function attemptsOf(err: unknown, node: ActionNode): number | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const details =
    err.cause instanceof ApplicationFailure ? (err.cause.details?.[0] as StepFailureDetails | undefined) : undefined;
  if (typeof details?.attempt === 'number') return details.attempt;
  return err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? (node.retry?.maxAttempts ?? 5) : undefined;
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
      | 'SUBFLOW_TIMEOUT'
      | 'LOOP_ITEMS'
      | 'LOOP_TOO_MANY_ITEMS'
      | 'LOOP_ITEM_FAILED' = 'EVALUATION_ERROR',
  ) {
    super(message);
  }
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

/** Which failed steps go on instead of failing their walk (the run, or a loop's item). */
export interface FailureRoutes {
  /** Steps with an `error` edge: a failure for good follows it. */
  errorRouted: Set<string>;
  /**
   * Steps that failed with onError 'continue' or into their error branch: shown as failed, routed (by planNext) and
   * templated as completed, their output being `{ error }`.
   */
  continued: Set<string>;
}

export const failureRoutes = (def: { edges: FlowEdge[] }): FailureRoutes => ({
  errorRouted: new Set(def.edges.filter((e) => e.branch === ERROR_BRANCH).map((e) => e.from)),
  continued: new Set(),
});

/**
 * Records a node's failure on its step (its error, an action's attempts) and routes it when it may go on: into its
 * error branch, or on under onError 'continue' (a cancellation never goes on). Whether the failure is its walk's.
 */
export function settleFailure(node: FlowNode, st: StepState, err: unknown, routes: FailureRoutes): boolean {
  Object.assign(st, { status: 'failed', error: stepError(err) });
  const attempts = node.type === 'action' ? attemptsOf(err, node) : undefined;
  if (attempts !== undefined) st.attempts = attempts;
  const routed = routes.errorRouted.has(node.id);
  if (!canFail(node.type) || isCancellation(err) || !(routed || (node as { onError?: string }).onError === 'continue'))
    return true;
  routes.continued.add(node.id);
  st.output = { error: st.error as unknown as JsonObject };
  if (routed) st.branch = ERROR_BRANCH;
  return false;
}

/**
 * One step of a walk over a graph: the plan's skipped nodes marked so, its ready ones started (`start`) and kept in
 * `inflight` until they settle. Whether anything changed.
 */
export function advance(
  plan: Plan,
  states: Map<string, StepState>,
  inflight: Map<string, Promise<void>>,
  start: (node: FlowNode) => Promise<void>,
): boolean {
  let progressed = false;
  for (const id of plan.skip) {
    const st = states.get(id);
    if (st?.status !== 'pending') continue;
    st.status = 'skipped';
    progressed = true;
  }
  for (const node of plan.ready) {
    if (states.get(node.id)?.status !== 'pending') continue;
    inflight.set(
      node.id,
      start(node).finally(() => inflight.delete(node.id)),
    );
    progressed = true;
  }
  return progressed;
}
