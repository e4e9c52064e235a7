// The nodes a run and a loop's body carry out alike: conditions, switches, set and delays in workflow code, and each
// action as one `executeStep` activity with its rate-limit waits. runFlow (run-flow.ts) and runLoop (run-loop.ts) both
// call `performStep`; what differs between them (the context, the budgets, the waiting phase, the step's key) comes in
// `StepEnv`. Deterministic: imports only the workflow SDK, the contract and the sandbox-safe flow runtime.
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  sleep,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  caseBranch,
  DEFAULT_BRANCH,
  evaluateRule,
  parseDuration,
  resolveTemplates,
  truthy,
} from '../../connectors/flow/runtime.js';
import type {
  ActionNode,
  ConditionNode,
  DelayNode,
  FlowNode,
  JsonObject,
  JsonValue,
  RunContext,
  SetNode,
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
  const { executeStep } = proxyActivities<Activities>({ ...activityOptions(node), activityId: key });
  const req = {
    workspaceId: env.workspaceId,
    flowId: env.flowId,
    runId: env.runId,
    nodeId: key,
    action: node.action,
    input: resolved,
    ...(node.connection !== undefined && { connection: node.connection }),
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
