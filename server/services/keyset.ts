// Keyset paging as the HTTP API shows it: a store's page key (a timestamp and an id, see prisma/page.ts) as an opaque
// cursor, and back.
import { isIdOf } from '../../prisma/ids.js';
import { isStorableTime, type PageKey } from '../../prisma/page.js';
import { httpErrors } from '../errors.js';

export const encodeKey = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

/** The `nextCursor` of a page, when there is a next page. */
export const nextCursor = (next: PageKey | undefined) => (next ? { nextCursor: encodeKey(next.at, next.id) } : {});

/**
 * A cursor from this API as a page key (none without one); 400 on /query/cursor for anything else. The key's id must
 * be an id of the listed kind (`idPrefix`, see prisma/ids.ts) and its time one PostgreSQL stores (STORABLE_TIME): a
 * cursor JavaScript can read but PostgreSQL cannot (year 275760, a NUL in the id) never reaches a query.
 */
export function decodeCursor(cursor: string | undefined, idPrefix: string): PageKey | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    // the 400 below
  }
  if (Array.isArray(key) && key.length === 2) {
    const [c, id] = key as unknown[];
    const at = typeof c === 'string' ? new Date(c) : undefined;
    if (at && isStorableTime(at.getTime()) && typeof id === 'string' && isIdOf(idPrefix, id)) return { at, id };
  }
  throw httpErrors.badQuery('cursor', 'cursor', 'not a cursor from this API');
}
