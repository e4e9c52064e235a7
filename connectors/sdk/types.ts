// The connector SDK's shapes. A connector is plain data (its manifest) plus small functions.
import type { JsonObject, JsonValue } from '../flow/types.js';
import type { JsonSchema, Logger, ResolvedIdentity, SchemaLike } from './base.js';
import type { ChannelDefinition, ChannelManifest, ChannelsService } from './channel.js';
import type { CrmAccount, CrmDefinition } from './crm.js';
import type { ContactIdentity, IdentitySource } from './identity-schemas.js';

export type { ContactIdentityInput, JsonSchema, Logger, ResolvedIdentity, SchemaLike } from './base.js';
export type { ContactIdentity, IdentitySource } from './identity-schemas.js';

export interface ContactRecord {
  id: string;
  name: string | null;
  attributes: JsonObject;
  /** Labels (lower case, unique); a root's merged view: its own first, then its members'. */
  tags: string[];
  identities: ContactIdentity[];
  createdAt: string;
  updatedAt: string;
  /** A contact merged into another (prisma/contact-merges.ts): the root whose merged view holds it. */
  mergedInto?: string;
  /** A root with merged contacts: its view holds their identities and attributes too; these are the rows. */
  members?: ContactMember[];
}

export interface ContactMember {
  id: string;
  name: string | null;
  /** The merge that put it under this contact. */
  mergeId: string | null;
  mergedAt: string | null;
}

export interface ContactUpsertInput {
  /** Through the matching rules (`resolveIdentities` of connectors/contacts/identity.ts). At least one valid. */
  identities: ResolvedIdentity[];
  name?: string | null;
  /** Merged into the stored attributes (shallow). */
  attributes?: JsonObject;
  /** Provenance recorded on new identities; `{ type: 'api' }` when not given. */
  source?: IdentitySource;
}

export interface ContactUpsertResult {
  contact: ContactRecord;
  created: boolean;
  /** Ids of other contacts (roots) owning some of the given identities; left alone (merging is a separate act). */
  conflicts?: string[];
  /** Ids of contacts merged into `contact` by the shared-delivery rule (connectors/contacts/README.md). */
  merged?: string[];
  /** Ids of other contacts (roots) that hold some of the given identities too: a household's one phone, kept on both. */
  sharedWith?: string[];
  /**
   * Attributes left out: a workspace-defined attribute (prisma/contact-attributes.ts) whose value does not fit its type
   * even read leniently; everything else was written.
   */
  rejectedAttributes?: { key: string; value: JsonValue; problem: string }[];
}

export interface ContactsService {
  /** Finds the contact owning any of the identities, or creates one; attaches missing identities. Atomic. */
  upsert(workspaceId: string, input: ContactUpsertInput): Promise<ContactUpsertResult>;
  /**
   * Merges `mergedId`'s contact (with what was merged into it) into `survivorId`'s, reversibly (README: merges).
   * Already one contact (a retried step): `alreadyMerged`, nothing changed. Throws a ConnectorError: `not_found`
   * (either id is no contact of the workspace), `validation` with code `merge_self` (the same contact twice).
   */
  merge(workspaceId: string, input: ContactMergeInput): Promise<ContactMergeResult>;
}

export interface ContactMergeInput {
  survivorId: string;
  mergedId: string;
  /** Who merges: a run step (`{ type: 'run', runId, nodeId, flowId }`), an API call, a person. */
  source: IdentitySource;
}

export interface ContactMergeResult {
  /** The merge (undo it with `POST /api/contact-merges/:mergeId/undo`); null when they were one contact already. */
  mergeId: string | null;
  alreadyMerged: boolean;
  /** The survivor's merged view. */
  contact: ContactRecord;
}

/** Services Confluo lends to actions: the built-in CRM and sending on channel accounts. */
export interface ConnectorServices {
  contacts: ContactsService;
  /** Bound to the step (idempotency key, signal). Throws a config error where no channel runtime is set up. */
  channels: ChannelsService;
  /** The stored accounts of non-channel connectors (a CRM): bound to the run's workspace and the action's connector. */
  accounts: AccountsService;
  /** The inbox: open conversations and consent (the `conversations` connector); absent without a database. */
  conversations?: ConversationsService;
}

/** A conversation whose latest message is the customer's (nobody answered it yet). */
export interface OpenConversation {
  id: string;
  contactId: string;
  name: string | null;
  /** The channel and text of the customer's latest message. */
  channel: string;
  text: string | null;
  /** ISO time of that message. */
  since: string;
}

export interface ConversationsService {
  /** The workspace's open conversations, the longest waiting first (at most `limit`). */
  listOpen(workspaceId: string, opts: { limit: number }): Promise<OpenConversation[]>;
  /** Records a contact's consent on a channel (`source` says who, e.g. `run:<runId>`); sends to opted-out fail. */
  setConsent(
    workspaceId: string,
    input: { contactId: string; channel: string; status: 'opted_out' | 'opted_in'; source: string },
  ): Promise<void>;
}

export interface AccountsService {
  /**
   * The account with its credentials decrypted, when it is in the run's workspace and belongs to the calling action's
   * connector; otherwise a ConnectorError (`not_found`, or `config` where no secret key is set up).
   */
  open(accountId: string): Promise<CrmAccount>;
}

export interface ActionContext {
  workspaceId: string;
  runId: string;
  /** The run's flow; absent when an action runs outside a run (a connector's own tests). */
  flowId?: string;
  nodeId: string;
  /** `<runId>:<nodeId>`: the same on every attempt and after worker crashes. Send it to providers that dedupe. */
  idempotencyKey: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** Decrypted credentials of the node's connection, if any. */
  auth?: JsonObject;
  logger: Logger;
  /** Aborted when the attempt times out or the run is cancelled. */
  signal: AbortSignal;
  services: ConnectorServices;
}

// `any` by default so an action of any input type fits a list of actions (`run` takes its input contravariantly).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ActionDefinition<I = any, O = any> {
  /** Short id within the connector, e.g. `request`; the flow names it `<connector>.<id>`. */
  id: string;
  name: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
  /** Hints for the editor's form (plain data), e.g. `{ "group": "Messages" }`. Field hints go in the schemas as `x-ui`. */
  ui?: JsonObject;
  run(ctx: ActionContext, input: I): Promise<O>;
}

/** An event source a flow can start on, e.g. a channel's `message`. Plain data. */
export interface TriggerDefinition {
  /** Short id within the connector; the full id is `<connector>.<id>`. */
  id: string;
  name: string;
  description: string;
  /** JSON Schema of the trigger's configuration in a flow. */
  input?: SchemaLike;
  /** JSON Schema of the event a run sees as `trigger` (a poll trigger: of one item's `data`, `trigger.item`). */
  output: SchemaLike;
  ui?: JsonObject;
  /**
   * A polling trigger (README.md "Poll triggers"; `definePollTrigger` types it): called on the flow's interval with
   * the cursor it returned last time (null on the first poll); each item it returns starts one run, once per `key`.
   */
  poll?(ctx: PollTriggerContext, cursor: JsonValue | null): Promise<PollResult>;
}

/** What a poll trigger's `poll` gets: the flow's settings for it, checked against its `input` schema, and its limits. */
// `any` by default, as ActionDefinition's: a typed poll fits the list of a connector's triggers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface PollTriggerContext<I = any> {
  workspaceId: string;
  flowId: string;
  /** The trigger's `input` from the flow, checked against the trigger's input schema (defaults filled in). */
  input: I;
  /** The most items one poll takes (new ones beyond it come in the next poll): return about this many, oldest first. */
  limit: number;
  /** The flow's first poll (no cursor yet). */
  firstPoll: boolean;
  /**
   * This poll only takes the baseline (the first, unless the flow has `firstPoll: 'run'`): its items start no run, they
   * are recorded as seen. A source may return just its newest items and a cursor after them.
   */
  baseline: boolean;
  /** Decrypted credentials of the trigger's `connection`, if any. */
  auth?: JsonObject;
  logger: Logger;
  /** Aborted when the poll times out. */
  signal: AbortSignal;
  /** The stored accounts of the trigger's own connector, in the flow's workspace (e.g. `input.account`). */
  services: { accounts: AccountsService };
}

/** One new thing a poll saw: `key` is its dedupe key (unique and stable in the source, e.g. the record id). */
export interface PollItem {
  key: string;
  /** What the run sees as `trigger.item`. */
  data: JsonValue;
}

export interface PollResult {
  /** Oldest first. Items whose key an earlier poll of the flow saw are skipped, so overlapping pages are fine. */
  items: PollItem[];
  /** Where the next poll starts (any JSON); saved only after the items' runs exist. */
  cursor: JsonValue;
}

export interface ConnectorDefinition {
  /** Lower-case id, e.g. `http`. */
  id: string;
  name: string;
  version: string;
  description?: string;
  /** JSON Schema of the connection's credentials; absent when the connector needs none. */
  auth?: SchemaLike;
  actions: ActionDefinition[];
  /** Event sources besides the channel's own `message` trigger (added for every channel). */
  triggers?: TriggerDefinition[];
  /** A messaging channel: inbound contract, send, webhook registration, rate limits. */
  channel?: ChannelDefinition;
  /** A CRM the platform keeps contacts in step with (crm.ts): its client, inbound webhook, rate limit. */
  crm?: CrmDefinition;
}

/** The plain-data description served by `GET /api/connectors`; no functions. */
export interface ActionManifest {
  /** Full id `<connector>.<action>`. */
  id: string;
  name: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
  ui?: JsonObject;
}
export interface TriggerManifest {
  /** Full id `<connector>.<trigger>`. */
  id: string;
  name: string;
  description: string;
  input?: JsonSchema;
  output: JsonSchema;
  ui?: JsonObject;
  /** A poll source: a flow's `{ "type": "poll", "source": <id> }` trigger names it. */
  poll?: true;
}
export interface ConnectorManifest {
  id: string;
  name: string;
  version: string;
  description?: string;
  auth?: JsonSchema;
  actions: ActionManifest[];
  triggers: TriggerManifest[];
  channel?: ChannelManifest;
  crm?: CrmManifest;
}

/** The plain-data side of a CRM capability. */
export interface CrmManifest {
  settings?: JsonSchema;
  /** Whether the CRM sends webhooks (else only the catch-up poll sees its changes). */
  inbound: boolean;
  /** Whether a merge in Confluo merges the CRM records too (else both stay, linked to the one contact). */
  merge: boolean;
  rateLimit?: { limit: number; intervalMs: number };
  defaultFieldMap?: Record<string, string>;
}

export type ConnectorErrorKind = 'auth' | 'config' | 'rate_limited' | 'upstream' | 'not_found' | 'validation';

export interface ConnectorErrorOptions {
  retryable?: boolean;
  /** Wait at least this long before the next attempt (from a Retry-After). */
  retryAfterMs?: number;
  /** Stable code such as HTTP_503 or INPUT_INVALID. */
  code?: string;
  details?: JsonValue;
  cause?: unknown;
}

/** A defined connector: its definition plus the plain-data manifest (built by `defineConnector`). */
export interface Connector extends ConnectorDefinition {
  manifest: ConnectorManifest;
}
