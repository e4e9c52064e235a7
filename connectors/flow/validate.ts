// Definition validation for the editor, the API and publish: every issue at once, each with a JSON Pointer, a code and
// a message. Uses ajv (it generates code), so it stays out of runtime.ts and the workflow sandbox.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from './ajv.js';
import { jsonBytes, SAMPLE_MAX_BYTES, TRIGGER_SAMPLE_MAX_BYTES } from './budget.js';
import { canFail, caseBranch, ERROR_BRANCH, optionalBranches, requiredBranches } from './branches.js';
import { durationProblem, type DurationKind } from './duration.js';
import { argAt, argLabel, arityProblem, FUNCTIONS_BY_NAME } from './functions/catalog.js';
import { xCheckProblem } from './functions/checks.js';
import { isPipeline, parsePipeline, pipelineCalls } from './functions/pipes.js';
import { isOperator } from './logic.js';
import { enclosingLoops, loopIssues } from './loop-checks.js';
import { pollIssues } from './poll.js';
import { scheduleIssues } from './schedule.js';
import { respondIssues } from './respond.js';
import { flowSchema } from './schema.js';
import {
  TEMPLATE_ROOTS,
  isTemplated,
  parsePath,
  placeholderTexts,
  ruleRefs,
  templateRefsAt,
  templateSyntaxError,
} from './template.js';
import { CONTACT_EVENT_TYPES, PLATFORM_EVENT_TYPES, TRIGGER_ID, type NodeType, type ValidationIssue } from './types.js';

/** A JSON Schema as connectors declare it (plain data). */
export type JsonSchema = { [key: string]: unknown };

export interface ValidateFlowOptions {
  /** Input schema of every known action, by `<connector>.<action>`. */
  actions: Record<string, { input: JsonSchema }>;
  /** Channel names installed (`sms`, `whatsapp`, ...); when given, a channel.message trigger naming another is an issue. */
  channels?: string[];
  /** Input schema of every poll trigger (`http.poll`, ...); when given, a poll trigger naming another is an issue. */
  pollSources?: Record<string, { input: JsonSchema }>;
}

// The one ajv setup (ajv.ts). Two instances: definitions are checked without touching them; runtime inputs get
// defaults filled in.
function makeAjv(useDefaults: boolean): { compile(schema: object): ValidateFunction } {
  const ajv = createAjv({ useDefaults });
  const cache = new WeakMap<object, ValidateFunction>();
  return {
    compile(schema) {
      let fn = cache.get(schema);
      if (!fn) cache.set(schema, (fn = ajv.compile(schema)));
      return fn;
    },
  };
}
const checkAjv = makeAjv(false);
const inputAjv = makeAjv(true);

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const pointerOf = (e: ErrorObject): string => {
  const p = e.params as { missingProperty?: string; additionalProperty?: string };
  const child =
    e.keyword === 'required'
      ? p.missingProperty
      : e.keyword === 'additionalProperties'
        ? p.additionalProperty
        : undefined;
  return child === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(child)}`;
};

const messageOf = (e: ErrorObject, base: string): string => {
  const where = (base + e.instancePath).replace(/^\//, '').replace(/\//g, '.') || 'value';
  if (e.keyword === 'additionalProperties')
    return `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum')
    return `${where} ${e.message}: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
};

/** Checks a resolved action input at run time; fills schema defaults into `value`. Paths are under `/input`. */
export function validateInput(schema: JsonSchema, value: unknown): ValidationIssue[] {
  const validate = inputAjv.compile(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => ({
    path: `/input${pointerOf(e)}`,
    code: 'action_input',
    message: messageOf(e, '/input'),
  }));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const inside = (path: string, root: string) => path === root || path.startsWith(`${root}/`);
// Keywords judging a whole subtree: a templated value inside can make them pass at run time.
const COMBINATORS = new Set(['anyOf', 'oneOf', 'not', 'if', 'contains', 'dependentSchemas']);

/** Pointers (relative) of every templated value in an input. */
function templatedPointers(value: unknown, at = ''): string[] {
  if (isTemplated(value)) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => templatedPointers(v, `${at}/${i}`));
  if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => templatedPointers(v, `${at}/${escapePointer(k)}`));
  return [];
}

function stringsIn(value: unknown, at: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => stringsIn(v, `${at}/${i}`, out));
  else if (isObj(value) && !isTemplated(value))
    for (const [k, v] of Object.entries(value)) stringsIn(v, `${at}/${escapePointer(k)}`, out);
  return out;
}

/**
 * The size of a definition validation takes on, checked first and in one pass, so that no definition makes the
 * expensive checks (schema, graph, templates) slow or their answer huge. A definition over a limit gets only these
 * issues. Every list of issues is cut at `issues`, with a last `too_many_issues` issue giving the total.
 */
export const FLOW_LIMITS = {
  nodes: 2000,
  edges: 4000,
  /** Nesting of arrays and objects, counted from the definition itself (`nodes[0].input.body` is 4). */
  depth: 32,
  /** Characters in any one string, keys included. */
  stringLength: 65_536,
  issues: 100,
} as const;

/** Issues for a definition over FLOW_LIMITS (nodes, edges, depth, string length, samples); empty when within them. */
export function definitionLimitIssues(def: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (isObj(def)) {
    const samples: Array<[string, unknown, number]> = [];
    if (isObj(def.trigger)) samples.push(['/trigger/sample', def.trigger.sample, TRIGGER_SAMPLE_MAX_BYTES]);
    if (Array.isArray(def.nodes))
      def.nodes.forEach((n, i) => isObj(n) && samples.push([`/nodes/${i}/sample`, n.sample, SAMPLE_MAX_BYTES]));
    for (const [path, sample, max] of samples)
      if (sample !== undefined && jsonBytes(sample, max) > max)
        issues.push({
          path,
          code: 'too_large',
          message: `the sample is more than ${max / 1024} KiB of JSON; keep a smaller one (the editor's "Keep as sample" trims a step's)`,
        });
    for (const [key, max] of [
      ['nodes', FLOW_LIMITS.nodes],
      ['edges', FLOW_LIMITS.edges],
    ] as const) {
      const list = def[key];
      if (Array.isArray(list) && list.length > max)
        issues.push({ path: `/${key}`, code: 'too_large', message: `${key}: ${list.length} is more than ${max}` });
    }
  }
  // Iterative, so a deeply nested value cannot exhaust the stack; stops at the first string and depth problem.
  let tooDeep: string | undefined;
  let tooLong: string | undefined;
  const stack: Array<[unknown, string, number]> = [[def, '', 0]];
  while (stack.length > 0 && (tooDeep === undefined || tooLong === undefined)) {
    const [value, at, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > FLOW_LIMITS.stringLength) tooLong ??= at;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= FLOW_LIMITS.depth) {
      tooDeep ??= at;
      continue;
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [k, v] of entries) {
      if (k.length > FLOW_LIMITS.stringLength) tooLong ??= at;
      stack.push([v, `${at}/${k.length > 64 ? `${k.slice(0, 61)}...` : escapePointer(k)}`, depth + 1]);
    }
  }
  if (tooDeep !== undefined)
    issues.push({ path: tooDeep, code: 'too_deep', message: `values nest more than ${FLOW_LIMITS.depth} levels deep` });
  if (tooLong !== undefined)
    issues.push({
      path: tooLong,
      code: 'too_large',
      message: `a string is longer than ${FLOW_LIMITS.stringLength} characters`,
    });
  return issues;
}

/** At most FLOW_LIMITS.issues issues, the last one saying how many there were when there were more. */
function capped(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= FLOW_LIMITS.issues) return issues;
  return [
    ...issues.slice(0, FLOW_LIMITS.issues - 1),
    {
      path: '',
      code: 'too_many_issues',
      message: `${issues.length} issues in all; the first ${FLOW_LIMITS.issues - 1} are listed`,
    },
  ];
}

/**
 * Every problem in a flow definition: schema, graph, templates, durations and action inputs (at most
 * FLOW_LIMITS.issues of them). Empty when valid.
 */
export function validateFlow(def: unknown, opts: ValidateFlowOptions): ValidationIssue[] {
  const limits = definitionLimitIssues(def);
  return capped(limits.length > 0 ? limits : collectIssues(def, opts));
}

function collectIssues(def: unknown, opts: ValidateFlowOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const nodes = isObj(def) && Array.isArray(def.nodes) ? def.nodes : [];
  const edges = isObj(def) && Array.isArray(def.edges) ? def.edges : [];
  const nodeIdAt = (i: number): string | undefined => {
    const n: unknown = nodes[i];
    return isObj(n) && typeof n.id === 'string' ? n.id : undefined;
  };
  const add = (path: string, code: string, message: string, nodeId?: string) =>
    issues.push(nodeId === undefined ? { path, code, message } : { path, code, message, nodeId });

  // 1. The JSON Schema. Duration pattern errors are left to the invalid_duration check, which says more.
  const validate = checkAjv.compile(flowSchema);
  if (!validate(def)) {
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'if' || e.schemaPath === '#/$defs/duration/pattern') continue;
      const m = /^\/nodes\/(\d+)/.exec(e.instancePath);
      add(pointerOf(e), 'schema', messageOf(e, ''), m ? nodeIdAt(Number(m[1])) : undefined);
    }
  }

  // 2. Node ids.
  const byId = new Map<string, { node: Obj; index: number }>();
  nodes.forEach((n, index) => {
    if (!isObj(n) || typeof n.id !== 'string' || n.id === TRIGGER_ID) return; // the schema reports a node named trigger
    if (byId.has(n.id))
      add(`/nodes/${index}/id`, 'duplicate_node_id', `node id "${n.id}" is used more than once`, n.id);
    else byId.set(n.id, { node: n, index });
  });

  // 3. Edges: endpoints and branches. Only sound edges build the graph.
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  edges.forEach((e, i) => {
    if (!isObj(e) || typeof e.from !== 'string' || typeof e.to !== 'string') return;
    const { from, to } = e;
    const bad = (key: 'from' | 'to', message: string) => add(`/edges/${i}/${key}`, 'unknown_node', message);
    const fromOk = from === TRIGGER_ID || byId.has(from);
    const toOk = to !== TRIGGER_ID && byId.has(to);
    if (!fromOk) bad('from', `edge ${i} starts at "${from}", which is not a node`);
    if (to === TRIGGER_ID) bad('to', `edge ${i} points at the trigger; nothing can lead into it`);
    else if (!toOk) bad('to', `edge ${i} leads to "${to}", which is not a node`);
    const fromNode = byId.get(from)?.node;
    const fromType = fromNode?.type;
    const typed = typeof fromType === 'string' ? { ...fromNode, type: fromType as NodeType } : undefined;
    const branches = typed ? requiredBranches(typed) : undefined;
    const optional = typed ? optionalBranches(typed) : [];
    if (e.branch === ERROR_BRANCH && fromOk && !canFail(fromType)) {
      add(
        `/edges/${i}/branch`,
        'error_branch',
        `only an action or a sub-flow has an "error" branch; "${from}" is ${from === TRIGGER_ID ? 'the trigger' : `a ${String(fromType)}`}`,
        byId.has(from) ? from : undefined,
      );
    } else if (branches && !branches.includes(e.branch as string)) {
      add(
        `/edges/${i}/branch`,
        'condition_branch',
        `an edge leaving ${fromType} "${from}" needs branch ${branches.map((b) => `"${b}"`).join(' or ')}`,
        from,
      );
    } else if (!branches && e.branch !== undefined && fromOk && !optional.includes(e.branch as string)) {
      add(
        `/edges/${i}/branch`,
        'condition_branch',
        canFail(fromType)
          ? `an edge leaving ${String(fromType)} "${from}" has no branch, or "${ERROR_BRANCH}" for its error branch`
          : `only edges leaving a condition, a wait or a switch have a branch; "${from}" is neither`,
        byId.has(from) ? from : undefined,
      );
    }
    if (!fromOk || !toOk) return;
    out.set(from, [...(out.get(from) ?? []), to]);
    into.set(to, [...(into.get(to) ?? []), from]);
  });

  // 4. Reachability from the trigger.
  const reached = new Set<string>();
  for (const stack = [TRIGGER_ID]; stack.length;)
    for (const next of out.get(stack.pop()!) ?? []) if (!reached.has(next)) stack.push((reached.add(next), next));
  for (const [id, { index }] of byId)
    if (!reached.has(id)) add(`/nodes/${index}`, 'unreachable', `node "${id}" cannot be reached from the trigger`, id);

  // 5. Cycles (v1 flows are DAGs): strongly connected components (Tarjan), one issue per cycle.
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack: string[] = [];
  const strongConnect = (v: string): void => {
    order.set(v, order.size);
    low.set(v, order.get(v)!);
    onStack.push(v);
    for (const w of out.get(v) ?? []) {
      if (!order.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.includes(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) !== order.get(v)) return;
    const scc = onStack.splice(onStack.indexOf(v));
    if (scc.length > 1 || (out.get(v) ?? []).includes(v)) {
      const first = [...byId.keys()].find((id) => scc.includes(id))!;
      add(
        `/nodes/${byId.get(first)!.index}`,
        'cycle',
        `node "${first}" is in a cycle (${scc.join(', ')}); flows cannot loop`,
        first,
      );
    }
  };
  for (const id of byId.keys()) if (!order.has(id)) strongConnect(id);

  const upstream = (id: string): Set<string> => {
    const seen = new Set<string>();
    for (const stack = [id]; stack.length;)
      for (const p of into.get(stack.pop()!) ?? []) if (!seen.has(p)) stack.push((seen.add(p), p));
    return seen;
  };

  // Loops: items, bodies (loop-checks.ts); `inLoop` says which loop's body a node is in, for `loop.*` references.
  issues.push(...loopIssues(nodes, edges));
  const inLoop = enclosingLoops(nodes, edges);

  // 6. Per node: actions and their inputs, durations, templates.
  for (const [id, { node, index }] of byId) {
    const at = `/nodes/${index}`;
    if (node.type === 'action' && typeof node.action === 'string') {
      const action = opts.actions[node.action];
      if (!action) add(`${at}/action`, 'unknown_action', `no connector provides action "${node.action}"`, id);
      else checkActionInput(action.input, node.input ?? {}, `${at}/input`, id, add);
    }
    const durations: Array<[string, unknown, DurationKind]> =
      node.type === 'delay'
        ? [['duration', node.duration, 'delay']]
        : node.type === 'wait' || node.type === 'subflow'
          ? [['timeout', node.timeout, node.type === 'wait' ? 'wait' : 'subflowTimeout']]
          : node.type === 'action'
            ? [
                ['timeout', node.timeout, 'timeout'],
                ...(isObj(node.retry)
                  ? (['initialInterval', 'maximumInterval'] as const).map((k): [string, unknown, DurationKind] => [
                      `retry/${k}`,
                      (node.retry as Obj)[k],
                      'retryInterval',
                    ])
                  : []),
              ]
            : [];
    for (const [key, value, kind] of durations) {
      const problem = typeof value === 'string' ? durationProblem(value, kind) : null;
      if (problem) add(`${at}/${key}`, 'invalid_duration', `${key.replace('/', '.')} "${value}" ${problem}`, id);
    }
    const templated =
      node.type === 'action' || node.type === 'subflow'
        ? { key: 'input', value: node.input }
        : node.type === 'set'
          ? { key: 'values', value: node.values }
          : node.type === 'wait' && node.contact !== undefined
            ? { key: 'contact', value: node.contact }
            : node.type === 'loop' && node.items !== undefined
              ? { key: 'items', value: node.items }
              : undefined;
    const refs = templated ? templateRefsAt(templated.value, `${at}/${templated.key}`) : [];
    if (templated) {
      for (const [pointer, s] of stringsIn(templated.value, `${at}/${templated.key}`)) {
        const err = templateSyntaxError(s);
        if (err) add(pointer, 'invalid_template', err, id);
      }
    }
    if (templated) {
      for (const [pointer, s] of stringsIn(templated.value, `${at}/${templated.key}`))
        for (const problem of templateFunctionProblems(s)) add(pointer, problem.code, problem.message, id);
      for (const [pointer, rule] of logicIn(templated.value, `${at}/${templated.key}`))
        for (const problem of ruleFunctionProblems(rule)) add(pointer, problem.code, problem.message, id);
    }
    // A respond node's two templated fields (respond.ts checks the rest of it).
    const respondFields = node.type === 'respond' ? { headers: node.headers, body: node.body } : {};
    for (const [key, value] of Object.entries(respondFields)) {
      if (value === undefined) continue;
      refs.push(...templateRefsAt(value, `${at}/${key}`));
      for (const [pointer, s] of stringsIn(value, `${at}/${key}`)) {
        const err = templateSyntaxError(s);
        if (err) add(pointer, 'invalid_template', err, id);
        for (const problem of templateFunctionProblems(s)) add(pointer, problem.code, problem.message, id);
      }
      for (const [pointer, rule] of logicIn(value, `${at}/${key}`))
        for (const problem of ruleFunctionProblems(rule)) add(pointer, problem.code, problem.message, id);
    }
    if (node.type === 'condition')
      for (const problem of ruleFunctionProblems(node.rule)) add(`${at}/rule`, problem.code, problem.message, id);
    if (node.type === 'condition') refs.push(...ruleRefs(node.rule).map((path) => ({ pointer: `${at}/rule`, path })));
    if (node.type === 'switch' && Array.isArray(node.cases)) refs.push(...switchCaseIssues(id, node.cases, at, add));
    let before: Set<string> | undefined;
    for (const { pointer, path } of refs) {
      const [root, stepId, field] = parsePath(path) ?? [];
      if (root === 'loop') {
        // loop.item and loop.index: only inside a loop's body (loop-checks.ts).
        if (!inLoop.has(id))
          add(pointer, 'invalid_template', `"${path}": loop.item and loop.index exist only inside a loop's body`, id);
        else if (stepId !== 'item' && stepId !== 'index')
          add(pointer, 'invalid_template', `"${path}": a loop's body sees loop.item and loop.index`, id);
      } else if (root === 'steps' && stepId !== undefined && inLoop.get(id) === String(stepId)) {
        add(pointer, 'invalid_template', `"${path}": loop "${stepId}" has no output inside its own body`, id);
      } else if (!(TEMPLATE_ROOTS as readonly unknown[]).includes(root)) {
        add(pointer, 'invalid_template', `"${path}" must start with one of ${TEMPLATE_ROOTS.join(', ')}`, id);
      } else if (root === 'steps' && stepId !== undefined) {
        if (!byId.has(String(stepId)))
          add(pointer, 'invalid_template', `"${path}" refers to step "${stepId}", which is not a node`, id);
        else if (!(before ??= upstream(id)).has(String(stepId)))
          add(
            pointer,
            'invalid_template',
            `"${path}" refers to step "${stepId}", which does not run before "${id}"`,
            id,
          );
        else if (field !== undefined && field !== 'output')
          add(pointer, 'invalid_template', `"${path}": a step exposes only its output (steps.${stepId}.output...)`, id);
      }
    }
  }

  // 7. The trigger: channel names, a schedule's times, and the filter's references.
  const trigger = isObj(def) && isObj(def.trigger) ? def.trigger : undefined;
  if (trigger?.type === 'schedule') for (const i of scheduleIssues(trigger)) add(i.path, i.code, i.message);
  issues.push(...respondIssues(def));
  if (trigger?.type === 'poll') for (const i of pollIssues(trigger, opts.pollSources)) add(i.path, i.code, i.message);
  if (hasChannels(trigger?.type)) {
    if (opts.channels && Array.isArray(trigger!.channels)) {
      (trigger!.channels as unknown[]).forEach((name, i) => {
        if (typeof name === 'string' && !opts.channels!.includes(name))
          add(
            `/trigger/channels/${i}`,
            'unknown_channel',
            `no installed connector provides channel "${name}" (installed: ${opts.channels!.join(', ') || 'none'})`,
          );
      });
    }
  }
  if (trigger && trigger.type !== 'webhook' && trigger.filter !== undefined) {
    for (const problem of ruleFunctionProblems(trigger.filter)) add('/trigger/filter', problem.code, problem.message);
    for (const path of ruleRefs(trigger.filter)) {
      const [root] = parsePath(path) ?? [];
      if (root !== 'trigger' && root !== 'contact')
        add('/trigger/filter', 'invalid_template', `"${path}": a trigger filter sees only trigger and contact`);
    }
  }
  if (!hasContact(trigger?.type)) {
    // Without a channel or contact trigger a wait has no contact of its own: it must name one.
    for (const [id, { node, index }] of byId)
      if (node.type === 'wait' && node.contact === undefined)
        add(
          `/nodes/${index}/contact`,
          'wait_contact',
          `wait "${id}" needs a contact (e.g. "{{ steps.save.output.id }}"): only runs started by a channel message or a contact event have one of their own`,
          id,
        );
  }
  return issues;
}

/**
 * A switch's cases: empty rules and branch names used twice (the schema checks the rest), plus every rule's data
 * function problems. Returns the rules' references, for the common template reference checks.
 */
function switchCaseIssues(
  id: string,
  cases: unknown[],
  at: string,
  add: (path: string, code: string, message: string, nodeId?: string) => void,
): Array<{ pointer: string; path: string }> {
  const refs: Array<{ pointer: string; path: string }> = [];
  const seen = new Map<string, number>();
  cases.forEach((c, j) => {
    if (!isObj(c)) return;
    const pointer = `${at}/cases/${j}`;
    const branch = caseBranch(typeof c.id === 'string' ? { id: c.id } : undefined, j);
    const earlier = seen.get(branch);
    if (earlier !== undefined)
      add(
        `${pointer}${c.id === undefined ? '' : '/id'}`,
        'duplicate_branch',
        `case ${j + 1} of switch "${id}" has branch "${branch}", like case ${earlier + 1}; give each case its own id`,
        id,
      );
    else seen.set(branch, j);
    if (!('rule' in c)) return; // the schema reports a missing rule
    const rule = c.rule;
    const empty =
      rule === null ||
      rule === '' ||
      (Array.isArray(rule) && rule.length === 0) ||
      (isObj(rule) && Object.keys(rule).length === 0);
    if (empty) {
      add(`${pointer}/rule`, 'empty_rule', `case ${j + 1} of switch "${id}" has an empty rule`, id);
      return;
    }
    for (const problem of ruleFunctionProblems(rule)) add(`${pointer}/rule`, problem.code, problem.message, id);
    refs.push(...ruleRefs(rule).map((path) => ({ pointer: `${pointer}/rule`, path })));
  });
  return refs;
}

/** Whether runs of this trigger type have a contact of their own (`contact` in templates, a wait's default). */
export function hasContact(type: unknown): boolean {
  return (
    type === 'channel.message' ||
    (CONTACT_EVENT_TYPES as readonly unknown[]).includes(type) ||
    (type !== 'run.failed' && (PLATFORM_EVENT_TYPES as readonly unknown[]).includes(type))
  );
}

/** Trigger types narrowed by `channels` (names of installed channels). */
const hasChannels = (type: unknown): boolean =>
  type === 'channel.message' || (type !== 'run.failed' && (PLATFORM_EVENT_TYPES as readonly unknown[]).includes(type));

/** ajv errors of an action input, minus those a templated value may fix at run time. */
function checkActionInput(
  schema: JsonSchema,
  input: unknown,
  at: string,
  nodeId: string,
  add: (path: string, code: string, message: string, nodeId?: string) => void,
) {
  let validate: ValidateFunction;
  try {
    validate = checkAjv.compile(schema);
  } catch (err) {
    add(at, 'action_input', `the action's input schema does not compile: ${(err as Error).message}`, nodeId);
    return;
  }
  if (validate(input)) return;
  const templated = templatedPointers(input);
  for (const e of validate.errors ?? []) {
    if (templated.some((t) => inside(e.instancePath, t))) continue;
    if (COMBINATORS.has(e.keyword) && templated.some((t) => inside(t, e.instancePath))) continue;
    add(at + pointerOf(e), 'action_input', messageOf(e, '/input'), nodeId);
  }
}

/** Every `{ "$logic": rule }` in a templated value, with its pointer. */
function logicIn(value: unknown, at: string, out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (isTemplated(value) && isObj(value)) out.push([at, value.$logic]);
  else if (Array.isArray(value)) value.forEach((v, i) => logicIn(v, `${at}/${i}`, out));
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) logicIn(v, `${at}/${escapePointer(k)}`, out);
  return out;
}

type FunctionProblem = { code: 'unknown_function' | 'function_args'; message: string };

/** json-logic treats a one-key object as an operation; everything else (arrays of such aside) is a literal. */
const isRuleCall = (v: unknown): v is Obj => isObj(v) && Object.keys(v).length === 1;
const isLiteral = (v: unknown): boolean => (Array.isArray(v) ? v.every(isLiteral) : !isRuleCall(v));

const argAjv = makeAjv(false);

/** Problems of one call of data function `name` with `args` (`known: false` where only the run knows the value). */
function callProblems(name: string, args: Array<{ known: boolean; value?: unknown }>): FunctionProblem[] {
  const fn = FUNCTIONS_BY_NAME.get(name);
  if (!fn) return [{ code: 'unknown_function', message: `"${name}" is not a function (see the functions list)` }];
  const count = arityProblem(fn, args.length);
  if (count) return [{ code: 'function_args', message: count }];
  const out: FunctionProblem[] = [];
  args.forEach((arg, i) => {
    if (!arg.known) return;
    const spec = argAt(fn, i)!;
    const label = argLabel(name, i, spec.name);
    const validate = argAjv.compile(spec.schema);
    if (!validate(arg.value)) {
      const e = validate.errors![0]!;
      out.push({
        code: 'function_args',
        message: `${label}${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`,
      });
      return;
    }
    const problem = xCheckProblem(spec.schema, arg.value);
    if (problem) out.push({ code: 'function_args', message: `${label} ${problem}` });
  });
  return out;
}

/** Unknown operators and wrong literal arguments of data functions in a json-logic rule. */
function ruleFunctionProblems(rule: unknown): FunctionProblem[] {
  const out: FunctionProblem[] = [];
  const stack: unknown[] = [rule];
  while (stack.length > 0) {
    const r = stack.pop();
    if (Array.isArray(r)) {
      stack.push(...r);
      continue;
    }
    if (!isRuleCall(r)) continue;
    const [op, raw] = Object.entries(r)[0]!;
    const args: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (!isOperator(op)) {
      out.push({
        code: 'unknown_function',
        message:
          FUNCTIONS_BY_NAME.has(op) || /^[a-z]+\.[A-Za-z0-9]+$/.test(op)
            ? `"${op}" is not a function (see the functions list)`
            : `"${op}" is not a json-logic operation or a function`,
      });
      continue;
    }
    if (FUNCTIONS_BY_NAME.has(op))
      out.push(
        ...callProblems(
          op,
          args.map((a) => (isLiteral(a) ? { known: true, value: a } : { known: false })),
        ),
      );
    stack.push(...args);
  }
  return out;
}

/** Wrong literal arguments of the data functions in a string's `{{ ... | fn: ... }}` placeholders. */
function templateFunctionProblems(s: string): FunctionProblem[] {
  if (!s.includes('{{')) return [];
  const out: FunctionProblem[] = [];
  for (const inner of placeholderTexts(s)) {
    if (!isPipeline(inner)) continue;
    const pipeline = parsePipeline(inner);
    if (typeof pipeline === 'string') continue; // templateSyntaxError reports it
    for (const call of pipelineCalls(pipeline)) out.push(...callProblems(call.name, call.args));
  }
  return out;
}
