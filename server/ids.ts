// Random identifiers and secrets. Ids are lower-case hex so they are safe in URLs, logs and search attribute queries.
import { createHash, randomBytes } from 'node:crypto';

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Webhook tokens are the only secret a caller needs, so 24 random bytes. */
export const newWebhookToken = () => randomBytes(24).toString('base64url');
