// Shapes the Pipedrive actions share: the CRM account input, a person and a deal as the actions return them, and
// opening the account an action names (through the platform's accounts service: same workspace, this connector).
import { Type, type ActionContext, type CrmCallContext, type CrmPerson } from '../sdk/index.js';
import type { PipedriveDealV2 } from './client.js';

export const CRM_ACCOUNT_INPUT = Type.String({
  minLength: 1,
  title: 'Pipedrive account',
  description: 'The id of the Pipedrive CRM account to act on.',
  'x-ui': { widget: 'crm-account' },
});

export const PERSON_ID_INPUT = Type.String({
  pattern: '^[1-9][0-9]{0,15}$',
  title: 'Person id',
  description: "The Pipedrive person's id.",
});

export const PERSON_OUTPUT = Type.Object({
  id: Type.String({ description: "The Pipedrive person's id" }),
  name: Type.Union([Type.String(), Type.Null()]),
  emails: Type.Array(Type.String(), { description: 'Primary first' }),
  phones: Type.Array(Type.String(), { description: 'Primary first' }),
  fields: Type.Record(Type.String(), Type.Unknown()),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const DEAL_OUTPUT = Type.Object({
  id: Type.String(),
  title: Type.String(),
  personId: Type.Union([Type.String(), Type.Null()]),
  pipelineId: Type.String(),
  stageId: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
});

/** A person as an action returns it (fields as JSON). */
export const personOutput = (p: CrmPerson) => ({
  id: p.id,
  name: p.name ?? null,
  emails: p.emails,
  phones: p.phones,
  fields: p.fields,
  updatedAt: p.updatedAt,
});

/** The call context for the account an action names. */
export async function crmCall(ctx: ActionContext, accountId: string): Promise<CrmCallContext> {
  const account = await ctx.services.accounts.open(accountId);
  return { account, signal: ctx.signal, logger: ctx.logger, idempotencyKey: ctx.idempotencyKey };
}

/** A v2 deal as an action returns it. */
export const dealOutput = (d: PipedriveDealV2) => ({
  id: String(d.id),
  title: d.title,
  personId: d.person_id === null || d.person_id === undefined ? null : String(d.person_id),
  pipelineId: String(d.pipeline_id),
  stageId: String(d.stage_id),
  value: typeof d.value === 'number' ? d.value : null,
  currency: typeof d.currency === 'string' ? d.currency : null,
  status: d.status,
});
