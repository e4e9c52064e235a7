// The flow definition, version 1 (README.md "The flow definition"): its types and a few plain constants (`BRANCHES`,
// `TRIGGER_ID`, `CONTACT_EVENT_TYPES`, `SCHEDULE_OVERLAPS`). No imports: safe in the workflow sandbox and the browser,
// which imports it too.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A json-logic rule (https://jsonlogic.com). */
export type JsonLogicRule = JsonValue;

export interface WebhookTrigger {
  type: 'webhook';
  /** A sample event (`{ body, headers, query }`) for the editor's data picker and test runs. */
  sample?: JsonValue;
  /** With a respond node: how long the caller is held for its answer (ISO-8601, PT1S–PT30S, default PT10S). */
  respond?: { timeout?: string };
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
/** How a schedule treats a tick that comes while the previous scheduled run is still open (Temporal's overlap policy). */
export const SCHEDULE_OVERLAPS = ['skip', 'buffer_one', 'allow_all'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAPS)[number];

/**
 * Starts a run at the times of a cron expression (or several) or every fixed interval, on the wall clock of `timezone`
 * (README.md "Schedules"). Exactly one of `cron` and `every`. Backed by a Temporal Schedule kept with the flow's
 * published version.
 */
export interface ScheduleTrigger {
  type: 'schedule';
  /** Five-field cron (`minute hour day-of-month month day-of-week`) or `@daily`-style shorthands; several fire on any. */
  cron?: string | string[];
  /** An ISO-8601 duration of at least PT1M, e.g. PT15M: fixed intervals counted from the Unix epoch. */
  every?: string;
  /** IANA time zone the cron is read in. Default `UTC`. */
  timezone?: string;
  /** A tick while the previous run is still open: `skip` it (default), keep one `buffer_one`, or `allow_all`. */
  overlap?: ScheduleOverlap;
  /** A sample event for the editor's data picker and test runs. */
  sample?: JsonValue;
}
/**
 * Events of the inbox and of runs a flow can start on (README.md "Platform events"), beside the contact events: the
 * same outbox and relay, once per flow and event.
 */
export const PLATFORM_EVENT_TYPES = [
  'conversation.opened',
  'conversation.closed',
  'message.failed',
  'run.failed',
] as const;
export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];

/** A conversation opened (created, or reopened by a message or a person) or closed; its contact is the run's. */
export interface ConversationEventTrigger {
  type: 'conversation.opened' | 'conversation.closed';
  /** Start only when the conversation's channel (its latest message's) is one of these; absent: any. */
  channels?: string[];
  /** A json-logic rule over the run context (`trigger`, `contact`): the run starts only when it is truthy. */
  filter?: JsonLogicRule;
  sample?: JsonValue;
}
/** An outbound message failed (the provider refused it, or a delivery status said so), once per message. */
export interface MessageFailedTrigger {
  type: 'message.failed';
  /** Channel names; absent: every channel. */
  channels?: string[];
  filter?: JsonLogicRule;
  sample?: JsonValue;
}
/** A run of the workspace failed (not one started by a run.failed event itself: no cascade). */
export interface RunFailedTrigger {
  type: 'run.failed';
  /** Start only for failed runs of these flows (ids); absent: any flow but this one. */
  flows?: string[];
  filter?: JsonLogicRule;
  sample?: JsonValue;
}
export type PlatformEventTrigger = ConversationEventTrigger | MessageFailedTrigger | RunFailedTrigger;
/**
 * Polls a source on an interval and starts one run per new item, once per item key (README.md "Poll triggers"):
 * a connector's poll trigger (`<connector>.<trigger>`, e.g. `hubspot.newDeal`) or the generic `http.poll`. The run's
 * `trigger` is `{ type: 'poll', source, key, item, polledAt }`.
 */
export interface PollTrigger {
  type: 'poll';
  /** The poll trigger's full id, e.g. `http.poll`. */
  source: string;
  /** Id of a stored connection (credentials) for sources that take one. */
  connection?: string;
  /** The source's settings (plain JSON, no templates), checked against its input schema at publish. */
  input?: JsonObject;
  /** ISO-8601 duration of at least PT1M between polls, e.g. PT5M. */
  every: string;
  /** The first poll: `baseline` (default) records what is there and starts no run; `run` starts one per item. */
  firstPoll?: 'baseline' | 'run';
  /** A sample event for the editor's data picker and test runs. */
  sample?: JsonValue;
}
export type TriggerDef =
  WebhookTrigger | ChannelMessageTrigger | ContactEventTrigger | PlatformEventTrigger | ScheduleTrigger | PollTrigger;

/**
 * Where branches meet: `all` (default) starts the node once every incoming edge is decided and at least one was
 * taken; `first` starts it as soon as one incoming edge is taken (edges taken later are ignored). Either way a node
 * all of whose incoming edges are dead is skipped, and a node runs at most once.
 */
export type JoinMode = 'all' | 'first';

export interface NodeBase {
  id: string;
  name?: string;
  position?: { x: number; y: number };
  /** How the node waits for its incoming edges; default `all`. */
  join?: JoinMode;
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
  /**
   * Without an `error` edge: `fail` (default) ends the run as failed; `continue` records the error and goes on. An
   * edge with branch `error` from this node takes precedence: a failure for good (after retries) follows it.
   */
  onError?: 'fail' | 'continue';
  /**
   * An output kept from a "Test step" (README.md "Testing one step"): what the editor's data picker offers as
   * `steps.<id>.output.…` and a step test from samples sees. Ignored by runs.
   */
  sample?: JsonValue;
}

export interface ConditionNode extends NodeBase {
  type: 'condition';
  rule: JsonLogicRule;
}

/** One case of a switch: its branch is `id`, or `case<index>` (0-based) when it has none. */
export interface SwitchCase {
  id?: string;
  name?: string;
  rule: JsonLogicRule;
}

/** Ordered cases: the first whose rule is truthy gives the branch; none truthy: branch `default`. */
export interface SwitchNode extends NodeBase {
  type: 'switch';
  cases: SwitchCase[];
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

/**
 * Runs another published flow of the workspace as a child run and waits for it (README.md "Sub-flows"). The child's
 * `trigger` is `{ type: 'subflow', parent: { runId, flowId, nodeId }, input }`; the step's output is
 * `{ runId, version, steps: { <nodeId>: output } }` of the child's completed steps. A failed child fails the step
 * (its `error` branch or `onError` apply, as for an action).
 */
export interface SubflowNode extends NodeBase {
  type: 'subflow';
  /** The called flow's id (same workspace). */
  flow: string;
  /** A published version; absent: the latest published one when the run reaches the node. */
  version?: number;
  /** Templated, like an action's input: the child's `trigger.input`. */
  input?: JsonObject;
  /** ISO-8601 duration: the child run's limit. Default: none (the child may wait as long as it waits). */
  timeout?: string;
  /** As an action's: without an `error` edge, `fail` (default) ends the run as failed; `continue` goes on. */
  onError?: 'fail' | 'continue';
}

/**
 * Runs its body (the nodes reached from its `item` edge) once per item of `items`, at most `concurrency` at a time,
 * then takes its `done` edge (README.md "Loops"). The body sees `loop.item` and `loop.index`; the step's output is
 * `{ results, failed }`, an item's result being its body's last step output (or `{ error }`, see `onError`).
 */
export interface LoopNode extends NodeBase {
  type: 'loop';
  /** A template or `{ "$logic": rule }` that must give an array (or a literal array). */
  items: JsonValue;
  /** Items run at the same time, 1 (default) to 50. */
  concurrency?: number;
  /** More items than this fail the step (LOOP_TOO_MANY_ITEMS). Default 1,000, at most 10,000. */
  maxItems?: number;
  /** An item whose body fails: `fail` (default) fails the loop; `continue` records `{ error }` and goes on. */
  onError?: 'fail' | 'continue';
}

/**
 * Answers the HTTP caller waiting on a webhook flow's run (README.md "Respond"): the webhook then answers with this
 * status, headers and body instead of 202. The first respond reached is the run's answer; a later one records that it
 * was not sent. Only in webhook flows.
 */
export interface RespondNode extends NodeBase {
  type: 'respond';
  /** 200–599; default 200. */
  status?: number;
  /** Header values are templated strings (`{{ path }}`). */
  headers?: Record<string, string>;
  /** Templated JSON: a string is sent as text, anything else as JSON. Absent: an empty body. */
  body?: JsonValue;
}

export type FlowNode =
  ActionNode | ConditionNode | SwitchNode | DelayNode | SetNode | WaitNode | SubflowNode | LoopNode | RespondNode;
export type NodeType = FlowNode['type'];

export interface FlowEdge {
  /** A node id, or `trigger`. */
  from: string;
  to: string;
  /**
   * Required on edges leaving a condition (`true`/`false`), a wait (`received`/`timeout`) or a switch (its cases'
   * branches, `default`); `error` on an edge leaving an action is its error branch.
   */
  branch?: string;
}

export interface FlowDefinition {
  schemaVersion: 1;
  trigger: TriggerDef;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** The branches each branching node type has (a switch's depend on its cases: see branches.ts). */
export const BRANCHES: Partial<Record<NodeType, readonly string[]>> = {
  condition: ['true', 'false'],
  wait: ['received', 'timeout'],
  loop: ['item', 'done'],
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
  /** Branch taken by a condition (`true`/`false`), a wait (`received`/`timeout`), a switch, or `error` (action, sub-flow). */
  branch?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Set when a retried run carried this step over from the run it retries (not executed again). */
  reusedFrom?: string;
  /** A sub-flow step's child run id (`GET /api/runs/<childRunId>`), from the moment it is started. */
  childRunId?: string;
  /** A loop step's progress and its latest iterations. */
  loop?: LoopProgress;
}

/** One run of a loop's body: its item's index and the body's steps. */
export interface LoopIteration {
  index: number;
  status: 'running' | 'completed' | 'failed';
  steps: StepState[];
}

/** How far a loop is: items in all, finished, failed, and a few iterations (the latest, and the first failures). */
export interface LoopProgress {
  total: number;
  completed: number;
  failed: number;
  iterations?: LoopIteration[];
}

/** The context rules and templates see. */
export interface RunContext {
  trigger: JsonValue;
  steps: Record<string, { output: JsonValue }>;
  run: { id: string; flowId: string; version: number; startedAt: string };
  contact: JsonValue;
  /** Inside a loop's body: the item and its 0-based index. */
  loop?: { item: JsonValue; index: number };
}

/** What to do next, from `planNext`. */
export interface Plan {
  /** Nodes whose join is met (see `JoinMode`), in definition order. */
  ready: FlowNode[];
  /** Nodes none of whose incoming edges can be taken any more (dead path): mark them skipped. */
  skip: string[];
  /** True when nothing is ready, running or still pending on a live path. */
  done: boolean;
}
