// Keyset paging as the HTTP API shows it: a store's page key (a timestamp and an id, see prisma/page.ts) as an opaque
// cursor, and back.
import { isIdOf } from '../../prisma/ids.js';
import { isStorableTime, type PageKey } from '../../prisma/page.js';
import { httpErrors } from '../errors.js';
import type { TimelineKey } from '../../prisma/contact-timeline.js';
import {
  NUMERIC_KEY_TYPES,
  TIMELINE_EVENT_TYPES,
  type TimelineEventType,
} from '../../prisma/contact-timeline-types.js';

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

/** The contact timeline's cursor: its page key (the last event's time, type and source id) as opaque text. */
export const encodeTimelineKey = (key: TimelineKey) =>
  Buffer.from(JSON.stringify([key.at.toISOString(), key.type, key.id])).toString('base64url');

/**
 * A timeline cursor from this API as its key; 400 on /query/before for anything else (a time PostgreSQL does not
 * store, an unknown type, an id that is not the type's: a contact event's is a bigint, every other an id's text).
 */
export function decodeTimelineKey(cursor: string | undefined): TimelineKey | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    // the 400 below
  }
  if (Array.isArray(key) && key.length === 3) {
    const [c, type, id] = key as unknown[];
    const at = typeof c === 'string' ? new Date(c) : undefined;
    const known = (TIMELINE_EVENT_TYPES as readonly unknown[]).includes(type);
    const idOk =
      typeof id === 'string' &&
      (NUMERIC_KEY_TYPES.includes(type as TimelineEventType)
        ? /^[1-9]\d{0,17}$/.test(id)
        : /^[A-Za-z0-9_.:-]{1,300}$/.test(id));
    if (at && isStorableTime(at.getTime()) && known && idOk) return { at, type: type as TimelineEventType, id };
  }
  throw httpErrors.badQuery('before', 'cursor', 'not a cursor from this API (a nextCursor of this timeline)');
}
