// Keyset paging as the HTTP API shows it: a store's page key (a timestamp and an id, see prisma/page.ts) as an opaque
// cursor, and back.
import type { PageKey } from '../../prisma/page.js';
import { httpErrors } from '../errors.js';

export const encodeKey = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

/** The `nextCursor` of a page, when there is a next page. */
export const nextCursor = (next: PageKey | undefined) => (next ? { nextCursor: encodeKey(next.at, next.id) } : {});

/** A cursor from this API as a page key (none without one); 400 for anything else. */
export function decodeCursor(cursor: string | undefined): PageKey | undefined {
  if (!cursor) return undefined;
  try {
    const [c, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const at = new Date(c);
    if (typeof id === 'string' && !Number.isNaN(at.getTime())) return { at, id };
  } catch {
    // falls through to the 400 below
  }
  throw httpErrors.badQuery('cursor', 'cursor', 'not a cursor from this API');
}
