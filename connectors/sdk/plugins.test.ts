// Plugins are real files in a temp folder outside the repo (plus the in-repo example package), imported for real.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../builtin.js';
import { defineConnector } from './define.js';
import { loadPlugins, parsePluginSpecs, PluginLoadError } from './plugins.js';
import { createRegistry } from './registry.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'connectors', 'examples', 'confluo-connector-weather');

/** A connector definition as plain JS source, built without any SDK (as another SDK copy would hand it over). */
const plainConnector = (id: string, extra = '') => `{
  id: '${id}', name: '${id} plugin', version: '1.0.0',
  actions: [{ id: 'ping', name: 'Ping', description: 'Answers pong', input: { type: 'object' }, output: { type: 'object' },
    run: async () => ({ pong: true }) }],
  ${extra}
}`;

let tmp: string;
const at = (...p: string[]) => join(tmp, ...p);
function write(rel: string, text: string) {
  mkdirSync(dirname(at(rel)), { recursive: true });
  writeFileSync(at(rel), text);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'confluo-plugins-'));
  // Another SDK copy's connector: carries a stale manifest that must not be trusted.
  write(
    'other-sdk/index.mjs',
    `export default { ...${plainConnector('othersdk')}, manifest: { id: 'othersdk', actions: [] } };`,
  );
  write(
    'two/index.ts',
    `const make = (id: string) => (${plainConnector('${id}').replace("'${id}'", 'id')});\nexport const connectors = [make('alpha'), make('beta')];`,
  );
  write('named/plugin.ts', `export const connector = ${plainConnector('named')};`);
  write('cjs/package.json', JSON.stringify({ name: 'cjs-plugin', version: '2.0.0', main: 'main.cjs' }));
  write('cjs/main.cjs', `module.exports = { connector: ${plainConnector('cjsplugin')} };`);
  write(
    'exports-map/package.json',
    JSON.stringify({
      name: 'exports-map',
      type: 'module',
      exports: { '.': { types: './types.d.ts', import: './src/entry.ts' }, './package.json': './package.json' },
    }),
  );
  write('exports-map/src/entry.ts', `const c: { id: string } = ${plainConnector('mapped')};\nexport default c;`);
  write('no-main/package.json', JSON.stringify({ name: 'no-main', main: 'dist/index.js' }));
  write('throws/index.ts', `throw new Error('boom while loading');\nexport default {};`);
  write(
    'unlinked/index.ts',
    `import { defineConnector } from 'confluo/sdk';\nexport default defineConnector(${plainConnector('unlinked')});`,
  );
  write('nothing/index.js', 'export const answer = 42;');
  write('factory/index.js', `export default () => (${plainConnector('factory')});`);
  write('empty-list/index.js', 'export const connectors = [];');
  write('not-object/index.js', 'export const connectors = [42];');
  write(
    'invalid/index.js',
    `export default { id: 'Bad Id', name: 'Bad', version: '1', actions: [{ id: 'go', name: 'Go', description: '', input: { type: 'string' }, output: {}, run: 'nope' }] };`,
  );
  write('http-again/index.js', `export default ${plainConnector('http')};`);
  write('alpha-again/index.js', `export default ${plainConnector('alpha')};`);
  write('self-dup/index.js', `export const connectors = [${plainConnector('twin')}, ${plainConnector('twin')}];`);
  const channel = (id: string) =>
    plainConnector(
      id,
      `channel: { name: 'pager', addressKinds: ['phone'], send: async () => ({ providerMessageId: 'x' }) },`,
    );
  write('pager-a/index.js', `export default ${channel('pagera')};`);
  write('pager-b/index.js', `export default ${channel('pagerb')};`);
  // Installed by name: node_modules/<name> under the cwd, linked the way `npm install <folder>` links.
  mkdirSync(at('project', 'node_modules'), { recursive: true });
  symlinkSync(EXAMPLE, at('project', 'node_modules', 'confluo-connector-weather'), 'dir');
  symlinkSync(at('other-sdk'), at('project', 'node_modules', 'other-sdk'), 'dir');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The PluginLoadError loadPlugins throws for these specs. */
async function failure(
  specs: string[],
  opts: { builtins?: ReturnType<typeof builtinConnectors> } = {},
): Promise<PluginLoadError> {
  const err = await loadPlugins(specs, { cwd: tmp, ...opts }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PluginLoadError);
  return err as PluginLoadError;
}

describe('loadPlugins: loading', () => {
  it('loads the example package by relative and by absolute path, and its action works through the registry', async () => {
    for (const [spec, cwd] of [
      ['./connectors/examples/confluo-connector-weather', ROOT],
      [EXAMPLE, tmp],
    ] as const) {
      const { connectors, plugins } = await loadPlugins([spec], { cwd, builtins: builtinConnectors() });
      expect(connectors.map((c) => c.id)).toEqual(['weather']);
      expect(plugins).toEqual([
        {
          spec,
          entry: join(EXAMPLE, 'index.ts'),
          packageName: 'confluo-connector-weather',
          packageVersion: '0.1.0',
          connectorIds: ['weather'],
        },
      ]);
      const registry = createRegistry([...builtinConnectors(), ...connectors]);
      expect(registry.getAction('weather.current')?.action.input.required).toEqual(['latitude', 'longitude']);
      expect(registry.manifests().map((m) => m.id)).toEqual([...builtinConnectors().map((b) => b.id), 'weather']);
    }
  });

  it('loads a package by name from node_modules under the cwd', async () => {
    const { plugins } = await loadPlugins(['confluo-connector-weather', 'other-sdk'], { cwd: at('project') });
    expect(plugins.map((p) => [p.spec, p.entry, p.connectorIds])).toEqual([
      ['confluo-connector-weather', join(EXAMPLE, 'index.ts'), ['weather']],
      ['other-sdk', at('other-sdk', 'index.mjs'), ['othersdk']],
    ]);
  });

  it('checks a connector from another SDK copy by shape and rebuilds its manifest', async () => {
    const { connectors } = await loadPlugins(['./other-sdk'], { cwd: tmp });
    const [c] = connectors;
    expect(c!.manifest).toEqual({
      id: 'othersdk',
      name: 'othersdk plugin',
      version: '1.0.0',
      actions: [
        {
          id: 'othersdk.ping',
          name: 'Ping',
          description: 'Answers pong',
          input: { type: 'object' },
          output: { type: 'object' },
        },
      ],
      triggers: [],
    });
    await expect(c!.actions[0]!.run({} as never, {})).resolves.toEqual({ pong: true });
  });

  it('takes a named `connectors` array, a named `connector`, CommonJS and an exports map with conditions', async () => {
    const { connectors, plugins } = await loadPlugins(['./two', './named/plugin.ts', './cjs', './exports-map'], {
      cwd: tmp,
    });
    expect(connectors.map((c) => c.id)).toEqual(['alpha', 'beta', 'named', 'cjsplugin', 'mapped']);
    expect(plugins.map((p) => p.entry)).toEqual([
      at('two', 'index.ts'),
      at('named', 'plugin.ts'),
      at('cjs', 'main.cjs'),
      at('exports-map', 'src', 'entry.ts'),
    ]);
    expect(plugins[2]).toMatchObject({ packageName: 'cjs-plugin', packageVersion: '2.0.0' });
  });

  it('returns nothing for no plugins, and parses CONFLUO_PLUGINS', async () => {
    await expect(loadPlugins([], { cwd: tmp })).resolves.toEqual({ connectors: [], plugins: [] });
    expect(parsePluginSpecs(' ./a, confluo-connector-b ,,@acme/c ')).toEqual(['./a', 'confluo-connector-b', '@acme/c']);
    expect(parsePluginSpecs(undefined)).toEqual([]);
  });
});

describe('loadPlugins: every failure names the plugin', () => {
  it.each([
    [['./missing'], 'not_found', /^plugin "\.\/missing": not found: .*missing does not exist$/],
    [
      ['confluo-connector-missing'],
      'not_found',
      /^plugin "confluo-connector-missing": not found: no package confluo-connector-missing in node_modules of /,
    ],
    [['Not A Name'], 'not_found', /^plugin "Not A Name": not found: neither a path .* nor a package name$/],
    [
      ['./no-main'],
      'not_found',
      /^plugin "\.\/no-main": not found: its package\.json "main" points to .*dist\/index\.js, which is not a file \(not built yet\?\)$/,
    ],
    [['./throws'], 'import_failed', /^plugin "\.\/throws": importing .*throws\/index\.ts failed: boom while loading$/],
    [
      ['./unlinked'],
      'import_failed',
      /^plugin "\.\/unlinked": importing .*unlinked\/index\.ts failed: .*confluo\/sdk.*link Confluo into it/,
    ],
    [
      ['./nothing'],
      'no_connector',
      /^plugin "\.\/nothing": .*nothing\/index\.js exports no connector: use `export default defineConnector/,
    ],
    [['./factory'], 'no_connector', /^plugin "\.\/factory": .* exports a function as "default", not a connector/],
    [['./empty-list'], 'no_connector', /exports an empty "connectors" array$/],
    [['./not-object'], 'invalid', /^plugin "\.\/not-object": the connector is not a connector object \(got number\)$/],
    [
      ['./invalid'],
      'invalid',
      /^plugin "\.\/invalid": connector "Bad Id" is invalid: id must match .*; action "go": run must be a function; action "go": input schema must have type "object"$/,
    ],
    [
      ['./self-dup'],
      'duplicate',
      /^plugin "\.\/self-dup": connector id "twin" is already taken by another connector of the same plugin$/,
    ],
    [
      ['./two', './alpha-again'],
      'duplicate',
      /^plugin "\.\/alpha-again": connector id "alpha" is already taken by plugin "\.\/two"$/,
    ],
    [
      ['./pager-a', './pager-b'],
      'duplicate',
      /^plugin "\.\/pager-b": connector "pagerb" declares channel "pager", already declared by plugin "\.\/pager-a"$/,
    ],
    [
      ['./named/plugin.ts', './two/../named/plugin.ts'],
      'duplicate',
      /^plugin "\.\/two\/\.\.\/named\/plugin\.ts": is the same module as plugin "\.\/named\/plugin\.ts" \(.*named\/plugin\.ts\)$/,
    ],
  ])('%j → %s', async (specs, problem, message) => {
    const err = await failure(specs);
    expect(err.failures).toHaveLength(1);
    expect(err.problem).toBe(problem);
    expect(err.spec).toBe(specs.at(-1));
    expect(err.message).toMatch(message);
  });

  it('refuses the id of a built-in connector', async () => {
    const err = await failure(['./http-again'], { builtins: builtinConnectors() });
    expect(err.message).toBe('plugin "./http-again": connector id "http" is already taken by a built-in connector');
  });

  it('refuses the channel name of a built-in channel', async () => {
    const pager = defineConnector({
      id: 'pagerbuiltin',
      name: 'Pager',
      version: '1',
      actions: [],
      channel: { name: 'pager', addressKinds: ['phone'], send: async () => ({ providerMessageId: 'x' }) },
    });
    const err = await failure(['./pager-a'], { builtins: [pager] });
    expect(err.message).toBe(
      'plugin "./pager-a": connector "pagera" declares channel "pager", already declared by built-in connector "pagerbuiltin"',
    );
  });

  it('reports every failing plugin at once, one line each, and keeps the first cause', async () => {
    const err = await failure(['./other-sdk', './missing', './throws', './invalid']);
    expect(err.failures.map((f) => [f.spec, f.problem])).toEqual([
      ['./missing', 'not_found'],
      ['./throws', 'import_failed'],
      ['./invalid', 'invalid'],
    ]);
    expect(err.message.split('\n').map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      'plugin "./missing"',
      'plugin "./throws"',
      'plugin "./invalid"',
    ]);
    expect((err.cause as Error).message).toBe('boom while loading');
  });
});

describe('loadPlugins under tsx, as the server runs', () => {
  it('loads a TypeScript package by path and one by name, with the same SDK instance as the server', () => {
    write(
      'run-under-tsx.mts',
      `import { loadPlugins } from ${JSON.stringify(join(ROOT, 'connectors/sdk/plugins.ts'))};
import { ConnectorError } from ${JSON.stringify(join(ROOT, 'connectors/sdk/index.ts'))};
const { connectors } = await loadPlugins([${JSON.stringify(EXAMPLE)}, 'other-sdk'], { cwd: ${JSON.stringify(at('project'))} });
const action = connectors[0]!.actions[0]!;
// An unreachable base URL: the error must be this process's ConnectorError class (one SDK instance).
const err = await action.run({ auth: { apiBaseUrl: 'http://127.0.0.1:9' }, signal: AbortSignal.timeout(5000) } as never, { latitude: 1, longitude: 2 }).catch((e: unknown) => e);
const unlinked = await loadPlugins(['./unlinked'], { cwd: ${JSON.stringify(tmp)} }).catch((e: Error) => e.message);
console.log(JSON.stringify({ ids: connectors.map((c) => c.id), sameSdk: err instanceof ConnectorError, unlinked }));
`,
    );
    const res = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), at('run-under-tsx.mts')],
      { cwd: tmp, encoding: 'utf8', timeout: 60_000 },
    );
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout) as { ids: string[]; sameSdk: boolean; unlinked: string };
    expect(out).toMatchObject({ ids: ['weather', 'othersdk'], sameSdk: true });
    expect(out.unlinked).toMatch(
      /^plugin "\.\/unlinked": importing .*unlinked\/index\.ts failed: Cannot find (package|module) 'confluo(\/sdk)?'[^\n]*link Confluo into it/,
    );
  });
});
