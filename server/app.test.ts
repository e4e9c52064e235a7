// Cross-cutting behaviour: health, the OpenAPI document, auth, and the uniform error body for bad requests.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import Fastify from 'fastify';
import { buildApp } from './app.js';
import { registerAuth, roleFor } from './plugins/auth.js';
import { keyWithRole, startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ bodyLimit: 4096 });
});
afterAll(async () => t?.close());

describe('health', () => {
  it('is ok when PostgreSQL and Temporal answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      checks: { database: 'ok', temporal: 'ok' },
      inbound: { pending: expect.any(Number), oldestPendingSeconds: expect.any(Number) },
    });
  });
});

describe('documents', () => {
  it('serves the OpenAPI document without a key, listing the routes and the bearer scheme', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of [
      '/health',
      '/api/flows',
      '/api/flows/{id}',
      '/api/flows/{id}/publish',
      '/api/flows/validate',
      '/hooks/flows/{token}',
      '/api/runs',
      '/api/runs/{id}',
      '/api/contacts',
      '/api/contacts/{id}',
      '/api/connectors',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.paths['/api/flows'].post.responses).toHaveProperty('201');
    expect(doc.paths['/hooks/flows/{token}'].post.security).toEqual([]);
    // Every keyed route documents the 401 and the 403 its role check can answer.
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>))
      for (const [method, op] of Object.entries(item))
        if (op.security?.length !== 0 && path.startsWith('/api/') && op.responses?.['200'] !== undefined)
          expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
  });

  it('serves the flow JSON Schema without a key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/schemas/flow.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveProperty('properties.nodes');
  });

  it('serves interactive docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});

describe('auth', () => {
  it('rejects a missing key with 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/flows' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json().error.code).toBe('unauthorized');
  });

  it('rejects a wrong key and a malformed header with 401', async () => {
    for (const authorization of ['Bearer cfl_wrong', 'Basic abc', `Bearer`]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/flows', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('accepts the right key and scopes the request to its workspace', async () => {
    const res = await t.api({ method: 'GET', url: '/api/connectors' });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['http', 'contacts']));
  });

  it('records when a key was last used', async () => {
    await t.api({ method: 'GET', url: '/api/flows' });
    const key = await t.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: t.workspaceId } });
    await expect
      .poll(async () => (await t.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt)
      .not.toBeNull();
  });
});

describe('roles', () => {
  const callerWithRole = async (role: string) => {
    const key = await keyWithRole(t, role);
    return (opts: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: object }) =>
      t.app.inject({ ...opts, headers: { authorization: `Bearer ${key}` } });
  };

  it('lets a viewer read and validate but not create, change or delete, with 403 naming the role', async () => {
    const viewer = await callerWithRole('viewer');
    const flow = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'roles' } })).json();
    const before = await t.prisma.flow.count({ where: { workspaceId: t.workspaceId } });
    expect((await viewer({ method: 'GET', url: '/api/flows' })).statusCode).toBe(200);
    expect((await viewer({ method: 'GET', url: `/api/flows/${flow.id}` })).statusCode).toBe(200);
    expect((await viewer({ method: 'POST', url: '/api/flows/validate', payload: { definition: {} } })).statusCode).toBe(
      200,
    );
    for (const req of [
      { method: 'POST' as const, url: '/api/flows', payload: { name: 'x' } },
      { method: 'PUT' as const, url: `/api/flows/${flow.id}`, payload: { name: 'y' } },
      { method: 'DELETE' as const, url: `/api/flows/${flow.id}` },
      { method: 'POST' as const, url: `/api/flows/${flow.id}/publish` },
      { method: 'POST' as const, url: '/api/channel-accounts', payload: { connector: 'webchat', name: 'w' } },
    ]) {
      const res = await viewer(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(403);
      expect(res.json().error).toEqual({ code: 'forbidden', message: expect.stringContaining('builder role') });
    }
    expect(await t.prisma.flow.count({ where: { workspaceId: t.workspaceId } })).toBe(before);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flow.id}` })).json().name).toBe('roles');
  });

  it('lets an agent answer customers but not build; a builder builds; an unknown role counts as viewer', async () => {
    const agent = await callerWithRole('agent');
    expect((await agent({ method: 'POST', url: '/api/flows', payload: { name: 'x' } })).statusCode).toBe(403);
    // Past the role check, the route itself answers (no such conversation).
    expect(
      (await agent({ method: 'POST', url: '/api/conversations/cnv_nope/messages', payload: { text: 'hi' } }))
        .statusCode,
    ).toBe(404);
    const builder = await callerWithRole('builder');
    expect((await builder({ method: 'POST', url: '/api/flows', payload: { name: 'b' } })).statusCode).toBe(201);
    const odd = await callerWithRole('superuser');
    expect((await odd({ method: 'POST', url: '/api/flows', payload: { name: 'o' } })).statusCode).toBe(403);
    expect((await odd({ method: 'GET', url: '/api/flows' })).statusCode).toBe(200);
  });

  it('refuses to register a route that declares no role', async () => {
    const app = Fastify();
    await app.register(
      async (api) => {
        registerAuth(api);
        api.get('/things', async () => []);
        expect(() => api.post('/things', async () => ({}))).toThrow(/POST \/api\/things declares no role/);
      },
      { prefix: '/api' },
    );
    await app.close();
    expect(roleFor('POST', '/api/flows')).toBe('builder');
    expect(roleFor('HEAD', '/api/anything')).toBe('viewer');
  });
});

describe('errors', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.api({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await t.api({
      method: 'POST',
      url: '/api/flows',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it('takes an empty JSON body on the body-less action endpoints as no options', async () => {
    const json = { 'content-type': 'application/json' };
    const created = await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'empty body' } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    for (const payload of ['', '  ']) {
      const published = await t.api({ method: 'POST', url: `/api/flows/${id}/publish`, headers: json, payload });
      expect(published.statusCode, published.body).toBe(201);
    }
    const run = await t.api({ method: 'POST', url: `/api/flows/${id}/test`, headers: json, payload: '' });
    expect(run.statusCode, run.body).toBe(202);
    const cancel = await t.api({
      method: 'POST',
      url: `/api/runs/${run.json().runId}/cancel`,
      headers: json,
      payload: '',
    });
    expect(cancel.statusCode, cancel.body).toBe(202);
  });

  it('still refuses an empty JSON body where the route needs one, naming the body', async () => {
    const res = await t.api({
      method: 'POST',
      url: '/api/flows',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(JSON.stringify(res.json().error)).toContain('body');
  });

  it('answers what fails before a route runs with the one error body', async () => {
    // A listening server: Node's HTTP parser and Fastify's router see these before any route (inject skips the parser).
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(address).port), '127.0.0.1');
        let answer = '';
        socket.on('data', (d) => (answer += d.toString('latin1')));
        socket.on('end', () => resolve(answer));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
        socket.end(request);
      });
    const cases: Array<[string, number, string]> = [
      ['GET /hooks/flows/%zz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_url'],
      ['GET /api/flows/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_url'],
      [`GET /api/flows/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, 'uri_too_long'],
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
      ['NOT HTTP\r\n\r\n', 400, 'bad_request'],
    ];
    for (const [request, status, code] of cases) {
      const answer = await raw(request);
      const [head, body] = [answer.slice(0, answer.indexOf('\r\n\r\n')), answer.slice(answer.indexOf('\r\n\r\n') + 4)];
      expect(head, code).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head.toLowerCase(), code).toContain('content-type: application/json');
      expect(JSON.parse(body), code).toEqual({ error: { code, message: expect.any(String) } });
    }
  });

  it('refuses text PostgreSQL cannot store, and deep nesting, with 400 naming the field, storing nothing', async () => {
    const before = await t.prisma.flow.count({ where: { workspaceId: t.workspaceId } });
    // Written as text: JSON.stringify itself recurses and cannot write it.
    const deep = `${'['.repeat(1000)}1${']'.repeat(1000)}`;
    const cases: Array<[{ method: 'GET' | 'POST'; url: string; payload?: string }, string, string]> = [
      [
        { method: 'POST', url: '/api/flows', payload: JSON.stringify({ name: 'a\u0000b' }) },
        'invalid_text',
        '/body/name',
      ],
      [
        { method: 'POST', url: '/api/flows', payload: JSON.stringify({ name: 'a\ud800b' }) },
        'invalid_text',
        '/body/name',
      ],
      [
        { method: 'POST', url: '/api/flows', payload: JSON.stringify({ name: 'x\udc00' }) },
        'invalid_text',
        '/body/name',
      ],
      [
        { method: 'POST', url: '/api/flows', payload: JSON.stringify({ name: 'n', definition: { 'k\u0000': 1 } }) },
        'invalid_text',
        '/body/definition/k\u0000',
      ],
      [{ method: 'POST', url: '/api/flows', payload: `{"name":"n","definition":${deep}}` }, 'too_deep', ''],
      [{ method: 'GET', url: '/api/flows/%00' }, 'invalid_text', '/params/id'],
      [{ method: 'GET', url: '/api/flows?cursor=%00' }, 'invalid_text', '/query/cursor'],
      [{ method: 'GET', url: '/api/contacts?identity=email:a%00b@x.test' }, 'invalid_text', '/query/identity'],
    ];
    for (const [req, code, path] of cases) {
      const res = await t.api({ ...req, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, `${req.url} ${res.body}`).toBe(400);
      expect(res.json().error.code, `${req.url} ${res.body}`).toBe(code);
      if (path) expect(res.json().error.issues[0].path).toBe(path);
      else expect(res.json().error.issues[0].path).toMatch(/^\/body\/definition(\/0)+$/);
    }
    // Without a key too: the webhook and gateway routes.
    for (const url of ['/hooks/flows/%00', '/hooks/channels/%00']) {
      const res = await t.app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid_text',
        issues: [{ path: expect.stringMatching(/^\/params\//) }],
      });
    }
    const hook = await t.app.inject({
      method: 'POST',
      url: '/hooks/flows/nope',
      headers: { 'content-type': 'application/json' },
      payload: deep,
    });
    expect(hook.statusCode).toBe(400);
    expect(hook.json().error.code).toBe('too_deep');
    expect(await t.prisma.flow.count({ where: { workspaceId: t.workspaceId } })).toBe(before);
  });

  it('answers an unsupported content type with 415', async () => {
    for (const type of ['text/plain', 'application/xml']) {
      const res = await t.api({
        method: 'POST',
        url: '/api/flows',
        headers: { 'content-type': type },
        payload: 'name=x',
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    }
  });

  it('answers a body over the limit with 413', async () => {
    const res = await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'x'.repeat(5000) } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('body_too_large');
  });

  it('lists every schema issue of a request', async () => {
    const res = await t.api({ method: 'POST', url: '/api/flows', payload: { name: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: '/body/name', code: 'minLength' }],
    });

    const q = await t.api({ method: 'GET', url: '/api/flows?limit=0' });
    expect(q.statusCode).toBe(400);
    expect(q.json().error.issues).toEqual([expect.objectContaining({ path: '/query/limit', code: 'minimum' })]);

    const many = await t.api({ method: 'GET', url: '/api/runs?limit=0&status=bogus' });
    expect(many.statusCode).toBe(400);
    const paths = many.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toContain('/query/limit');
    expect(paths).toContain('/query/status');
  });
});

describe('when things break', () => {
  it('reports a dead database as degraded (503) and answers 500 internal without details', async () => {
    const { createPrisma } = await import('../prisma/client.js');
    const deadDb = createPrisma('postgresql://postgres@127.0.0.1:1/none', { max: 1 });
    const lines: string[] = [];
    const pino = (await import('pino')).default;
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const broken = await buildApp({
      prisma: deadDb,
      temporal: { client: t.client, taskQueue: t.taskQueue, namespace: 'default' },
      workflows: t.app.workflows,
      registry: createRegistry(builtinConnectors()),
      logger,
      publicUrl: 'http://x',
      contactEvents: false,
    });
    try {
      const health = await broken.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'degraded', checks: { temporal: 'ok' } });
      expect(health.json().checks.database).not.toBe('ok');

      const res = await broken.inject({ method: 'GET', url: '/api/flows', headers: { authorization: 'Bearer x' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
      // Logged with the stack for the operator.
      expect(lines.some((l) => l.includes('unhandled error') && l.includes('"stack"'))).toBe(true);

      // Webhook tokens and query strings stay out of the request log.
      await broken.inject({ method: 'POST', url: '/hooks/flows/supersecrettoken?sig=abc', payload: {} });
      const logged = lines.join('\n');
      expect(logged).toContain('/hooks/flows/supe…');
      expect(logged).not.toContain('supersecrettoken');
      expect(logged).not.toContain('sig=abc');
    } finally {
      await broken.close();
      await deadDb.$disconnect();
    }
  });
});

describe('editor', () => {
  it('serves the static build at / with index.html for client-side routes, and JSON 404s for the API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'confluo-editor-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Confluo</title>');
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    const app = await buildApp({
      prisma: t.prisma,
      temporal: { client: t.client, taskQueue: t.taskQueue, namespace: 'default' },
      workflows: t.app.workflows,
      registry: createRegistry(builtinConnectors()),
      logger: false,
      publicUrl: 'http://x',
      contactEvents: false,
      editorDir: dir,
    });
    try {
      const root = await app.inject({ method: 'GET', url: '/' });
      expect(root.statusCode).toBe(200);
      expect(root.body).toContain('<title>Confluo</title>');
      expect((await app.inject({ method: 'GET', url: '/app.js' })).body).toBe('console.log(1)');
      const page = await app.inject({ method: 'GET', url: '/flows/abc', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<title>Confluo</title>');
      const api = await app.inject({ method: 'GET', url: '/api/nope', headers: { accept: 'text/html' } });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe('not_found');
      expect((await app.inject({ method: 'GET', url: '/missing.js' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
