// The run's side of a synchronous webhook answer (README.md "Respond"): the `respond` update a waiting HTTP caller
// sends (with the run's start, or later for a repeated delivery) waits until the run's first respond node has given its
// response, or the run has ended without one. Workflow code: deterministic, imports only the workflow SDK, the
// contract and the sandbox-safe flow runtime.
import { ApplicationFailure, allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { HandlerUnfinishedPolicy } from '@temporalio/common';
import type { RespondOutput, WebhookResponse } from '../../connectors/flow/respond.js';
import { IDEMPOTENCY_KEY_REUSED, respondUpdate } from '../contract.js';

export interface Responder {
  /** Gives the run's answer, if it has none yet; the step's output says whether this one was sent. */
  send(nodeId: string, response: WebhookResponse): RespondOutput;
  /** The run is ending: callers still waiting get "no answer" (the webhook then says 202 with the run id). */
  close(): Promise<void>;
}

/** Registers the `respond` update handler; call before the run's first await, so the start's own update finds it. */
export function createResponder(): Responder {
  const memo = workflowInfo().memo ?? {};
  // Only a run the webhook started with a respond node in its version has a caller (memo.deliveryId): test runs,
  // sub-flow children and retries have none, and their respond steps say so.
  const hasCaller = typeof memo.deliveryId === 'string';
  let answer: { nodeId: string; response: WebhookResponse } | undefined;
  let ended = false;

  setHandler(
    respondUpdate,
    async (req) => {
      await condition(() => answer !== undefined || ended);
      return { ...(answer && { response: answer.response }), started: req.deliveryId === memo.deliveryId };
    },
    {
      // Like the plain start's check (worker/client.ts): a key used again with another request is refused, not
      // answered with the first request's response. A refused update leaves no trace in the run's history.
      validator: (req) => {
        if (typeof memo.requestHash === 'string' && req.requestHash !== memo.requestHash)
          throw ApplicationFailure.nonRetryable(
            'this Idempotency-Key was already used with a different request; use a new key for a new request',
            IDEMPOTENCY_KEY_REUSED,
          );
      },
      // A cancelled or terminated run leaves its callers to the webhook's timeout (202): nothing to warn about.
      unfinishedPolicy: HandlerUnfinishedPolicy.ABANDON,
    },
  );

  return {
    send(nodeId, response) {
      if (answer)
        return { ...response, sent: false, reason: `the run already answered with respond "${answer.nodeId}"` };
      if (!hasCaller)
        return { ...response, sent: false, reason: 'no HTTP caller waits on this run (a test, a retry or a sub-flow)' };
      answer = { nodeId, response };
      return { ...response, sent: true };
    },
    async close() {
      ended = true;
      await condition(allHandlersFinished);
    },
  };
}
