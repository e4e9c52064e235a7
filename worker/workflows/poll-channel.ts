// pollChannel: the inbound side of a polling channel (IMAP), one loop per account (workflow id `poll_<accountId>`):
// poll, hand each new event to its own `ingest` (ids from the dedupe keys, so a message seen twice is ingested once),
// then save the cursor (after the ingests exist: a crash in between polls the same messages again, deduped), sleep
// what is left of the interval. Ends when the account is deleted; continues as new now and then to keep its history
// short.
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  continueAsNew,
  proxyLocalActivities,
  sleep,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { IngestActivities, PollOutcome } from '../ingest-activities.js';
import { ingest } from './ingest.js';

// Local activities: they run in the worker that runs this loop instead of waiting in the shared activity task queue
// behind every ingest and run step (where a backlog of deliveries held polls back for tens of seconds).
const { pollAccount, saveCursor } = proxyLocalActivities<IngestActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
});

const POLLS_PER_RUN = 200;

export async function pollChannel(input: { accountId: string }): Promise<void> {
  for (let i = 0; i < POLLS_PER_RUN; i++) {
    // Workflow time (deterministic): the cadence is poll start to poll start, so a slow poll or a busy task queue
    // does not add to the interval (measured: PT2S polled every ~27 s under an ingest backlog).
    const startedAt = Date.now();
    const outcome = await pollAccount({ accountId: input.accountId });
    if (outcome.gone) return;
    // All of a poll's ingests start in one workflow task: awaited one by one, each start would be its own workflow
    // task round trip, queued behind whatever else the task queue holds.
    await Promise.all(outcome.events.map((e) => startIngest(e)));
    if (outcome.cursor !== undefined) await saveCursor({ accountId: input.accountId, cursor: outcome.cursor });
    const left = outcome.intervalMs - (Date.now() - startedAt);
    if (left > 0) await sleep(left);
  }
  await continueAsNew<typeof pollChannel>(input);
}

async function startIngest(e: PollOutcome['events'][number]): Promise<void> {
  try {
    await startChild(ingest, {
      workflowId: e.workflowId,
      args: [e.input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    // Already ingested (a poll that crashed before saving its cursor saw it too).
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
