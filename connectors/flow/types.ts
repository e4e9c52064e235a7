// The flow definition, version 1 (README.md "The flow definition"): its types and three plain constants (`BRANCHES`,
// `TRIGGER_ID`, `CONTACT_EVENT_TYPES`). No imports: safe in the workflow sandbox and the browser, which imports it too.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A json-logic rule (https://jsonlogic.com). */
export type JsonLogicRule = JsonValue;

export interface WebhookTrigger {
  type: 'webhook';
  /** A sample event (`{ body, headers, query }`) for the editor's data picker and test runs. */
  sample?: JsonValue;
}
/** Starts a run for every inbound message on the matching channels/accounts (once per flow version and message). */
export interface ChannelMessageTrigger {
  type: 'channel.message';
  /** Channel names (`sms`, `whatsapp`, ...); absent: every channel. */
  channels?: string[];
  /** Channel account ids; absent: every account. */
  accounts?: string[];
  /** A json-logic rule over the run context (`trigger`, `contact`): the run starts only when it is truthy. */
  filter?: JsonLogicRule;
  /** A sample event for the editor's data picker and test runs. */
  sample?: JsonValue;
}
/** The platform's contact events a flow can start on (README.md "Contact events"). */
export const CONTACT_EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.merged',
  'contact.unmerged',
  'identity.added',
] as const;
export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

/**
 * Starts a run for every contact event of its type that happens after the version was published (once per flow and
 * event). The run's contact is the event's contact. A change made by a run of this same flow does not start it again.
 */
export interface ContactEventTrigger {
  type: ContactEventType;
  /** contact.updated only: start only when one of these changed (`name`, `attributes.<key>`, `tags`); absent: any. */
  fields?: string[];
  /** identity.added only: start only for these identity kinds (`email`, `phone`, ...); absent: any. */
  kinds?: string[];
  /** A json-logic rule over the run context (`trigger`, `contact`): the run starts only when it is truthy. */
  filter?: JsonLogicRule;
  /** A sample event for the editor's data picker and test runs. */
  sample?: JsonValue;
}
export type TriggerDef = WebhookTrigger | ChannelMessageTrigger | ContactEventTrigger;

export interface NodeBase {
  id: string;
  name?: string;
  position?: { x: number; y: number };
}

export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. Default 5. */
  maxAttempts?: number;
  /** ISO-8601 duration, default PT1S. */
  initialInterval?: string;
  /** Default 2. */
  backoffCoefficient?: number;
  /** ISO-8601 duration, default PT1M. */
  maximumInterval?: string;
}

export interface ActionNode extends NodeBase {
  type: 'action';
  /** `<connector>.<action>`, e.g. `http.request`. */
  action: string;
  /** Id of a stored connection (credentials); unused by built-in connectors. */
  connection?: string;
  /** Templated input: `{{ path }}` strings and `{ "$logic": rule }` values anywhere inside. */
  input?: JsonObject;
  retry?: RetryPolicy;
  /** ISO-8601 duration: the limit of one attempt. Default PT30S. */
  timeout?: string;
  /** `fail` (default) ends the run as failed; `continue` records the error and goes on. */
  onError?: 'fail' | 'continue';
}

export interface ConditionNode extends NodeBase {
  type: 'condition';
  rule: JsonLogicRule;
}

export interface DelayNode extends NodeBase {
  type: 'delay';
  /** ISO-8601 duration, e.g. PT2S, P1D. */
  duration: string;
}

export interface SetNode extends NodeBase {
  type: 'set';
  /** Templated values; the step's output is the resolved object. */
  values: JsonObject;
}

/**
 * Waits for the next inbound message from the run's contact, on any channel, or for the timeout. Branches `received`
 * (output: the message) and `timeout`.
 */
export interface WaitNode extends NodeBase {
  type: 'wait';
  for: 'reply';
  /** ISO-8601 duration, e.g. P1D. */
  timeout: string;
  /** Whose reply: a template resolving to a contact id. Default: the run's contact (`{{ contact.id }}`). */
  contact?: string;
}

export type FlowNode = ActionNode | ConditionNode | DelayNode | SetNode | WaitNode;
export type NodeType = FlowNode['type'];

export interface FlowEdge {
  /** A node id, or `trigger`. */
  from: string;
  to: string;
  /** Required on edges leaving a condition (`true`/`false`) or a wait (`received`/`timeout`). */
  branch?: string;
}

export interface FlowDefinition {
  schemaVersion: 1;
  trigger: TriggerDef;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** The branches each branching node type has. */
export const BRANCHES: Partial<Record<NodeType, readonly string[]>> = {
  condition: ['true', 'false'],
  wait: ['received', 'timeout'],
};

/** The id edges use for the trigger. */
export const TRIGGER_ID = 'trigger';

/** One problem found in a definition. `path` is a JSON Pointer into the definition (e.g. `/nodes/2/input/email`). */
export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
  /** The node the issue is about, when there is one (lets the editor put it on the canvas). */
  nodeId?: string;
}

export type StepStatus = 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'skipped';

export interface StepError {
  message: string;
  /** Machine-readable code, e.g. INPUT_INVALID, OUTPUT_TOO_LARGE, HTTP_404, or a connector error kind. */
  code?: string;
  retryable?: boolean;
}

/** What a run knows about one node. */
export interface StepState {
  nodeId: string;
  type: NodeType;
  status: StepStatus;
  /** Resolved input (actions), resolved values (set), evaluated rule (condition). */
  input?: JsonValue;
  output?: JsonValue;
  error?: StepError;
  attempts?: number;
  /** Branch taken by a condition (`true`/`false`) or a wait (`received`/`timeout`). */
  branch?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Set when a retried run carried this step over from the run it retries (not executed again). */
  reusedFrom?: string;
}

/** The context rules and templates see. */
export interface RunContext {
  trigger: JsonValue;
  steps: Record<string, { output: JsonValue }>;
  run: { id: string; flowId: string; version: number; startedAt: string };
  contact: JsonValue;
}

/** What to do next, from `planNext`. */
export interface Plan {
  /** Nodes whose inputs are all decided and at least one incoming edge was taken, in definition order. */
  ready: FlowNode[];
  /** Nodes none of whose incoming edges can be taken any more (dead path): mark them skipped. */
  skip: string[];
  /** True when nothing is ready, running or still pending on a live path. */
  done: boolean;
}
