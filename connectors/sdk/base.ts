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
}
