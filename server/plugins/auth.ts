// Bearer API keys for /api/*. Registered inside the authenticated /api context only, so public routes (health,
// schemas, openapi, hooks) never see it. Keys are looked up by their SHA-256; the plain key is never stored.
import type { FastifyInstance } from 'fastify';
import { hashApiKey } from '../api-keys.js';
import { httpErrors } from '../errors.js';

/** lastUsedAt is informative only: written at most this often per key, never awaited by the request. */
const LAST_USED_EVERY_MS = 60_000;

export function registerAuth(app: FastifyInstance): void {
  const lastWritten = new Map<string, number>();
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw httpErrors.unauthorized('missing API key: send Authorization: Bearer <key>');
    const key = await app.prisma.apiKey.findUnique({
      where: { hash: hashApiKey(match[1]) },
      select: { id: true, workspaceId: true },
    });
    if (!key) throw httpErrors.unauthorized('invalid API key');
    request.workspaceId = key.workspaceId;
    const now = Date.now();
    if (now - (lastWritten.get(key.id) ?? 0) > LAST_USED_EVERY_MS) {
      lastWritten.set(key.id, now);
      app.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } }).catch((err: unknown) => {
        request.log.warn({ err }, 'could not record API key use');
      });
    }
  });
}
