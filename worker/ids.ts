// Derived workflow ids (Node only: workflow code cannot hash). The same inputs always give the same id, so Temporal's
// id uniqueness is the dedupe: a provider's redelivery, or a second poll of the same message, starts nothing new.
import { createHash, randomBytes } from 'node:crypto';
import {
  CRM_CHANGE_ID_PREFIX,
  CRM_SYNC_ID_PREFIX,
  INGEST_ID_PREFIX,
  POLL_ID_PREFIX,
  RUN_ID_PREFIX,
} from './contract.js';

const sha = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/**
 * A run id. With an Idempotency-Key it is derived from flow and key, so a repeat maps to the same workflow id and
 * Temporal's id uniqueness does the dedupe (no table, no race). Without one, every call is a new run.
 */
export function runIdFor(flowId: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return RUN_ID_PREFIX + randomBytes(16).toString('hex');
  return RUN_ID_PREFIX + sha(`${flowId}:${idempotencyKey}`, 32);
}

/** One ingest per (account, event dedupe key). */
export const ingestIdFor = (accountId: string, dedupeKey: string) =>
  INGEST_ID_PREFIX + sha(`${accountId}:${dedupeKey}`, 40);

/** One run per (flow, version, ingest). */
export const channelRunIdFor = (flowId: string, version: number, ingestId: string) =>
  RUN_ID_PREFIX + sha(`${flowId}:${version}:${ingestId}`, 32);

/** One polling loop per account. */
export const pollIdFor = (accountId: string) => POLL_ID_PREFIX + accountId;

/** One pull per (CRM account, change dedupe key): a CRM's redelivery of a webhook event starts nothing new. */
export const crmChangeIdFor = (accountId: string, dedupeKey: string) =>
  CRM_CHANGE_ID_PREFIX + sha(`${accountId}:${dedupeKey}`, 40);

/** One sync loop per CRM account. */
export const crmSyncIdFor = (accountId: string) => CRM_SYNC_ID_PREFIX + accountId;
