// Bearer API keys for /api/*. Registered inside the authenticated /api context only, so public routes (health,
// schemas, openapi, hooks) never see it. Keys are looked up by their SHA-256; the plain key is never stored.
// A key's role bounds what it may do: every /api route needs a role (ROUTE_ROLES), a request with a key of a lesser
// role is refused with 403 naming the role needed.
import type { FastifyInstance } from 'fastify';
import { hashApiKey } from '../api-keys.js';
import { httpErrors } from '../errors.js';
import { errors } from '../schemas/common.js';

/** From least to most: each role may do what the ones before it may. */
export const ROLES = ['viewer', 'agent', 'builder', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The role each /api route needs, by `METHOD /path` (without `/api`). Reads (GET) need `viewer` and are not listed;
 * every other route must be, or registering it fails, so none can be added without saying who may call it.
 * - agent: answer customers (the inbox), merge and unmerge their contacts;
 * - builder: flows, runs and channel accounts;
 * - admin: the workspace's contact settings (attribute definitions, merge rules).
 */
export const ROUTE_ROLES: Record<string, Role> = {
  'POST /flows/validate': 'viewer',
  'POST /flows': 'builder',
  'PUT /flows/:id': 'builder',
  'DELETE /flows/:id': 'builder',
  'POST /flows/:id/publish': 'builder',
  'POST /flows/:id/test': 'builder',
  'POST /flows/:id/steps/:nodeId/test': 'builder',
  'POST /flows/:id/schedule/pause': 'builder',
  'POST /flows/:id/schedule/resume': 'builder',
  'POST /flows/:id/poll/pause': 'builder',
  'POST /flows/:id/poll/resume': 'builder',
  'POST /templates/:slug/flows': 'builder',
  'POST /runs/:id/cancel': 'builder',
  'POST /runs/:id/retry': 'builder',
  'POST /conversations/:id/messages': 'agent',
  'POST /conversations/:id/close': 'agent',
  'POST /conversations/:id/reopen': 'agent',
  'POST /contacts/:id/merge': 'agent',
  'POST /contact-merges/:mergeId/undo': 'agent',
  'POST /contacts/:id/identities': 'agent',
  'PATCH /contacts/:id': 'agent',
  'POST /contacts/:id/notes': 'agent',
  'DELETE /contacts/:id/notes/:noteId': 'agent',
  'POST /duplicates/:id/merge': 'agent',
  'POST /duplicates/:id/dismiss': 'agent',
  'DELETE /contacts/:id/identities/:identityId': 'agent',
  'POST /contact-attributes': 'admin',
  'PATCH /contact-attributes/:key': 'admin',
  'DELETE /contact-attributes/:key': 'admin',
  'PATCH /contact-settings': 'admin',
  'PATCH /workspace-settings': 'builder',
  'POST /channel-accounts': 'builder',
  'PATCH /channel-accounts/:id': 'builder',
  'DELETE /channel-accounts/:id': 'builder',
};

const routeKey = (method: string, url: string) => `${method} ${url.replace(/^\/api(?=\/)/, '')}`;

/** The role a route needs; undefined for a non-GET route nobody declared. */
export function roleFor(method: string, url: string): Role | undefined {
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  return ROUTE_ROLES[routeKey(method, url)];
}

/** A stored role; anything unknown counts as the least one. */
const rank = (role: string) => Math.max(0, ROLES.indexOf(role as Role));

/** lastUsedAt is informative only: written at most this often per key, never awaited by the request. */
const LAST_USED_EVERY_MS = 60_000;

export function registerAuth(app: FastifyInstance): void {
  const lastWritten = new Map<string, number>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (!roleFor(method, route.url))
        throw new Error(`${method} ${route.url} declares no role: add it to ROUTE_ROLES in server/plugins/auth.ts`);
    // Every route here can answer 401 (no or a wrong key) and 403 (a key whose role is below the route's): documented.
    const response = route.schema?.response as Record<number, unknown> | undefined;
    if (response) route.schema!.response = { ...response, ...errors(401, 403) };
  });
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw httpErrors.unauthorized('missing API key: send Authorization: Bearer <key>');
    const key = await app.prisma.apiKey.findUnique({
      where: { hash: hashApiKey(match[1]) },
      select: { id: true, workspaceId: true, role: true },
    });
    if (!key) throw httpErrors.unauthorized('invalid API key');
    const url = request.routeOptions.url;
    const needed = url === undefined ? 'viewer' : (roleFor(request.method, url) ?? 'owner');
    if (rank(key.role) < rank(needed)) throw httpErrors.forbidden(needed, key.role);
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
