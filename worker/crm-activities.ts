// The activities of the CRM workflows. `pullCrmChange` (crmChange): read the record a CRM change is about and write it
// into the contacts (crm-sync.ts `importPerson`: its record id one more identity, verified; its emails and phones
// through the same matching rules as a channel's, unverified; on a record seen before only what changed in the CRM).
// A deletion leaves the contact alone (the CRM forgetting a person is not Confluo forgetting them). `syncCrmRound`
// (crmSync): the account's outbound writes and catch-up poll.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../connectors/sdk/types.js';
import { toFailure } from './failures.js';
import type { CrmChangeInput, CrmChangeResult } from './contract.js';
import { createCrmSync, type CrmSyncDeps } from './crm-sync.js';

export type CrmDeps = CrmSyncDeps;

const notConfigured = () => {
  throw ApplicationFailure.nonRetryable('this worker has no database for CRM accounts', 'CRM_UNAVAILABLE');
};

export function createCrmActivities(deps: CrmDeps | undefined) {
  if (!deps) return { pullCrmChange: notConfigured, syncCrmRound: notConfigured } as unknown as CrmActivities;
  return crmActivities(deps);
}

function crmActivities(deps: CrmDeps) {
  const sync = createCrmSync(deps);
  return {
    syncCrmRound: sync.syncCrmRound,

    async pullCrmChange(input: CrmChangeInput): Promise<CrmChangeResult> {
      const actx = Context.current();
      const log: Logger = deps.logger ?? (actx.log as unknown as Logger);
      try {
        if (input.change.type === 'person.deleted') return { outcome: 'skipped', reason: 'deleted in the CRM' };
        if (input.change.ownWrite && input.change.type !== 'person.merged')
          return { outcome: 'skipped', reason: 'written by this integration (the catch-up poll compares it anyway)' };
        const a = await sync.open(input.accountId, actx.cancellationSignal, log);
        if (!a || a.workspaceId !== input.workspaceId || a.connector !== input.connector)
          return { outcome: 'skipped', reason: 'the CRM account was deleted' };
        // Older than the record as the sync last wrote or read it (most often HubSpot reporting our own write back):
        // nothing to read. A change made in the CRM just before our write is in that window too; the catch-up poll
        // reads every record changed since its cursor and compares field by field, so it is picked up there.
        const seenAt = await sync.seenAt(a.accountId, input.change.recordId);
        if (seenAt !== null && Date.parse(input.change.occurredAt) <= seenAt)
          return { outcome: 'skipped', reason: 'not newer than the record as the sync last saw it' };
        const person = await a.client.getPerson(a.ctx, input.change.recordId);
        if (!person) return { outcome: 'skipped', reason: 'the record is gone from the CRM' };
        // importPerson reads the link again: a write of the sync may have moved it during the read from the CRM.
        const result = await sync.importPerson(a, person);
        // Merged in the CRM: the contacts linked to the merged-away records join the survivor's (undoable as any).
        if (input.change.type === 'person.merged' && result.contactId)
          for (const id of input.change.mergedIds ?? []) await sync.mergeLinked(a, result.contactId, id);
        return result;
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw toFailure(err, actx.info.attempt);
      }
    },
  };
}

export type CrmActivities = ReturnType<typeof crmActivities>;
