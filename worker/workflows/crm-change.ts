// crmChange: one change a CRM reported (a webhook event, made durable by the gateway; its workflow id is the event's
// dedupe key, so a redelivery starts nothing). The record is read from the CRM and written into the contacts: its
// record id becomes an identity (`<connector>` kind, `<scope>:<id>`), its emails and phones go through the matching
// rules. A CRM that is down or rate-limits is waited out by the activity's retries; nothing is lost meanwhile.
import { proxyActivities } from '@temporalio/workflow';
import type { CrmActivities } from '../crm-activities.js';
import type { CrmChangeInput, CrmChangeResult } from '../contract.js';

const { pullCrmChange } = proxyActivities<CrmActivities>({
  startToCloseTimeout: '1m',
  // A CRM outage of hours is caught up when it ends; a change that can never be read (bad credentials, a record the
  // account may not see) fails as non-retryable and shows as a failed workflow.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
});

export async function crmChange(input: CrmChangeInput): Promise<CrmChangeResult> {
  return pullCrmChange(input);
}
