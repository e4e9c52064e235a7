// A deadline for the Temporal calls a request makes (the server's starts in worker/client.ts, its reads in
// server/services/runs.ts). Without one, a call to an unreachable Temporal is retried by the SDK's gRPC interceptor
// (10 attempts, backoff 1.7× up to 5 s: about 20 s) before it fails; webhook providers give up long before (Slack
// after 3 s). With one, the caller learns within the deadline that Temporal is unavailable, and answers 503.
import { isGrpcServiceError, type Client } from '@temporalio/client';

/**
 * The default deadline (CONFLUO_TEMPORAL_DEADLINE_MS): inside Slack's 3 s acknowledgement window with room for the
 * database lookups before the start and the network to the provider, and still 10–50 times what a start took on a
 * healthy local dev server (40–200 ms; a list 10–20 ms), so a slow moment is not mistaken for an outage.
 */
export const DEFAULT_TEMPORAL_DEADLINE_MS = 2_000;

/**
 * Temporal could not be reached, or did not answer within the deadline. For a start this means it was not
 * acknowledged: either nothing was started, or a start is in flight that a retry with the same workflow id finds.
 */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/** gRPC status codes that mean "no answer from Temporal", not "Temporal said no". */
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** Whether `err` (or one of its causes) is a gRPC UNAVAILABLE or DEADLINE_EXCEEDED: Temporal down, or too slow. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TemporalUnavailableError) return true;
    if (isGrpcServiceError(e) && (e.code === UNAVAILABLE || e.code === DEADLINE_EXCEEDED)) return true;
  }
  return false;
}

/**
 * Runs `fn`'s Temporal calls with one deadline `ms` from now, and settles within it: every gRPC call made inside gets
 * the deadline (so the SDK's retries stop there), and a timer answers at the deadline even while the retry
 * interceptor sleeps between attempts (its sleep is not cut short by the deadline). Unavailability of any kind becomes
 * a TemporalUnavailableError; Temporal's own answers (not found, already started, invalid argument) pass through.
 */
export async function withinDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalUnavailableError(`Temporal did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([client.withDeadline(Date.now() + ms, fn), expired]);
  } catch (err) {
    if (err instanceof TemporalUnavailableError || !isTemporalUnavailable(err)) throw err;
    throw new TemporalUnavailableError(`Temporal is unavailable: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
