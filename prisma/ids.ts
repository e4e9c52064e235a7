// Row ids and webhook tokens, for the server and the worker alike. Ids are a prefix naming the kind and 16 random bytes
// in lower-case hex, so they are safe in URLs, logs and search attribute queries.
import { randomBytes } from 'node:crypto';

export const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;

/**
 * Whether `id` could be an id of that kind (made by newId, also the 12-byte ones of earlier versions): an id that
 * cannot exist is answered 404 before any lookup.
 */
export const isIdOf = (prefix: string, id: string) => new RegExp(`^${prefix}_[0-9a-f]{24,64}$`).test(id);

/** Could `token` be a webhook token (newWebhookToken: 32 base64url characters)? */
export const isWebhookToken = (token: string) => /^[A-Za-z0-9_-]{32}$/.test(token);

/** Webhook tokens are the only secret a caller needs, so 24 random bytes. */
export const newWebhookToken = () => randomBytes(24).toString('base64url');
