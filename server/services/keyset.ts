// Keyset paging over (createdAt, id), newest first, so pages stay stable while rows are created.
import { HttpError } from '../errors.js';

type Key = { createdAt: Date; id: string };

export const encodeCursor = (row: Key) => Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');

export function decodeCursor(cursor: string): Key {
  try {
    const [c, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const createdAt = new Date(c);
    if (typeof id === 'string' && !Number.isNaN(createdAt.getTime())) return { createdAt, id };
  } catch {
    // falls through to the 400 below
  }
  throw new HttpError(400, 'validation_failed', 'the request is not valid', [{ path: '/query/cursor', code: 'cursor', message: 'not a cursor from this API' }]);
}

/** The `where` part selecting rows after the cursor in `orderBy: [{ createdAt: 'desc' }, { id: 'desc' }]`. */
export const after = (cursor: string | undefined) => {
  if (!cursor) return {};
  const k = decodeCursor(cursor);
  return { OR: [{ createdAt: { lt: k.createdAt } }, { createdAt: k.createdAt, id: { lt: k.id } }] };
};
