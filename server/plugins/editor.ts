// Serves the editor's static build at / when it was built, and its icon at /favicon.ico too. Client-side routes fall
// back to index.html (see app.ts).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** True when the editor is served. */
export async function registerEditor(app: FastifyInstance, editorDir: string | undefined): Promise<boolean> {
  if (!editorDir || !existsSync(resolve(editorDir, 'index.html'))) return false;
  await app.register(fastifyStatic, { root: resolve(editorDir), prefix: '/', wildcard: true, index: 'index.html' });
  // Browsers and other clients ask for /favicon.ico whatever the page links: answer with the build's SVG icon.
  if (existsSync(resolve(editorDir, 'favicon.svg')))
    app.get('/favicon.ico', { schema: { hide: true } }, (_request, reply) =>
      reply.type('image/svg+xml').sendFile('favicon.svg'),
    );
  return true;
}
