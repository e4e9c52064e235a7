// The CRM contract: what a CRM connector (HubSpot, Pipedrive, a plugin's CRM) declares so the platform can keep
// Confluo's contacts and the CRM's people in step both ways. The platform does the rest the same way for every CRM:
// the account (credentials sealed like a channel account's), the inbound webhook endpoint (verify, parse into record
// changes, each with a dedupe key, durable before the answer), the durable sync (Temporal), rate limits, echo
// suppression and conflict rules. A connector only speaks its provider's wire format here.
import type { JsonObject } from '../flow/types.js';
import type { ChannelAccount, InboundContext, InboundRequest, InboundResponse, VerifyResult } from './channel.js';
import type { Logger, SchemaLike } from './base.js';

/** A CRM account as connector code sees it: the same shape as a channel account (credentials decrypted). */
export type CrmAccount = ChannelAccount;

/** One person (HubSpot contact, Pipedrive person) as the CRM holds it, in the platform's terms. */
export interface CrmPerson {
  /** The CRM's record id, as a string (HubSpot ids are strings; Pipedrive's numbers are written in decimal). */
  id: string;
  name?: string | null;
  /** As the CRM holds them, primary first. */
  emails: string[];
  phones: string[];
  /** Other fields by the CRM's own property names (HubSpot `city`, Pipedrive custom field keys), values as given. */
  fields: JsonObject;
  /** ISO-8601: when the CRM last changed the record (the per-field "later change wins" rule compares these). */
  updatedAt: string;
  /** Ids of records the CRM merged into this one, when it says (HubSpot `hs_merged_object_ids`). */
  mergedIds?: string[];
}

/** What Confluo writes to a person: only the fields given are changed. */
export interface CrmPersonWrite {
  name?: string | null;
  emails?: string[];
  phones?: string[];
  fields?: JsonObject;
}

/** A change the CRM reported (a webhook event or a catch-up poll): the platform then reads the record. */
export interface CrmChange {
  /** Unique per account for this change: a provider's retry of the same event carries the same key. */
  dedupeKey: string;
  type: 'person.created' | 'person.updated' | 'person.deleted' | 'person.merged';
  /** The record the change is about (for a merge: the surviving one). */
  recordId: string;
  /** person.merged: the records merged into `recordId`. */
  mergedIds?: string[];
  /** ISO-8601, when the CRM says it happened. */
  occurredAt: string;
  /** person.updated: the properties the CRM says changed, when it says (HubSpot sends one per event). */
  properties?: string[];
  /**
   * The CRM says this integration made the change (HubSpot: changeSource INTEGRATION from the app the webhook belongs
   * to): most often the sync's own write reported back, so it is not read again. Other writes through the same
   * credentials (a flow's CRM step) reach the contacts through the catch-up poll instead.
   */
  ownWrite?: boolean;
}

export interface CrmCallContext {
  account: CrmAccount;
  signal: AbortSignal;
  logger: Logger;
  /** The same on every attempt of one sync item: sent to providers that deduplicate writes. */
  idempotencyKey?: string;
}

/** The CRM's side of the sync. Every call throws a ConnectorError (rate_limited with retryAfterMs on a 429). */
export interface CrmClient {
  /**
   * Checks the credentials with an authenticated call when an account is created or its credentials or settings
   * change (a refusal keeps the account from being stored), and returns settings to store with it (what the CRM said
   * about the account, e.g. the token's user). Absent: `scope` is called instead.
   */
  register?(ctx: CrmCallContext): Promise<{ settings?: JsonObject }>;
  /**
   * The scope of the account's record ids in identities, e.g. the HubSpot portal id or the Pipedrive company id:
   * a record becomes the identity `{ kind: '<connector>', value: '<scope>:<id>' }`.
   */
  scope(ctx: CrmCallContext): Promise<string>;
  /** Null when the record does not exist or was deleted. */
  getPerson(ctx: CrmCallContext, id: string): Promise<CrmPerson | null>;
  /** The person holding one of these emails or phones (emails first), or null. Exact matches only. */
  findPerson(ctx: CrmCallContext, by: { emails: string[]; phones: string[] }): Promise<CrmPerson | null>;
  createPerson(ctx: CrmCallContext, write: CrmPersonWrite): Promise<CrmPerson>;
  updatePerson(ctx: CrmCallContext, id: string, write: CrmPersonWrite): Promise<CrmPerson>;
  /** Merges `mergedId` into `primaryId` where the CRM can (HubSpot's merge endpoint); absent when it cannot. */
  mergePersons?(ctx: CrmCallContext, primaryId: string, mergedId: string): Promise<CrmPerson>;
  /** Logs a conversation message or a note on the person's CRM timeline. */
  addNote(ctx: CrmCallContext, personId: string, note: { text: string; at: string }): Promise<{ id: string }>;
  /**
   * The people changed since `cursor` (null: from now, returning only a cursor), oldest first, at most `limit`:
   * the catch-up for webhooks the CRM never delivered.
   */
  changedSince(
    ctx: CrmCallContext,
    cursor: string | null,
    limit: number,
  ): Promise<{ people: CrmPerson[]; cursor: string; more: boolean }>;
}

export interface CrmInbound {
  /** Provider handshakes, if any (answered before verify for GET, after it for POST). */
  handshake?(req: InboundRequest, ctx: InboundContext): InboundResponse | undefined;
  /** Checks the provider's signature or credentials in constant time: a forged call gets 401, nothing changes. */
  verify(req: InboundRequest, ctx: InboundContext): VerifyResult;
  /** The changes in a verified request (may be none); throws InboundPayloadError for a body the CRM never sends. */
  parse(req: InboundRequest, ctx: InboundContext): CrmChange[];
}

export interface CrmDefinition {
  /** JSON Schema of the account's settings (not secret): API base URL, field mapping overrides, logging choice. */
  settings?: SchemaLike;
  client: CrmClient;
  inbound?: CrmInbound;
  /** The CRM's published rate limit for one account; calls beyond it wait. */
  rateLimit?: { limit: number; intervalMs: number };
  /** Default mapping from a contact's custom attributes to CRM field names (name → property), overridable per account. */
  defaultFieldMap?: Record<string, string>;
  /**
   * `createPerson` with an email another person holds updates that person instead of making a second one (HubSpot,
   * where an email is unique): the sync then creates without searching first, sparing the CRM's search limit.
   */
  createFindsByEmail?: boolean;
}
