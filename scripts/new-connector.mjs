#!/usr/bin/env node
// `npm run connector:new -- <name> [--dir <path>]`: a new connector plugin package, confluo-connector-<name>, with one
// action, a passing test against a local fake server, and node_modules/confluo linked to this Confluo so it runs at once.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CONFLUO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The SDK's rule for connector ids (connectors/sdk/define.ts). */
const CONNECTOR_ID = /^[a-z][a-z0-9_-]*$/;
const MAX_ID = 64;
const USAGE =
  'usage: npm run connector:new -- <name> [--dir <path>]\n  <name>: the connector id, lower-case (a-z, 0-9, - and _), e.g. acme-crm';

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function parse() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { dir: { type: 'string', short: 'd' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    fail(`${err.message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (args.positionals.length !== 1) fail(`give exactly one connector name\n${USAGE}`);
  const name = args.positionals[0];
  if (name.startsWith('confluo-connector-'))
    fail(
      `give the connector id, not the package name: e.g. "${name.slice('confluo-connector-'.length)}" makes ${name}`,
    );
  if (!CONNECTOR_ID.test(name) || name.length > MAX_ID)
    fail(
      `invalid connector name "${name}": it must start with a-z and use only a-z, 0-9, - and _ (at most ${MAX_ID} characters)\n${USAGE}`,
    );
  // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
  const base =
    process.env.npm_lifecycle_event === 'connector:new' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  return { name, dir: resolve(base, args.values.dir ?? '.') };
}

const camel = (id) => id.replace(/[-_]+([a-z0-9])/g, (_, c) => c.toUpperCase());
const title = (id) =>
  id
    .split(/[-_]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
const json = (v) => `${JSON.stringify(v, null, 2)}\n`;

function files(name, pkgDir) {
  const confluo = JSON.parse(readFileSync(join(CONFLUO_ROOT, 'package.json'), 'utf8'));
  const dev = { ...confluo.dependencies, ...confluo.devDependencies };
  const Name = title(name);
  const Type = camel(name).replace(/^./, (c) => c.toUpperCase());
  const id = camel(name);
  const confluoPath = relative(pkgDir, CONFLUO_ROOT).split(sep).join('/') || '.';
  return {
    'package.json': json({
      name: `confluo-connector-${name}`,
      version: '0.1.0',
      description: `Confluo connector: ${Name}`,
      type: 'module',
      main: 'index.ts',
      files: ['*.ts', 'actions/*.ts', '!**/*.test.ts', 'README.md'],
      keywords: ['confluo', 'confluo-connector'],
      scripts: { test: 'vitest run', typecheck: 'tsc -p .' },
      // Optional: npm must not fetch a "confluo" from the registry; the server that loads the plugin provides it.
      peerDependencies: { confluo: `>=${confluo.version}` },
      peerDependenciesMeta: { confluo: { optional: true } },
      devDependencies: {
        confluo: `file:${confluoPath}`,
        vitest: dev.vitest,
        typescript: dev.typescript,
        '@types/node': dev['@types/node'],
      },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['**/*.ts'],
      exclude: ['node_modules'],
    }),
    '.gitignore': 'node_modules/\n',
    'vitest.config.ts': `// Its own config, so running the tests from this folder never picks up the config of a project around it. The fake
// API listens on loopback, which provider calls reach only when the operator allows it, as here.
export default {
  test: { include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], env: { CONFLUO_HTTP_ALLOWLIST: '127.0.0.1' } },
};
`,
    'index.ts': `// The ${Name} connector for Confluo. Load it with CONFLUO_PLUGINS=<this folder> (or its package name once installed).
import { defineConnector } from 'confluo/sdk';
import { getRecordAction } from './actions/get-record.js';
import { ${id}Auth } from './auth.js';

export const ${id}Connector = defineConnector({
  id: '${name}',
  name: '${Name}',
  version: '0.1.0',
  description: 'Talks to the ${Name} API.',
  auth: ${id}Auth,
  actions: [getRecordAction],
});

export default ${id}Connector;
`,
    'auth.ts': `// The connection's credentials (stored encrypted by Confluo, handed to actions as ctx.auth), and the provider the
// connector calls: its public host, which a base URL setting must match unless the operator allows another host
// (CONFLUO_HTTP_ALLOWLIST). The schema is TypeBox, which is JSON Schema: the editor renders the connection form from it.
import { Type, defineProvider, type Static } from 'confluo/sdk';

export const ${id}Api = defineProvider({
  name: '${Name} API',
  hosts: ['api.example.com'],
  defaultBaseUrl: 'https://api.example.com',
});

export const ${id}Auth = Type.Object(
  {
    apiKey: Type.String({ minLength: 1, title: 'API key', 'x-ui': { secret: true } }),
    /** Tests and self-hosted proxies point the connector elsewhere (their host in CONFLUO_HTTP_ALLOWLIST). */
    apiBaseUrl: Type.Optional(${id}Api.baseUrlField()),
  },
  { additionalProperties: false },
);
export type ${Type}Auth = Static<typeof ${id}Auth>;
`,
    'client.ts': `// The HTTP calls to the ${Name} API, made through the SDK's provider (the only way a connector reaches the network:
// it checks the base URL and refuses internal addresses). Failures become ConnectorErrors, so Confluo knows whether a
// retry can help (5xx and 429 with Retry-After: yes; other 4xx: no). Only the provider's own error text is quoted.
import { ConnectorError, errorFromHttpStatus, type ActionContext } from 'confluo/sdk';
import { ${id}Api, type ${Type}Auth } from './auth.js';

export async function apiGet(ctx: ActionContext, path: string): Promise<Record<string, unknown>> {
  const auth = ctx.auth as ${Type}Auth | undefined;
  if (!auth?.apiKey) throw new ConnectorError('auth', 'this action needs a connection with a ${Name} API key', { code: 'NO_CONNECTION' });
  const base = ${id}Api.baseUrl(auth.apiBaseUrl);
  // For calls that change something, also send ctx.idempotencyKey (the same on every retry) if the API dedupes.
  const res = await ${id}Api.call({
    label: '${Name} GET',
    url: \`\${base}\${path}\`,
    init: { headers: { authorization: \`Bearer \${auth.apiKey}\`, accept: 'application/json' } },
    signal: ctx.signal,
  });
  if (res.status < 200 || res.status > 299)
    throw errorFromHttpStatus(res.status, { retryAfter: res.retryAfter, message: \`${Name} answered HTTP \${res.status}\` });
  try {
    const body: unknown = JSON.parse(res.text);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ConnectorError('upstream', '${Name} answered with something other than a JSON object', { retryable: false, code: 'BAD_RESPONSE' });
}
`,
    'actions/get-record.ts': `// \`${name}.getRecord\`: one record by id. Replace it with your API's first real call. The input and output types
// come from the schemas (TypeBox, which is JSON Schema: the editor renders the step's form from \`input\`).
import { Type, defineAction } from 'confluo/sdk';
import { apiGet } from '../client.js';

export const getRecordAction = defineAction({
  id: 'getRecord',
  name: 'Get record',
  description: 'Fetches one record by id.',
  input: Type.Object({ id: Type.String({ minLength: 1, title: 'Record id' }) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String(), data: Type.Unsafe<Record<string, unknown>>({ type: 'object' }) }),
  async run(ctx, input) {
    const data = await apiGet(ctx, \`/records/\${encodeURIComponent(input.id)}\`);
    return { id: input.id, data };
  },
});
`,
    'actions/get-record.test.ts': `// Runs \`${name}.getRecord\` against a local fake of the API (no network), and loads the package as Confluo does.
import { fileURLToPath } from 'node:url';
import { isConnectorError, loadPlugins, type ActionContext, type ChannelsService } from 'confluo/sdk';
import { actionContext, startFakeServer, type FakeReply, type FakeServer } from 'confluo/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRecordAction } from './get-record.js';

const noChannels: ChannelsService = {
  send: async () => {
    throw new Error('this connector sends no messages');
  },
  reply: async () => {
    throw new Error('this connector sends no messages');
  },
};

let fake: FakeServer;
let reply: FakeReply;
const ctx = (auth?: Record<string, string>): ActionContext => actionContext({ channels: noChannels }, auth ? { auth } : {});

beforeAll(async () => {
  fake = await startFakeServer((req, f) => {
    if (req.method !== 'GET' || !req.path.startsWith('/records/')) f.violate(req, 'only GET /records/:id exists');
    if (req.headers.authorization !== 'Bearer test-key') f.violate(req, 'missing or wrong bearer token');
    return reply;
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  reply = { status: 200, body: { name: 'Ada' } };
});

describe('${name}.getRecord', () => {
  it('fetches the record with the API key', async () => {
    const out = await getRecordAction.run(ctx({ apiKey: 'test-key', apiBaseUrl: fake.url }), { id: 'r 1' });
    expect(out).toEqual({ id: 'r 1', data: { name: 'Ada' } });
    expect(fake.requests.map((r) => r.path)).toEqual(['/records/r%201']);
    expect(fake.violations).toEqual([]);
  });

  it('404 is not retried', async () => {
    reply = { status: 404, body: { error: 'no such record' } };
    const err = await getRecordAction.run(ctx({ apiKey: 'test-key', apiBaseUrl: fake.url }), { id: 'x' }).catch((e: unknown) => e);
    expect(isConnectorError(err)).toBe(true);
    expect(err).toMatchObject({ kind: 'not_found', retryable: false, code: 'HTTP_404' });
  });

  it('429 is retried after Retry-After', async () => {
    reply = { status: 429, headers: { 'retry-after': '7' } };
    const err = await getRecordAction.run(ctx({ apiKey: 'test-key', apiBaseUrl: fake.url }), { id: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 7000 });
  });

  it('needs a connection', async () => {
    const err = await getRecordAction.run(ctx(), { id: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'auth', code: 'NO_CONNECTION' });
    expect(fake.requests).toEqual([]);
  });
});

describe('the package', () => {
  it('loads as Confluo loads it (CONFLUO_PLUGINS=<this folder>)', async () => {
    const dir = fileURLToPath(new URL('..', import.meta.url));
    const { connectors } = await loadPlugins([dir], { cwd: dir });
    expect(connectors.map((c) => c.manifest.actions.map((a) => a.id))).toEqual([['${name}.getRecord']]);
  });
});
`,
    'README.md': `# confluo-connector-${name}

A Confluo connector plugin: ${Name}.

| action | does |
|---|---|
| \`${name}.getRecord\` | fetches one record by id (\`GET {apiBaseUrl}/records/{id}\`) |

Connection (\`auth.ts\`): \`apiKey\` (required, sent as a bearer token), \`apiBaseUrl\` (default \`https://api.example.com\`;
another host only when the operator lists it in \`CONFLUO_HTTP_ALLOWLIST\`).

## Develop

\`node_modules/confluo\` links to the Confluo checkout this package was made from (\`devDependencies.confluo\` is
\`file:${confluoPath}\`; change it if Confluo lives elsewhere). \`confluo/sdk\` is the connector SDK, \`confluo/testkit\`
the test helpers (fake servers, action contexts).

    npm install && npm test        # or, without installing: <confluo>/node_modules/.bin/vitest run --root .

## Use it in Confluo

In the Confluo folder, either by path or, once installed there (\`npm install <path to this folder>\`), by name:

    CONFLUO_PLUGINS=/path/to/confluo-connector-${name} npm start
    CONFLUO_PLUGINS=confluo-connector-${name} npm start

Confluo checks the connector when it starts and refuses to start if it is invalid or its id is taken.
`,
  };
}

function main() {
  const { name, dir } = parse();
  const pkgDir = join(dir, `confluo-connector-${name}`);
  if (existsSync(pkgDir)) fail(`${pkgDir} already exists: not overwriting it`);
  const out = files(name, pkgDir);
  mkdirSync(dir, { recursive: true });
  mkdirSync(pkgDir); // not recursive: fails rather than write into a folder created meanwhile
  for (const [file, text] of Object.entries(out)) {
    mkdirSync(dirname(join(pkgDir, file)), { recursive: true });
    writeFileSync(join(pkgDir, file), text, { flag: 'wx' });
  }
  // What `npm install` would make from devDependencies.confluo, made now so the test runs without installing.
  let linked = true;
  try {
    mkdirSync(join(pkgDir, 'node_modules'));
    symlinkSync(
      relative(join(pkgDir, 'node_modules'), CONFLUO_ROOT) || '.',
      join(pkgDir, 'node_modules', 'confluo'),
      process.platform === 'win32' ? 'junction' : 'dir',
    );
  } catch (err) {
    linked = false;
    process.stderr.write(`could not link node_modules/confluo (${err.message}); run npm install in the package\n`);
  }
  const vitest = join(CONFLUO_ROOT, 'node_modules', '.bin', 'vitest');
  process.stdout.write(`Created ${pkgDir}
  ${Object.keys(out).join('\n  ')}${linked ? `\n  node_modules/confluo -> ${CONFLUO_ROOT}` : ''}

Next steps:
  cd ${pkgDir}
  ${vitest} run --root .      # run its test now (or: npm install && npm test)
  edit auth.ts and actions/get-record.ts for your API

Load it into Confluo (the server checks it at start-up):
  cd ${CONFLUO_ROOT} && CONFLUO_PLUGINS=${pkgDir} npm start
`);
}

main();
