// Random identifiers and secrets. Ids are lower-case hex so they are safe in URLs, logs and search attribute queries.
import { createHash, randomBytes } from 'node:crypto';
import { RUN_ID_PREFIX } from '../worker/contract.js';

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A run id. With an Idempotency-Key it is derived from flow and key, so a repeat maps to the same workflow id and
 * Temporal's id uniqueness does the dedupe (no table, no race).
 */
export function runIdFor(flowId: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return RUN_ID_PREFIX + randomBytes(16).toString('hex');
  return RUN_ID_PREFIX + sha256Hex(`${flowId}:${idempotencyKey}`).slice(0, 32);
}
