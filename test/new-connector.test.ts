// The scaffold, run as a user runs it (through npm and directly), into a temp folder outside the repo; the package it
// makes must pass its own test (run by vitest in a separate process) and load as a Confluo plugin.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../connectors/sdk/plugins.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'scripts', 'new-connector.mjs');

// The child processes must not think they run inside this vitest (a nested vitest reads these).
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !k.startsWith('npm_') && k !== 'INIT_CWD'),
);
const run = (cmd: string, args: string[], opts: SpawnSyncOptions = {}) => {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    ...opts,
  });
  return { status: res.status, stdout: String(res.stdout), stderr: String(res.stderr) };
};
const scaffold = (args: string[], cwd: string) => run(process.execPath, [SCRIPT, ...args], { cwd });
const vitestIn = (dir: string) =>
  run(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', dir], { cwd: dir });

let tmp: string;
beforeAll(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'confluo-scaffold-')));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run connector:new', () => {
  it(
    'makes a package in --dir whose own test passes and which Confluo loads as a plugin',
    { timeout: 240_000 },
    async () => {
      const res = scaffold(['acme-crm', '--dir', 'plugins'], tmp);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const pkg = join(tmp, 'plugins', 'confluo-connector-acme-crm');
      for (const f of [
        'package.json',
        'tsconfig.json',
        'vitest.config.ts',
        'index.ts',
        'auth.ts',
        'client.ts',
        'actions/get-record.ts',
        'actions/get-record.test.ts',
        'README.md',
      ])
        expect(existsSync(join(pkg, f)), f).toBe(true);
      expect(res.stdout).toContain(`Created ${pkg}`);
      expect(res.stdout).toContain(`${join(ROOT, 'node_modules', '.bin', 'vitest')} run --root .`);
      expect(res.stdout).toContain(`CONFLUO_PLUGINS=${pkg} npm start`);
      const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
      expect(manifest).toMatchObject({
        name: 'confluo-connector-acme-crm',
        type: 'module',
        main: 'index.ts',
        peerDependencies: { confluo: expect.stringMatching(/^>=\d/) },
        devDependencies: { confluo: expect.stringMatching(/^file:/) },
      });
      // The link npm would make from devDependencies.confluo points at this Confluo.
      expect(resolve(pkg, manifest.devDependencies.confluo.slice('file:'.length))).toBe(ROOT);
      expect(resolve(pkg, 'node_modules', readlinkSync(join(pkg, 'node_modules', 'confluo')))).toBe(ROOT);

      const passing = vitestIn(pkg);
      expect(passing.status, passing.stdout + passing.stderr).toBe(0);
      expect(passing.stdout).toMatch(/Tests\s+5 passed \(5\)/);

      const { connectors, plugins } = await loadPlugins(['./plugins/confluo-connector-acme-crm'], { cwd: tmp });
      expect(plugins).toEqual([
        {
          spec: './plugins/confluo-connector-acme-crm',
          entry: join(pkg, 'index.ts'),
          packageName: 'confluo-connector-acme-crm',
          packageVersion: '0.1.0',
          connectorIds: ['acme-crm'],
        },
      ]);
      expect(connectors[0]!.manifest.actions.map((a) => a.id)).toEqual(['acme-crm.getRecord']);

      // The generated test checks something: break the action and it fails.
      const action = join(pkg, 'actions', 'get-record.ts');
      writeFileSync(action, readFileSync(action, 'utf8').replace('/records/', '/items/'));
      const failing = vitestIn(pkg);
      expect(failing.status).toBe(1);
      expect(failing.stdout).toMatch(/Tests\s+1 failed \| 4 passed \(5\)/);
    },
  );

  it('defaults to the folder npm was run from', { timeout: 120_000 }, () => {
    const here = join(tmp, 'here');
    mkdirSync(here);
    const res = run('npm', ['--prefix', ROOT, 'run', 'connector:new', '--', 'from-npm'], { cwd: here });
    expect(res.status, res.stderr).toBe(0);
    expect(existsSync(join(here, 'confluo-connector-from-npm', 'index.ts'))).toBe(true);
    expect(readFileSync(join(here, 'confluo-connector-from-npm', 'index.ts'), 'utf8')).toContain("id: 'from-npm',");
  });

  it('refuses to overwrite an existing folder', () => {
    const pkg = join(tmp, 'taken', 'confluo-connector-taken');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'index.ts'), '// mine\n');
    const res = scaffold(['taken', '--dir', 'taken'], tmp);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(`${pkg} already exists: not overwriting it\n`);
    expect(readFileSync(join(pkg, 'index.ts'), 'utf8')).toBe('// mine\n');
  });

  it.each([
    [['Acme'], /^invalid connector name "Acme": it must start with a-z/],
    [['1st'], /^invalid connector name "1st"/],
    [['a.b'], /^invalid connector name "a\.b"/],
    [['x'.repeat(65)], /at most 64 characters/],
    [
      ['confluo-connector-acme'],
      /^give the connector id, not the package name: e\.g\. "acme" makes confluo-connector-acme/,
    ],
    [[], /^give exactly one connector name\nusage: npm run connector:new/],
    [['a', 'b'], /^give exactly one connector name/],
    [['a', '--force'], /^Unknown option '--force'/],
  ])('rejects %j', (args, message) => {
    const dir = join(tmp, 'rejected');
    const res = scaffold([...args, '--dir', dir], tmp);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(message);
    expect(existsSync(dir)).toBe(false);
  });
});
