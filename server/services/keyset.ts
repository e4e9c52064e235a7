// Keyset paging over (a timestamp, id), newest first, so pages stay stable while rows are created.
import { HttpError } from '../errors.js';

type Key = { at: Date; id: string };

export const encodeKey = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
export const encodeCursor = (row: { createdAt: Date; id: string }) => encodeKey(row.createdAt, row.id);

export function decodeCursor(cursor: string): Key {
  try {
    const [c, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const at = new Date(c);
    if (typeof id === 'string' && !Number.isNaN(at.getTime())) return { at, id };
  } catch {
    // falls through to the 400 below
  }
  throw new HttpError(400, 'validation_failed', 'the request is not valid', [
    { path: '/query/cursor', code: 'cursor', message: 'not a cursor from this API' },
  ]);
}

/** The `where` part selecting rows after the cursor in `orderBy: [{ [field]: 'desc' }, { id: 'desc' }]`. */
export const after = (cursor: string | undefined, field = 'createdAt') => {
  if (!cursor) return {};
  const k = decodeCursor(cursor);
  return { OR: [{ [field]: { lt: k.at } }, { [field]: k.at, id: { lt: k.id } }] };
};
