// Row ids and webhook tokens, for the server and the worker alike. Ids are a prefix naming the kind and 16 random bytes
// in lower-case hex, so they are safe in URLs, logs and search attribute queries.
import { randomBytes } from 'node:crypto';

export const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;

/** Webhook tokens are the only secret a caller needs, so 24 random bytes. */
export const newWebhookToken = () => randomBytes(24).toString('base64url');
