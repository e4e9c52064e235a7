// How a step's error reaches Temporal: one ApplicationFailure per error, retryable or not as the connector said, with
// the attempt number in its details. Shared by executeStep and the other activities (crmChange).
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue, ValidationIssue } from '../connectors/flow/types.js';
import { isConnectorError } from '../connectors/sdk/index.js';

/** What every failure of executeStep carries as its first detail. */
export interface StepFailureDetails {
  attempt: number;
  kind?: string;
  code?: string;
  issues?: ValidationIssue[];
  details?: JsonValue;
}

/** A connector's error (or any other) as an ApplicationFailure carrying the attempt number. */
export function toFailure(err: unknown, attempt: number): ApplicationFailure {
  if (isConnectorError(err)) {
    const type = err.code ?? err.kind;
    const details: StepFailureDetails = {
      attempt,
      kind: err.kind,
      code: type,
      ...(err.details !== undefined && { details: err.details }),
    };
    return ApplicationFailure.create({
      message: err.message,
      type,
      nonRetryable: !err.retryable,
      details: [details],
      ...(err.retryable && err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  const type = err instanceof Error ? err.name : 'Error';
  return ApplicationFailure.create({
    message,
    type,
    details: [{ attempt, code: type }],
    ...(err instanceof Error && { cause: err }),
  });
}
