// What the server and the worker agree on about runs: workflow names, inputs, queries and search attributes.
// Sandbox-safe: imported by workflow code.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WebhookResponse } from '../connectors/flow/respond.js';
import type {
  FlowDefinition,
  JsonObject,
  JsonValue,
  LoopIteration,
  LoopNode,
  LoopProgress,
  RunContext,
  StepError,
  StepState,
} from '../connectors/flow/types.js';
import type { ChannelEvent } from '../connectors/sdk/channel.js';
import type { CrmChange } from '../connectors/sdk/crm.js';

export const DEFAULT_TASK_QUEUE = 'confluo';

export interface RunFlowInput {
  workspaceId: string;
  flowId: string;
  /** Published version the run is pinned to; 0 for a test run of the draft. */
  version: number;
  /** The pinned definition itself, so the run never reads a later edit. */
  definition: FlowDefinition;
  /** `{ body, headers, query, receivedAt }` for webhook triggers. */
  trigger: JsonValue;
  /** ISO time the event was accepted. */
  startedAt: string;
  /** The run's contact (`contact` in templates): the sender, for runs started by a channel message. */
  contact?: JsonValue;
  /**
   * A retry of a failed run: the steps that run completed or skipped are carried over (not executed again, their
   * outputs visible to later steps) and the run goes on from where it failed.
   */
  resume?: { fromRunId: string; steps: StepState[] };
  /** How many sub-flow calls deep this run is: absent (0) for a run the server started, 1 for its child, ... */
  subflowDepth?: number;
}

/** Sub-flow calls nest at most this deep (a child of a child ...): one more fails the step with SUBFLOW_DEPTH. */
export const MAX_SUBFLOW_DEPTH = 5;

/** A sub-flow's child run id: derived from the parent run and node, so a replay or a retry of the step finds it. */
export const subflowRunId = (parentRunId: string, nodeId: string) => `${parentRunId}:sub:${nodeId}`;

/** A run's status as the API reports it (`waiting`: open, in a delay or wait node). Plain data: the schemas build on it. */
export const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunFlowResult {
  status: 'completed' | 'failed';
  /** The step that failed the run, when it failed. */
  failedStep?: string;
  steps: StepState[];
}

/** Every node's state, in definition order. Works on running and closed runs. */
export const stepsQuery = defineQuery<StepState[]>('steps');

/**
 * A webhook caller's wait for the run's answer (a respond node, README.md "Respond"): sent with the run's start
 * (update-with-start) or, for a repeated delivery, to the open run. `deliveryId` is random per HTTP request; the start
 * that created the run put its own in the memo (`deliveryId`), so the run knows which delivery started it.
 */
export interface RespondRequest {
  deliveryId: string;
  /** The request's hash (Idempotency-Key deliveries): another request's hash with the same key is refused. */
  requestHash?: string;
}
/** The update's result: the answer once a respond node gave one; none when the run ended without one. */
export interface RespondAnswer {
  response?: WebhookResponse;
  /** The delivery asking is the one that started the run (false: a repeat, `Idempotent-Replayed`). */
  started: boolean;
}
export const respondUpdate = defineUpdate<RespondAnswer, [RespondRequest]>('respond');
/** The failure type of a respond update refused because its Idempotency-Key came with another request. */
export const IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

/** Custom search attributes: registered by the dev-server launcher and at boot against a cluster. */
export const SA_WORKSPACE = defineSearchAttributeKey('ConfluoWorkspaceId', SearchAttributeType.KEYWORD);
export const SA_FLOW = defineSearchAttributeKey('ConfluoFlowId', SearchAttributeType.KEYWORD);
export const SA_VERSION = defineSearchAttributeKey('ConfluoFlowVersion', SearchAttributeType.INT);
/** `running` or `waiting` (in a delay or wait node) while open. */
export const SA_PHASE = defineSearchAttributeKey('ConfluoPhase', SearchAttributeType.KEYWORD);

/**
 * The run's own contact (`RunFlowInput.contact.id`: channel-message and contact-event runs), so a contact's runs can be
 * listed. Set at start only: runs started before it existed, and webhook runs, have none.
 */
export const SA_CONTACT = defineSearchAttributeKey('ConfluoContactId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [SA_WORKSPACE, SA_FLOW, SA_VERSION, SA_PHASE, SA_CONTACT] as const;

/** The id of a run's contact (the `contact` of its input), when it has one. */
export function runContactId(contact: JsonValue | undefined): string | undefined {
  if (contact === null || typeof contact !== 'object' || Array.isArray(contact)) return undefined;
  const id = contact.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The search attributes a run starts with (so it is listable from its first moment, by its contact too). */
export const runSearchAttributes = (run: {
  workspaceId: string;
  flowId: string;
  version: number;
  contact?: JsonValue;
}) => {
  const contactId = runContactId(run.contact);
  return [
    { key: SA_WORKSPACE, value: run.workspaceId },
    { key: SA_FLOW, value: run.flowId },
    { key: SA_VERSION, value: run.version },
    { key: SA_PHASE, value: 'running' },
    ...(contactId !== undefined ? [{ key: SA_CONTACT, value: contactId }] : []),
  ];
};

/** Workflow ids are run ids. A webhook with an Idempotency-Key maps to a deterministic id so a repeat finds it. */
export const RUN_ID_PREFIX = 'run_';

/** The failure type of a run that a step failed; its first detail is a `RunFailedDetails`. */
export const STEP_FAILED = 'STEP_FAILED';
export interface RunFailedDetails {
  failedStep: string;
}

/** Step failure types no retry can fix (executeStep also throws them as non-retryable). */
export const NON_RETRYABLE_STEP_CODES = ['UNKNOWN_ACTION', 'INPUT_INVALID', 'OUTPUT_TOO_LARGE'];

/**
 * An action attempt may run for its node's `timeout`; the activity's start-to-close timeout adds this margin so the
 * activity itself aborts the action at the node's limit and reports a STEP_TIMEOUT failure with the attempt number.
 */
export const STEP_TIMEOUT_MARGIN_MS = 5_000;

/** What the gateway (or a polling channel) hands to `ingest`: one normalized event on one account. */
export interface IngestInput {
  workspaceId: string;
  accountId: string;
  /** The account's connector id. */
  connector: string;
  /** The channel name (`sms`, `whatsapp`, ...). */
  channel: string;
  event: ChannelEvent;
  /** ISO time Confluo accepted it. */
  receivedAt: string;
}

export interface IngestResult {
  kind: 'message' | 'status';
  /** Already recorded by an earlier delivery: nothing was done. */
  duplicate?: boolean;
  messageId?: string;
  contactId?: string;
  /** Runs started (ids) and runs woken (ids). */
  started?: string[];
  woken?: string[];
  /** A status about a message Confluo does not know (sent from elsewhere). */
  unmatched?: boolean;
}

/** Workflow ids of ingests: `ing_` + a hash of account and dedupe key, so a redelivery finds the first one. */
export const INGEST_ID_PREFIX = 'ing_';

/** Sent to a run waiting for the contact's reply: the message as a channel-triggered run sees its trigger. */
export interface ReplySignal {
  contactId: string;
  message: JsonValue;
  /** The contact as it is now (the reply may have added a name or an identity): the run's `contact` from then on. */
  contact?: JsonValue;
}
export const replySignal = defineSignal<[ReplySignal]>('reply');

/** Workflow ids of polling loops: one per polling account. */
export const POLL_ID_PREFIX = 'poll_';

/** A change a CRM reported on one of its accounts (a webhook event): `crmChange` pulls the record into the contacts. */
export interface CrmChangeInput {
  workspaceId: string;
  accountId: string;
  /** The account's connector id (`hubspot`, `pipedrive`). */
  connector: string;
  change: CrmChange;
  /** ISO time Confluo accepted it. */
  receivedAt: string;
}

export interface CrmChangeResult {
  /** `skipped`: nothing to pull (a deletion, or a record the CRM no longer has). */
  outcome: 'created' | 'updated' | 'skipped';
  contactId?: string;
  reason?: string;
}

export const CRM_CHANGE_ID_PREFIX = 'crm_';

/** Workflow ids of CRM sync loops: one per CRM account (`crmsync_<accountId>`). */
export const CRM_SYNC_ID_PREFIX = 'crmsync_';

/** The step failure type telling runFlow to sleep (durably, without using up attempts) and run the step again. */
export const RATE_LIMIT_WAIT = 'RATE_LIMIT_WAIT';

/** An agent's message to a contact, sent on the channel they last used (workflow id = `id`, `snd_…`). */
export interface SendMessageInput {
  id: string;
  workspaceId: string;
  contactId: string;
  text: string;
  subject?: string;
  html?: string;
}

/** What a `sendMessage` returns once the reply went out: the send action's output and the attempt that sent it. */
export interface SendMessageResult {
  output: JsonValue;
  /** The attempt that succeeded, 1-based. */
  attempt: number;
}

/**
 * One action node run once on its own ("test step", README.md "Testing one step"): `testStep` calls executeStep with
 * the already resolved input, one attempt, within `timeoutMs`, and reports the outcome instead of failing.
 */
export interface TestStepInput {
  /** The test's workflow id: TEST_STEP_ID_PREFIX + a random id. */
  id: string;
  workspaceId: string;
  flowId: string;
  nodeId: string;
  action: string;
  input: JsonObject;
  connection?: string;
  /** The action's limit (its node's timeout, capped by the server). */
  timeoutMs: number;
}
export type TestStepResult = { output: JsonValue } | { error: StepError };

/** Workflow ids of step tests: `tst_` + a random id (each test is its own, so its sends are not deduped away). */
export const TEST_STEP_ID_PREFIX = 'tst_';

/** A loop node's child workflow id: derived from the run and node, so a replay or a retry of the step finds it. */
export const loopRunId = (parentRunId: string, nodeId: string) => `${parentRunId}:loop:${nodeId}`;

/** A loop's child runs at most this many items before it continues as new (sooner when Temporal suggests it). */
export const LOOP_ITEMS_PER_RUN = 500;

/** What a loop's child workflow (`runLoop`) carries from one history to the next when it continues as new. */
export interface RunLoopCarry {
  /** Items started so far: every one before it has finished. */
  next: number;
  /** Results so far, by item index. */
  results: JsonValue[];
  failed: number;
  iterations: LoopIteration[];
  resultBytes: number;
}

/** The input of `runLoop`: the loop, its body as a definition of its own, and the run context the items see. */
export interface RunLoopInput {
  workspaceId: string;
  flowId: string;
  /** The parent run's id (its actions' requests carry it). */
  runId: string;
  loop: LoopNode;
  body: FlowDefinition;
  /** The parent's run context when the loop started (without `loop`). */
  context: RunContext;
  /** The workflow clock when the parent resolved `items`: the child resolves them again, to the same array. */
  now: number;
  carry?: RunLoopCarry;
}

export interface RunLoopResult {
  results: JsonValue[];
  failed: number;
  progress: LoopProgress;
}

/** A loop's progress and latest iterations, from its child workflow (the run view asks while the loop runs). */
export const loopProgressQuery = defineQuery<LoopProgress>('loopProgress');

/** The failure type of a loop an item failed (onError `fail`); its first detail is the loop's `LoopProgress`. */
export const LOOP_ITEM_FAILED = 'LOOP_ITEM_FAILED';
