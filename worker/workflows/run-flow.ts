// runFlow: walks a run's pinned flow definition. The decisions (what is ready, what is skipped, when it is done)
// come from the pure `planNext`; this file only carries them out: conditions, switches, set and delays in workflow
// code, each action as one `executeStep` activity (a failure into its `error` branch when it has one), each sub-flow
// as a child run of this same workflow, each loop's body in a child `runLoop` (run-loop.ts; the run's own graph leaves
// the bodies out, `mainGraph`). Nodes start as soon as they are ready, so a long delay on one branch never
// holds up another. Deterministic: imports only the workflow SDK, the contract and the sandbox-safe flow runtime.
import {
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
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  bodyGraph,
  buildResponse,
  checkLoopItems,
  DONE_BRANCH,
  jsonBytes,
  mainGraph,
  parseDuration,
  planNext,
  resolveTemplates,
  RUN_BUDGET,
} from '../../connectors/flow/runtime.js';
import type {
  FlowNode,
  JsonObject,
  JsonValue,
  LoopNode,
  LoopProgress,
  RunContext,
  StepState,
  SubflowNode,
  WaitNode,
} from '../../connectors/flow/types.js';
import type { Activities } from '../activities.js';
import {
  LOOP_ITEM_FAILED,
  loopRunId,
  MAX_SUBFLOW_DEPTH,
  replySignal,
  runSearchAttributes,
  SA_FLOW,
  SA_PHASE,
  STEP_FAILED,
  stepsQuery,
  subflowRunId,
  type ReplySignal,
  type RunFailedDetails,
  type RunFlowInput,
  type RunFlowResult,
} from '../contract.js';
import {
  advance,
  EvaluationError,
  failureRoutes,
  performStep,
  runOrigin,
  settleFailure,
  type StepEnv,
} from './node-steps.js';
import type { runLoop } from './run-loop.js';
import { createResponder } from './respond.js';
import { reportRunFailed } from './run-failed.js';
import { withScheduleTime } from './schedule-input.js';

export { activityOptions, attemptsOf, EvaluationError, stepError } from './node-steps.js';

export async function runFlow(started: RunFlowInput): Promise<RunFlowResult> {
  // A run a flow's schedule started learns its tick's time here (schedule-input.ts); any other input is unchanged.
  const input = withScheduleTime(started);
  // A loop's body runs in the loop's child workflow (run-loop.ts), once per item: not in the run's own graph.
  const def = mainGraph(input.definition);
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
  // A webhook caller waiting for a respond node's answer (respond.ts): its update may come with the start.
  const responder = createResponder();
  let runContact: JsonValue = input.contact ?? null;

  // Failures that go on (an error edge, onError 'continue') instead of failing the run (node-steps.ts).
  const routes = failureRoutes(def);
  const { continued } = routes;
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
  const stepEnv: StepEnv = {
    context,
    budgeted,
    setWaiting,
    workspaceId: input.workspaceId,
    flowId: input.flowId,
    runId: workflowInfo().workflowId,
  };

  async function perform(node: FlowNode, st: StepState): Promise<void> {
    switch (node.type) {
      case 'condition':
      case 'switch':
      case 'set':
      case 'delay':
      case 'action':
        // The nodes a loop's body runs too (node-steps.ts).
        return performStep(node, st, stepEnv);
      case 'wait':
        return waitForReply(node, st);
      case 'subflow':
        return callSubflow(node, st);
      case 'loop':
        return callLoop(node, st);
      case 'respond':
        st.output = responder.send(
          node.id,
          budgeted(node, 'response', buildResponse(node, context(), { now: Date.now() })),
        ) as unknown as JsonObject;
        return;
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
    const origin = runOrigin(input.trigger);
    st.input = { flow: node.flow, version: child.version, input: resolved };
    st.childRunId = childRunId;
    const childInput: RunFlowInput = {
      workspaceId: input.workspaceId,
      flowId: node.flow,
      version: child.version,
      definition: child.definition,
      trigger: {
        type: 'subflow',
        parent: { runId: parentRunId, flowId: input.flowId, nodeId: node.id, ...(origin !== undefined && { origin }) },
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

  /**
   * A loop: its items resolved and checked here (a non-array or too many fail the step, naming the field or the
   * bound), then every item's body run in the loop's child workflow (run-loop.ts), waited for. Its output is the
   * items' results; its `loop` the counts and latest iterations (the run view asks the child while it runs).
   */
  async function callLoop(node: LoopNode, st: StepState): Promise<void> {
    const ctx = context();
    const now = Date.now();
    const checked = checkLoopItems(node, resolveTemplates(node.items, ctx, { now }));
    if ('code' in checked) throw new EvaluationError(checked.message, checked.code);
    const total = checked.items.length;
    st.input = { items: total, concurrency: node.concurrency ?? 1 };
    st.loop = { total, completed: 0, failed: 0 };
    const runId = workflowInfo().workflowId;
    try {
      const { results, failed, progress } = await executeChild<typeof runLoop>('runLoop', {
        workflowId: loopRunId(runId, node.id),
        args: [
          {
            workspaceId: input.workspaceId,
            flowId: input.flowId,
            runId,
            loop: node,
            body: bodyGraph(input.definition, node.id),
            context: ctx,
            now,
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      st.loop = progress;
      Object.assign(st, { output: budgeted(node, 'output', { results, failed }), branch: DONE_BRANCH });
    } catch (err) {
      if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
      const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
      if (!(cause instanceof ApplicationFailure)) throw err;
      const progress = cause.details?.[0] as LoopProgress | undefined;
      if (progress) st.loop = progress;
      throw new EvaluationError(cause.message, cause.type === LOOP_ITEM_FAILED ? LOOP_ITEM_FAILED : 'BUDGET_EXCEEDED');
    }
  }

  /** Runs one node to its end state. Never rejects, except to pass on a cancellation. */
  async function execute(node: FlowNode): Promise<void> {
    const st = state(node.id);
    Object.assign(st, { status: 'running', startedAt: new Date().toISOString() });
    try {
      await perform(node, st);
      st.status = 'completed';
    } catch (err) {
      const failsRun = settleFailure(node, st, err, routes);
      if (isCancellation(err)) throw err;
      if (failsRun) failedStep ??= node.id;
    } finally {
      st.finishedAt = new Date().toISOString();
    }
  }

  // One scope for all node executions, so a step that fails the run can stop its still-running siblings.
  const nodesScope = new CancellationScope();
  const inflight = new Map<string, Promise<void>>();
  for (;;) {
    const plan = planNext(def, Object.fromEntries(states));
    const progressed = advance(plan, states, inflight, (node) => nodesScope.run(() => execute(node)));
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
  // The run's outcome is known: a caller still waiting for an answer gets none (the webhook says 202).
  await responder.close();

  if (failedStep !== undefined) {
    nodesScope.cancel();
    await Promise.allSettled(inflight.values());
    // The run.failed event (run-failed.ts): recorded before the failure, never changing it.
    await reportRunFailed(input, state(failedStep), def.nodes.find((n) => n.id === failedStep)?.name);
    const details: RunFailedDetails = { failedStep };
    throw ApplicationFailure.nonRetryable(
      `Step "${failedStep}" failed: ${state(failedStep).error?.message}`,
      STEP_FAILED,
      details,
    );
  }
  return { status: 'completed', steps: list() };
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
