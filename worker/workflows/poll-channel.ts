// pollChannel: the inbound side of a polling channel (IMAP), one loop per account (workflow id `poll_<accountId>`):
// poll, hand each new event to its own `ingest` (ids from the dedupe keys, so a message seen twice is ingested once),
// then save the cursor (after the ingests exist: a crash in between polls the same messages again, deduped), sleep. Ends when the account is deleted; continues as new now and then to keep its history short.
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  continueAsNew,
  proxyActivities,
  sleep,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { IngestActivities } from '../ingest-activities.js';
import { ingest } from './ingest.js';

const { pollAccount, saveCursor } = proxyActivities<IngestActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
});

const POLLS_PER_RUN = 200;

export async function pollChannel(input: { accountId: string }): Promise<void> {
  for (let i = 0; i < POLLS_PER_RUN; i++) {
    const outcome = await pollAccount({ accountId: input.accountId });
    if (outcome.gone) return;
    for (const e of outcome.events) {
      try {
        await startChild(ingest, {
          workflowId: e.workflowId,
          args: [e.input],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    if (outcome.cursor !== undefined) await saveCursor({ accountId: input.accountId, cursor: outcome.cursor });
    await sleep(outcome.intervalMs);
  }
  await continueAsNew<typeof pollChannel>(input);
}
