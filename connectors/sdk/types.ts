// The connector SDK's shapes. A connector is plain data (its manifest) plus small functions.
import type { JsonObject, JsonValue } from '../flow/types.js';

/** A JSON Schema (draft 2020-12 subset that ajv understands). Kept loose: schemas are data. */
export type JsonSchema = { [key: string]: unknown };

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface ContactIdentityInput {
  /** `email`, `phone` (E.164), or a channel-scoped kind such as `whatsapp`, `telegram`. */
  kind: string;
  value: string;
}

export interface ContactRecord {
  id: string;
  name: string | null;
  attributes: JsonObject;
  identities: ContactIdentityInput[];
  createdAt: string;
  updatedAt: string;
}

export interface ContactUpsertInput {
  /** Already normalized (email lower-cased, phone E.164). At least one. */
  identities: ContactIdentityInput[];
  name?: string | null;
  /** Merged into the stored attributes (shallow). */
  attributes?: JsonObject;
  /** Provenance recorded on new identities, e.g. `run:<runId>:<nodeId>`. */
  source?: string;
}

export interface ContactUpsertResult {
  contact: ContactRecord;
  created: boolean;
  /** Ids of other contacts owning some of the given identities; v1 leaves them alone (no automatic merge). */
  conflicts?: string[];
}

export interface ContactsService {
  /** Finds the contact owning any of the identities, or creates one; attaches missing identities. Atomic. */
  upsert(workspaceId: string, input: ContactUpsertInput): Promise<ContactUpsertResult>;
}

/** Services Confluo lends to actions (the built-in CRM today). */
export interface ConnectorServices {
  contacts: ContactsService;
}

export interface ActionContext {
  workspaceId: string;
  runId: string;
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

export interface ActionDefinition<I = any, O = any> {
  /** Short id within the connector, e.g. `request`; the flow names it `<connector>.<id>`. */
  id: string;
  name: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
  run(ctx: ActionContext, input: I): Promise<O>;
}

export interface ConnectorDefinition {
  /** Lower-case id, e.g. `http`. */
  id: string;
  name: string;
  version: string;
  description?: string;
  /** JSON Schema of the connection's credentials; absent when the connector needs none. */
  auth?: JsonSchema;
  actions: ActionDefinition[];
}

/** The plain-data description served by `GET /api/connectors`; no functions. */
export interface ActionManifest {
  /** Full id `<connector>.<action>`. */
  id: string;
  name: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
}
export interface ConnectorManifest {
  id: string;
  name: string;
  version: string;
  description?: string;
  auth?: JsonSchema;
  actions: ActionManifest[];
  triggers: { id: string; name: string; description: string }[];
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
