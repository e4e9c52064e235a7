// runLoop: a loop node's child workflow (README.md "Loops"). Runs the loop's body once per item, at most `concurrency`
// items at a time, each item walking the body with the pure `planNext` and carrying out its nodes with the same
// `performStep` as runFlow (node-steps.ts). Every LOOP_ITEMS_PER_RUN items (sooner when Temporal suggests it) it lets
// the items in flight finish and continues as new, carrying its position and the results so far, so no loop outgrows
// one history. Deterministic: imports only the workflow SDK, the contract and the sandbox-safe flow runtime.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  isLoopBodyType,
  itemResult,
  jsonBytes,
  LOOP_LIMITS,
  planNext,
  resolveTemplates,
  RUN_BUDGET,
} from '../../connectors/flow/runtime.js';
import type {
  FlowNode,
  JsonObject,
  JsonValue,
  LoopIteration,
  LoopProgress,
  RunContext,
  StepState,
} from '../../connectors/flow/types.js';
import {
  LOOP_ITEM_FAILED,
  LOOP_ITEMS_PER_RUN,
  loopProgressQuery,
  type RunLoopCarry,
  type RunLoopInput,
  type RunLoopResult,
} from '../contract.js';
import { advance, EvaluationError, failureRoutes, performStep, settleFailure, type StepEnv } from './node-steps.js';

/** Iterations a loop keeps to show: the latest finished ones, and its first failures. */
const KEPT_LATEST = 10;
const KEPT_FAILURES = 5;
/** A kept step's input or output over this many bytes of JSON is shown by its size only. */
const KEPT_VALUE_BYTES = 1024;

export async function runLoop(input: RunLoopInput): Promise<RunLoopResult> {
  const { loop, body } = input;
  // The parent checked these same items (same context, same clock): an array within maxItems.
  const items = resolveTemplates(loop.items, input.context, { now: input.now }) as JsonValue[];
  const total = items.length;
  const concurrency = Math.max(1, Math.min(loop.concurrency ?? 1, LOOP_LIMITS.maxConcurrency));
  const carry: RunLoopCarry = input.carry ?? { next: 0, results: [], failed: 0, iterations: [], resultBytes: 0 };
  const results = carry.results;
  const firstHere = carry.next;
  let next = carry.next;
  let finished = carry.next;
  let failed = carry.failed;
  let resultBytes = carry.resultBytes;
  let kept = carry.iterations;
  const running = new Map<number, LoopIteration>();
  /** The item that failed the loop (onError `fail`, or the results over their budget). */
  let failure: { message: string; code: string } | undefined;

  const progress = (): LoopProgress => ({
    total,
    completed: finished,
    failed,
    iterations: [...kept, ...running.values()].sort((a, b) => a.index - b.index),
  });
  setHandler(loopProgressQuery, progress);

  const itemsScope = new CancellationScope();
  const stopping = () =>
    failure !== undefined || next - firstHere >= LOOP_ITEMS_PER_RUN || workflowInfo().continueAsNewSuggested;

  async function lane(): Promise<void> {
    while (next < total && !stopping()) {
      const index = next++;
      const iteration: LoopIteration = {
        index,
        status: 'running',
        steps: body.nodes.map((n) => ({ nodeId: n.id, type: n.type, status: 'pending' })),
      };
      running.set(index, iteration);
      const failedStep = await walkBody(iteration, items[index] ?? null);
      running.delete(index);
      finish(iteration, failedStep);
    }
  }

  /** Records an item's outcome: its result (or `{ error }`), the counts, the iterations kept. */
  function finish(iteration: LoopIteration, failedStep: StepState | undefined) {
    const { index } = iteration;
    iteration.status = failedStep ? 'failed' : 'completed';
    finished++;
    if (failedStep) {
      failed++;
      if ((loop.onError ?? 'fail') === 'fail')
        failure ??= {
          message: `item ${index} of loop "${loop.id}" failed at step "${failedStep.nodeId}": ${failedStep.error?.message ?? 'failed'}`,
          code: LOOP_ITEM_FAILED,
        };
      results[index] = { error: (failedStep.error ?? { message: 'failed' }) as unknown as JsonObject };
    } else results[index] = itemResult(body, iteration.steps);
    resultBytes += jsonBytes(results[index]) + 1;
    if (resultBytes > RUN_BUDGET.stepValueBytes)
      failure ??= {
        message: `the results of loop "${loop.id}" are over the step value budget of ${RUN_BUDGET.stepValueBytes} bytes of JSON at item ${index}; end its body with a set node that keeps only what later steps need`,
        code: 'BUDGET_EXCEEDED',
      };
    kept = keep([...kept, compact(iteration)]);
  }

  /**
   * One item: its body's nodes, planned by `planNext` and carried out by `performStep`, its failures routed as in a
   * run (an error branch, onError `continue`). Never rejects; returns the step that failed the item, if one did.
   */
  async function walkBody(iteration: LoopIteration, item: JsonValue): Promise<StepState | undefined> {
    const { index } = iteration;
    const states = new Map(iteration.steps.map((s) => [s.nodeId, s]));
    const routes = failureRoutes(body);
    const { continued } = routes;
    let failedStep: string | undefined;
    let stateBytes = 0;
    const context = (): RunContext => ({
      ...input.context,
      steps: {
        ...input.context.steps,
        ...Object.fromEntries(
          iteration.steps
            .filter((s) => s.status === 'completed' || continued.has(s.nodeId))
            .map((s) => [s.nodeId, { output: s.output ?? null }]),
        ),
      },
      loop: { item, index },
    });
    const budgeted = <T>(node: FlowNode, what: string, value: T): T => {
      const bytes = jsonBytes(value, RUN_BUDGET.stepValueBytes);
      if (bytes > RUN_BUDGET.stepValueBytes || stateBytes + bytes > RUN_BUDGET.runStateBytes)
        throw new EvaluationError(
          `the ${what} of "${node.id}" (item ${index}) is over the ${bytes > RUN_BUDGET.stepValueBytes ? `step value budget of ${RUN_BUDGET.stepValueBytes}` : `item's state budget of ${RUN_BUDGET.runStateBytes}`} bytes of JSON`,
          'BUDGET_EXCEEDED',
        );
      stateBytes += bytes;
      return value;
    };
    const env = (node: FlowNode): StepEnv => ({
      context,
      budgeted,
      setWaiting: () => undefined,
      workspaceId: input.workspaceId,
      flowId: input.flowId,
      runId: input.runId,
      key: `${loop.id}[${index}].${node.id}`,
    });

    async function execute(node: FlowNode): Promise<void> {
      const st = states.get(node.id)!;
      Object.assign(st, { status: 'running', startedAt: new Date().toISOString() });
      try {
        if (!isLoopBodyType(node.type))
          throw new EvaluationError(`a ${node.type} cannot run inside the body of loop "${loop.id}"`);
        await performStep(node as Parameters<typeof performStep>[0], st, env(node));
        st.status = 'completed';
      } catch (err) {
        if (settleFailure(node, st, err, routes)) failedStep ??= node.id;
      } finally {
        st.finishedAt = new Date().toISOString();
      }
    }

    // Its own scope inside the items' scope: a step failing the item stops its other branches, not other items.
    const itemScope = new CancellationScope();
    const inflight = new Map<string, Promise<void>>();
    for (;;) {
      const plan = planNext(body, Object.fromEntries(states));
      const progressed = advance(plan, states, inflight, (node) => itemScope.run(() => execute(node)));
      if (inflight.size === 0) {
        if (progressed) continue;
        break;
      }
      await Promise.race(inflight.values()).catch(() => undefined);
      if (failedStep !== undefined) break;
    }
    if (failedStep !== undefined) {
      itemScope.cancel();
      await Promise.allSettled(inflight.values());
      return states.get(failedStep);
    }
    return undefined;
  }

  await Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(0, total - next)) }, () =>
      itemsScope.run(lane).catch(() => undefined),
    ),
  );
  // The loop itself was cancelled (its run was): say so, not that an item failed.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure(`loop "${loop.id}" was cancelled`);
  if (failure)
    throw ApplicationFailure.create({
      message: failure.message,
      type: failure.code,
      nonRetryable: true,
      details: [progress()],
    });
  if (next < total)
    return continueAsNew<typeof runLoop>({
      ...input,
      carry: { next, results, failed, iterations: kept, resultBytes },
    });
  return { results, failed, progress: progress() };
}

/** The iterations to keep: the first failures and the latest ones, in index order. */
function keep(iterations: LoopIteration[]): LoopIteration[] {
  const failures = iterations.filter((i) => i.status === 'failed').slice(0, KEPT_FAILURES);
  const latest = iterations.slice(-KEPT_LATEST);
  return [...new Set([...failures, ...latest])].sort((a, b) => a.index - b.index);
}

/** An iteration as kept: its steps with any big input or output replaced by its size. */
function compact(iteration: LoopIteration): LoopIteration {
  const small = (v: JsonValue | undefined): JsonValue | undefined => {
    if (v === undefined) return undefined;
    const bytes = jsonBytes(v, KEPT_VALUE_BYTES);
    return bytes > KEPT_VALUE_BYTES ? `[over ${KEPT_VALUE_BYTES} bytes of JSON, not kept]` : v;
  };
  return {
    ...iteration,
    steps: iteration.steps.map((s) => {
      const out: StepState = { ...s };
      const input = small(s.input);
      const output = small(s.output);
      if (input === undefined) delete out.input;
      else out.input = input;
      if (output === undefined) delete out.output;
      else out.output = output;
      return out;
    }),
  };
}
