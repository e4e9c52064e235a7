// ingest: one inbound channel event, made durable by the gateway (its workflow id is the event's dedupe key). A
// message is recorded in the sender's conversation; runs waiting for the sender's reply are woken; every published
// flow whose channel.message trigger matches gets one run (its id derived from flow, version and this ingest, so
// nothing can start it twice). A flow one of whose runs this message woke gets no new run: the reply continues the
// conversation that run is having. A status updates the message it is about.
import {
  ActivityFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  getExternalWorkflowHandle,
  proxyActivities,
  startChild,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { evaluateRule, truthy } from '../../connectors/flow/runtime.js';
import type { TriggerDef } from '../../connectors/flow/types.js';
import type { IngestActivities } from '../ingest-activities.js';
import { replySignal, runSearchAttributes, type IngestInput, type IngestResult } from '../contract.js';
import { runFlow } from './run-flow.js';

const acts = proxyActivities<IngestActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});
// A status can arrive before the send that caused it is written: a few tries, then it is about a message we never sent.
const statusActs = proxyActivities<IngestActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 4 },
});

export async function ingest(input: IngestInput): Promise<IngestResult> {
  if (input.event.type === 'message.status') {
    try {
      await statusActs.recordStatus(input);
      return { kind: 'status' };
    } catch (err) {
      if (err instanceof ActivityFailure) return { kind: 'status', unmatched: true };
      throw err;
    }
  }

  const rec = await acts.recordInbound(input);
  if (rec.duplicate) return { kind: 'message', duplicate: true, messageId: rec.messageId, contactId: rec.contactId };

  const woken: string[] = [];
  const wokenFlows = new Set<string>();
  for (const w of rec.waits) {
    try {
      await getExternalWorkflowHandle(w.runId).signal(replySignal, {
        contactId: rec.contactId,
        message: rec.trigger,
        contact: rec.contact,
      });
      woken.push(w.runId);
      wokenFlows.add(w.flowId);
    } catch (err) {
      // The run ended since it registered (timed out, cancelled): nothing to wake.
      log.info('waiting run is gone', { runId: w.runId, error: (err as Error).message });
    }
  }

  const matches = await acts.matchFlows({ ...input, ingestId: workflowInfo().workflowId });
  const started: string[] = [];
  for (const m of matches) {
    if (wokenFlows.has(m.flowId)) continue;
    if (!passesFilter(m.definition.trigger, { trigger: rec.trigger, contact: rec.contact }, m.flowId)) continue;
    try {
      await startChild(runFlow, {
        workflowId: m.runId,
        args: [
          {
            workspaceId: input.workspaceId,
            flowId: m.flowId,
            version: m.version,
            definition: m.definition,
            trigger: rec.trigger,
            contact: rec.contact,
            startedAt: input.receivedAt,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: runSearchAttributes({
          workspaceId: input.workspaceId,
          flowId: m.flowId,
          version: m.version,
          contact: rec.contact,
        }),
      });
      started.push(m.runId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return { kind: 'message', messageId: rec.messageId, contactId: rec.contactId, started, woken };
}

/** A filter that throws (a rule json-logic cannot evaluate) matches nothing: better no run than a stuck ingest. */
function passesFilter(trigger: TriggerDef, data: object, flowId: string): boolean {
  if (trigger.type !== 'channel.message' || trigger.filter === undefined) return true;
  try {
    return truthy(evaluateRule(trigger.filter, data, { now: Date.now() })); // the workflow's deterministic clock
  } catch (err) {
    log.warn('trigger filter failed; no run started', { flowId, error: (err as Error).message });
    return false;
  }
}
