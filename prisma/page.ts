// Keyset paging over (a timestamp, id), newest first, so pages stay stable while rows are created. The HTTP side
// encodes and decodes the key as an opaque cursor (server/services/keyset.ts); the stores only see the key.

export interface PageKey {
  at: Date;
  id: string;
}

export interface PageQuery {
  /** The key of the last row of the previous page. */
  cursor?: PageKey;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** The key to pass as `cursor` for the next page; absent on the last page. */
  next?: PageKey;
}

/** The `where` part selecting rows after the key in `orderBy: [{ [field]: 'desc' }, { id: 'desc' }]`. */
export const afterKey = (key: PageKey | undefined, field = 'createdAt') =>
  key ? { OR: [{ [field]: { lt: key.at } }, { [field]: key.at, id: { lt: key.id } }] } : {};

/**
 * A page from rows fetched with `take: limit + 1`: the extra row only says there is more. `keyOf` gives a row's key;
 * a row without one (e.g. a null timestamp) ends the paging.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => PageKey | undefined): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next = rows.length > limit && last ? keyOf(last) : undefined;
  return { items, ...(next && { next }) };
}

/**
 * The instants Confluo gives a timestamp(3) column, and so the only ones a cursor can carry: years 0001 to 9999 (UTC).
 * Before year 1 a Date reaches PostgreSQL as a year it refuses (0000, or an expanded `-271821`: measured, a 500);
 * after 9999 it would be stored, but RFC 3339 (the API's `date-time`) writes four-digit years only, so no time this
 * API shows or takes is there. Not narrower, e.g. from 1970: messages keep the provider's own timestamp, which may
 * be older, and their cursors must still decode.
 */
export const STORABLE_TIME = {
  min: Date.parse('0001-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
};

/** Whether `ms` (epoch milliseconds) is an instant PostgreSQL stores from us (STORABLE_TIME). */
export const isStorableTime = (ms: number) =>
  Number.isInteger(ms) && ms >= STORABLE_TIME.min && ms <= STORABLE_TIME.max;
