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
