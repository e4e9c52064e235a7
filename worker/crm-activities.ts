// The activity of `crmChange`: read the record a CRM change is about and write it into the contacts. The record id
// is one more identity of the contact (`{ kind: <connector>, value: '<scope>:<id>' }`, verified: the CRM says so);
// its emails and phones go through the same matching rules as a channel's, unverified (someone typed them into the
// CRM), so a person already known by email or phone gets the CRM link instead of a second contact. Mapped fields
// (the connector's default field map, inverted) become attributes. A deletion leaves the contact alone (the CRM
// forgetting a person is not Confluo forgetting them).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CountryCode } from 'libphonenumber-js/max';
import { resolveIdentities } from '../connectors/contacts/identity.js';
import type { JsonObject } from '../connectors/flow/types.js';
import type { CrmCallContext, CrmPerson } from '../connectors/sdk/crm.js';
import type { ContactIdentityInput, ContactsService, Logger } from '../connectors/sdk/types.js';
import { AccountUnavailable, type ChannelAccountStore } from '../prisma/channel-accounts.js';
import { toFailure } from './failures.js';
import { accountError } from './channels.js';
import type { CrmChangeInput, CrmChangeResult } from './contract.js';

export interface CrmDeps {
  accounts: ChannelAccountStore;
  contacts: ContactsService;
  /** The country of national phone numbers in CRM records (CONFLUO_DEFAULT_COUNTRY). */
  defaultCountry?: string;
  logger?: Logger;
}

/** The CRM fields a contact attribute comes from: the connector's field map read backwards (attribute ← field). */
export function attributesOf(person: CrmPerson, fieldMap: Record<string, string> | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [attribute, field] of Object.entries(fieldMap ?? {})) {
    const v = person.fields[field];
    if (v !== undefined && v !== null && v !== '') out[attribute] = v;
  }
  return out;
}

/** The identities a CRM record gives: its record id (verified), then its emails and phones (typed, not verified). */
export function crmIdentities(connector: string, scope: string, person: CrmPerson): ContactIdentityInput[] {
  return [
    { kind: connector, value: `${scope}:${person.id}`, verified: true },
    ...person.emails.map((value) => ({ kind: 'email', value })),
    ...person.phones.map((value) => ({ kind: 'phone', value })),
  ];
}

const notConfigured = () => {
  throw ApplicationFailure.nonRetryable('this worker has no database for CRM accounts', 'CRM_UNAVAILABLE');
};

export function createCrmActivities(deps: CrmDeps | undefined) {
  if (!deps) return { pullCrmChange: notConfigured } as unknown as CrmActivities;
  return crmActivities(deps);
}

function crmActivities({ accounts, contacts, defaultCountry, logger }: CrmDeps) {
  return {
    async pullCrmChange(input: CrmChangeInput): Promise<CrmChangeResult> {
      const actx = Context.current();
      const log: Logger = logger ?? (actx.log as unknown as Logger);
      try {
        if (input.change.type === 'person.deleted') return { outcome: 'skipped', reason: 'deleted in the CRM' };
        let opened;
        try {
          opened = await accounts.open(input.accountId, { workspaceId: input.workspaceId, connector: input.connector });
        } catch (err) {
          if (err instanceof AccountUnavailable && err.reason === 'not_found')
            return { outcome: 'skipped', reason: 'the CRM account was deleted' };
          throw err instanceof AccountUnavailable ? accountError(err) : err;
        }
        const crm = opened.connector.crm;
        if (!crm) return { outcome: 'skipped', reason: `connector ${input.connector} is no longer a CRM` };
        const ctx: CrmCallContext = { account: opened.account, signal: actx.cancellationSignal, logger: log };
        const person = await crm.client.getPerson(ctx, input.change.recordId);
        if (!person) return { outcome: 'skipped', reason: 'the record is gone from the CRM' };
        const scope = await crm.client.scope(ctx);
        const identities = resolveIdentities(
          crmIdentities(input.connector, scope, person),
          defaultCountry as CountryCode | undefined,
        );
        const attributes = attributesOf(person, crm.defaultFieldMap);
        const result = await contacts.upsert(input.workspaceId, {
          identities,
          ...(person.name && { name: person.name }),
          ...(Object.keys(attributes).length > 0 && { attributes }),
          source: { type: 'crm', accountId: input.accountId, recordId: person.id },
        });
        return { outcome: result.created ? 'created' : 'updated', contactId: result.contact.id };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw toFailure(err, actx.info.attempt);
      }
    },
  };
}

export type CrmActivities = ReturnType<typeof crmActivities>;
