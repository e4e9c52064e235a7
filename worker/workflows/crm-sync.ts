// crmSync: one loop per CRM account (workflow id `crmsync_<accountId>`), started with the account: rounds of
// `syncCrmRound` (crm-sync.ts), each writing the contacts whose changes are due and polling the CRM for changes its
// webhooks missed, until nothing is due (at most ~15 s); between rounds it sleeps what a round asks (a second when
// idle, a rate limit's Retry-After, an outage's backoff), so an idle account holds no worker activity slot. What waits to be written is in PostgreSQL (crm_links), so a crash, a restart or a
// CRM outage of any length loses nothing. Ends when the account is deleted; continues as new now and then.
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { CrmActivities } from '../crm-activities.js';

const { syncCrmRound } = proxyActivities<CrmActivities>({
  // A round works for up to ~15 s (CrmSyncDeps.roundMs); a slow CRM under its rate limit may stretch it.
  startToCloseTimeout: '2m',
  // Only the database or a bug throws (the CRM's own failures are answered in the result): waited out.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

const ROUNDS_PER_RUN = 200;

export async function crmSync(input: { accountId: string; failures: number }): Promise<void> {
  let failures = input.failures;
  for (let i = 0; i < ROUNDS_PER_RUN; i++) {
    const r = await syncCrmRound({ accountId: input.accountId, failures });
    if (r.gone) return;
    failures = r.failures;
    if (r.waitMs > 0) await sleep(r.waitMs);
  }
  await continueAsNew<typeof crmSync>({ accountId: input.accountId, failures });
}
