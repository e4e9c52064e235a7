// The SDK's leaf shapes, imported by both types.ts and channel.ts (so neither imports the other for them).
import type { TSchema } from 'typebox';

/** A JSON Schema (draft 2020-12 subset that ajv understands). Kept loose: schemas are data. */
export type JsonSchema = { [key: string]: unknown };

/** A schema as a connector declares it: TypeBox (`Type.Object(...)`, which is JSON Schema) or a plain object. */
export type SchemaLike = JsonSchema | TSchema;

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
  /**
   * The provider vouches for it: the message came from this phone, or the sender shared their own number through the
   * provider. Absent: not verified (typed by someone). A sender's own channel identity is verified by the delivery.
   */
  verified?: boolean;
}

/**
 * An identity after the matching rules (connectors/contacts/identity.ts): what the contact store keeps. `key` is what
 * matches (a Gmail mailbox without dots and +tags, an E.164 phone); an invalid one keeps `value` as written, never
 * matches, and says why in `problem`.
 */
export interface ResolvedIdentity {
  kind: string;
  value: string;
  key: string;
  valid: boolean;
  verified: boolean;
  problem?: string;
}
