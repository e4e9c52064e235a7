// What the server and the worker agree on about runs: workflow names, inputs, queries and search attributes.
// Sandbox-safe: imported by workflow code.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { FlowDefinition, JsonValue, StepState } from '../connectors/flow/types.js';

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
  /**
   * A retry of a failed run: the steps that run completed or skipped are carried over (not executed again, their
   * outputs visible to later steps) and the run goes on from where it failed.
   */
  resume?: { fromRunId: string; steps: StepState[] };
}

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';

export interface RunFlowResult {
  status: 'completed' | 'failed';
  /** The step that failed the run, when it failed. */
  failedStep?: string;
  steps: StepState[];
}

/** Every node's state, in definition order. Works on running and closed runs. */
export const stepsQuery = defineQuery<StepState[]>('steps');

/** Custom search attributes: registered by the dev-server launcher and at boot against a cluster. */
export const SA_WORKSPACE = defineSearchAttributeKey('ConfluoWorkspaceId', SearchAttributeType.KEYWORD);
export const SA_FLOW = defineSearchAttributeKey('ConfluoFlowId', SearchAttributeType.KEYWORD);
export const SA_VERSION = defineSearchAttributeKey('ConfluoFlowVersion', SearchAttributeType.INT);
/** `running` or `waiting` (in a delay or wait node) while open. */
export const SA_PHASE = defineSearchAttributeKey('ConfluoPhase', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [SA_WORKSPACE, SA_FLOW, SA_VERSION, SA_PHASE] as const;

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
