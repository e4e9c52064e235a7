// Visitor identity: a random visitor id, and a token proving the server issued it (HMAC-SHA256 of the id under the
// account's widget secret). The widget keeps both in localStorage; whoever holds the pair is that visitor.
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../sdk/index.js';

/** Visitor ids: URL-safe, no `:` (the message ids are `<visitorId>:<clientMessageId>`). */
export const VISITOR_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';
const VISITOR_ID = new RegExp(VISITOR_ID_PATTERN);

export const isVisitorId = (v: unknown): v is string => typeof v === 'string' && VISITOR_ID.test(v);

/** `v_` + 16 random bytes in base64url. */
export const newVisitorId = () => `v_${randomBytes(16).toString('base64url')}`;

export const visitorToken = (secret: string, visitorId: string) =>
  createHmac('sha256', secret).update(visitorId, 'utf8').digest('base64url');

/** Constant time; false for a malformed id or a token of any other type. */
export function checkVisitorToken(secret: string, visitorId: unknown, token: unknown): boolean {
  if (!isVisitorId(visitorId) || typeof token !== 'string') return false;
  return constantTimeEqual(visitorToken(secret, visitorId), token);
}
