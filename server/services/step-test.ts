// "Test step" (README.md "Testing one step"): the run context one action node is tested in, and its input resolved in
// it. Pure: the route reads the run or the samples, this builds the context and resolves the templates with the
// workflow's own sandbox-safe resolveTemplates, so a test sees exactly the input a run would send.
import {
  FunctionError,
  isTemplated,
  jsonBytes,
  resolvePath,
  resolveTemplates,
  RuleBudgetError,
  RUN_BUDGET,
  templateRefsAt,
} from '../../connectors/flow/runtime.js';
import type {
  ActionNode,
  FlowDefinition,
  JsonObject,
  JsonValue,
  RunContext,
  StepState,
  ValidationIssue,
} from '../../connectors/flow/types.js';

/** Where the context comes from: the flow's newest run (or a given one), or the samples kept in the definition. */
export type StepTestSource = 'last_run' | 'sample';

/** What a step sees of the run before it: the trigger, earlier steps' outputs, the contact. */
export interface ContextParts {
  trigger: JsonValue;
  steps: Record<string, { output: JsonValue }>;
  contact: JsonValue;
  /** For a step inside a loop's body: the item it runs for (only a caller's override sets it). */
  loop?: { item: JsonValue; index: number };
}

/** Caller-given parts that replace the built ones: the whole trigger, and single steps' outputs. */
export interface ContextOverrides {
  trigger?: JsonValue;
  steps?: Record<string, { output: JsonValue }>;
  loop?: { item: JsonValue; index: number };
}

const isObject = (v: unknown): v is Record<string, JsonValue> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The event a run of the draft gets from a sample (`given`: the caller's, or the trigger's `sample`), as the whole-flow
 * test run builds it: a webhook's `{ body, headers, query, receivedAt }`, a channel message event with its
 * `receivedAt`, a schedule tick at `now`, a poll's item, a platform event as given. `contactId`: the run's contact (the message's or the
 * event's), for the caller to look up.
 */
export function sampleEvent(
  definition: FlowDefinition,
  given: JsonValue | undefined,
  now: string,
): { trigger: JsonValue; contactId?: string } {
  const event = isObject(given) ? given : {};
  const type = definition.trigger.type;
  if (type === 'channel.message') {
    const contactId = typeof event.contactId === 'string' ? event.contactId : undefined;
    const trigger = { ...event, receivedAt: typeof event.receivedAt === 'string' ? event.receivedAt : now };
    return contactId ? { trigger, contactId } : { trigger };
  }
  if (definition.trigger.type === 'schedule') {
    // What a tick hands the run (worker/schedules.ts), with now as its scheduled time.
    const { sample: _sample, overlap: _overlap, ...schedule } = definition.trigger;
    return { trigger: { ...schedule, timezone: schedule.timezone ?? 'UTC', scheduledAt: now } as JsonObject };
  }
  if (definition.trigger.type === 'poll') {
    // What a poll hands an item's run (worker/poll-trigger.ts): a sample `{ key, item }`.
    const key = typeof event.key === 'string' ? event.key : 'sample';
    return {
      trigger: { type: 'poll', source: definition.trigger.source, key, item: event.item ?? null, polledAt: now },
    };
  }
  if (type === 'webhook')
    return {
      trigger: { body: event.body ?? null, headers: event.headers ?? {}, query: event.query ?? {}, receivedAt: now },
    };
  // A contact event: its contact is the run's contact, as the relay starts it.
  return typeof event.contactId === 'string' ? { trigger: event, contactId: event.contactId } : { trigger: event };
}

/**
 * The context from samples: the trigger's sample event, and the outputs earlier steps would have had: an action's
 * kept `sample`, a set node's values resolved against what is known so far (in definition order; one that cannot be
 * resolved is left out).
 */
export function samplesContext(
  definition: FlowDefinition,
  nodeId: string,
  event: { trigger: JsonValue; contact?: JsonValue },
  now: number,
): ContextParts {
  const parts: ContextParts = { trigger: event.trigger, steps: {}, contact: event.contact ?? null };
  for (const n of definition.nodes) {
    if (n.id === nodeId) continue;
    if (n.type === 'action' && n.sample !== undefined) parts.steps[n.id] = { output: n.sample };
    else if (n.type === 'set' && isObject(n.values)) {
      try {
        parts.steps[n.id] = { output: resolveTemplates(n.values, contextOf(parts, 'sample', ''), { now }) };
      } catch {
        // A set node whose values need what the samples lack: its output stays unknown.
      }
    }
  }
  return parts;
}

/** The context from a run: its trigger and contact, and the outputs of the steps it completed (or continued past). */
export function runContext(run: { trigger: JsonValue; steps: StepState[]; contact?: JsonValue }): ContextParts {
  const steps: ContextParts['steps'] = {};
  for (const s of run.steps)
    if (s.status === 'completed' || (s.status === 'failed' && s.output !== undefined))
      steps[s.nodeId] = { output: s.output ?? null };
  return { trigger: run.trigger, steps, contact: run.contact ?? null };
}

export function withOverrides(parts: ContextParts, overrides: ContextOverrides = {}): ContextParts {
  return {
    trigger: overrides.trigger !== undefined ? overrides.trigger : parts.trigger,
    steps: { ...parts.steps, ...overrides.steps },
    contact: parts.contact,
    ...((overrides.loop ?? parts.loop) && { loop: overrides.loop ?? parts.loop }),
  };
}

/** The run context templates see; `run` is the test's own (version 0, as a test run of the draft). */
export function contextOf(parts: ContextParts, flowId: string, testId: string, startedAt = ''): RunContext {
  return { ...parts, run: { id: testId, flowId, version: 0, startedAt } };
}

/** A reference of the input that resolved to nothing in this context (e.g. a step the last run did not reach). */
export interface MissingRef {
  /** Where in the definition it is used, e.g. `/nodes/1/input/url`. */
  path: string;
  ref: string;
}

export type ResolvedStep = { input: JsonObject; missing: MissingRef[] } | { issues: ValidationIssue[] };

const errorCode = (err: unknown) =>
  err instanceof FunctionError
    ? 'function_error'
    : err instanceof RuleBudgetError
      ? 'budget_exceeded'
      : 'template_error';

/**
 * The node's input with its templates resolved in `ctx`, as runFlow resolves it. Each templated value is tried on its
 * own first, so every one that cannot be resolved (a failing data function, an unknown json-logic operator) is an
 * issue naming its field; then the whole input, whose result is what is sent.
 */
export function resolveStepInput(node: ActionNode, index: number, ctx: RunContext, now: number): ResolvedStep {
  const base = `/nodes/${index}/input`;
  const input = isObject(node.input) ? (node.input as JsonObject) : {};
  const issues: ValidationIssue[] = [];
  const issue = (path: string, err: unknown) =>
    issues.push({
      path,
      code: errorCode(err),
      message: err instanceof Error ? err.message : String(err),
      nodeId: node.id,
    });
  const walk = (v: JsonValue, at: string): void => {
    if (isTemplated(v)) {
      try {
        resolveTemplates(v, ctx, { now });
      } catch (err) {
        issue(at, err);
      }
    } else if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${at}/${i}`));
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) walk(item, `${at}/${escapePointer(k)}`);
  };
  walk(input, base);
  if (issues.length > 0) return { issues };
  let resolved: JsonObject;
  try {
    resolved = resolveTemplates(input, ctx, { now }) as JsonObject;
  } catch (err) {
    // Only the budget of all the values together can fail here: each one alone resolved.
    issue(base, err);
    return { issues };
  }
  if (jsonBytes(resolved, RUN_BUDGET.stepValueBytes) > RUN_BUDGET.stepValueBytes) {
    issues.push({
      path: base,
      code: 'budget_exceeded',
      message: `the resolved input is over the step value budget of ${RUN_BUDGET.stepValueBytes} bytes of JSON`,
      nodeId: node.id,
    });
    return { issues };
  }
  const missing = templateRefsAt(input, base)
    .filter((r) => resolvePath(ctx, r.path) === null)
    .map((r) => ({ path: r.pointer, ref: r.path }));
  return { input: resolved, missing };
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
