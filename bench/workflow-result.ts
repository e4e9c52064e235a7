// A run's result, for benchmarks that start runs through a webhook: the webhook answers once the event is durable in
// PostgreSQL (the inbound outbox) and the server's relay starts the workflow a moment later, so the handle may not
// exist yet when the answer arrives.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** The workflow's result, waiting (up to `startWithinMs`) for the relay to start it. */
export async function workflowResult(client: Client, workflowId: string, startWithinMs = 120_000): Promise<unknown> {
  const deadline = Date.now() + startWithinMs;
  for (;;) {
    try {
      return await client.workflow.getHandle(workflowId).result();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
