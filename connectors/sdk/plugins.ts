// Connector plugins: packages or folders named in CONFLUO_PLUGINS, loaded once at start-up. Every problem (not found,
// import throws, nothing exported, invalid definition, duplicate id or channel) stops start-up with a message naming
// the plugin, never surfaces in the middle of a run.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineConnector, definitionProblems } from './define.js';
import type { Connector, ConnectorDefinition } from './types.js';

/** This Confluo install: package names are looked up in its node_modules first. */
const CONFLUO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Tried in a folder without package.json, or whose package.json names no entry. */
const INDEX_FILES = ['index.ts', 'index.mts', 'index.js', 'index.mjs'];
/** The export conditions Confluo's runtime (Node under tsx) matches, as Node would. */
const CONDITIONS = new Set(['node', 'import', 'default']);
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export type PluginProblem = 'not_found' | 'import_failed' | 'no_connector' | 'invalid' | 'duplicate';

export interface PluginFailure {
  /** The entry of CONFLUO_PLUGINS, as given. */
  spec: string;
  problem: PluginProblem;
  /** `plugin "<spec>": <what is wrong>`. */
  message: string;
}

/** One or more plugins could not be loaded; the message has one line per plugin. */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
  readonly failures: PluginFailure[];
  constructor(failures: PluginFailure[], opts?: { cause?: unknown }) {
    super(failures.map((f) => f.message).join('\n'), opts);
    this.failures = failures;
  }
  /** The first failing plugin's spec. */
  get spec(): string {
    return this.failures[0]?.spec ?? '';
  }
  get problem(): PluginProblem | undefined {
    return this.failures[0]?.problem;
  }
}

export interface LoadedPlugin {
  spec: string;
  /** The module file that was imported (real path). */
  entry: string;
  /** From the plugin's package.json, when it has one. */
  packageName?: string;
  packageVersion?: string;
  connectorIds: string[];
}

export interface LoadPluginsOptions {
  /** Relative paths and package names are resolved from here (package names after the Confluo install). */
  cwd: string;
  /** Connectors already registered (the built-ins): a plugin may not reuse their ids or channel names. */
  builtins?: readonly Connector[];
}

/** CONFLUO_PLUGINS: comma-separated, blanks ignored. */
export function parsePluginSpecs(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Imports each plugin, checks every connector it exports (re-defined with this SDK, so a plugin bundling its own SDK
 * copy is checked by shape and gets a manifest built here), and refuses ids or channel names already taken.
 * Throws PluginLoadError listing every failing plugin.
 */
export async function loadPlugins(
  specs: readonly string[],
  opts: LoadPluginsOptions,
): Promise<{ connectors: Connector[]; plugins: LoadedPlugin[] }> {
  const failures: PluginFailure[] = [];
  const connectors: Connector[] = [];
  const plugins: LoadedPlugin[] = [];
  const owners: Owners = { ids: new Map(), channels: new Map() };
  for (const b of opts.builtins ?? []) claim(owners, b, 'a built-in connector');
  const entries = new Map<string, string>(); // module file → spec
  let firstCause: unknown;
  for (const spec of specs) {
    const fail = (problem: PluginProblem, what: string) =>
      void failures.push({ spec, problem, message: `plugin ${JSON.stringify(spec)}: ${what}` });
    const found = locate(spec, opts.cwd);
    if ('missing' in found) {
      fail('not_found', found.missing);
      continue;
    }
    const earlier = entries.get(found.entry);
    if (earlier !== undefined) {
      fail('duplicate', `is the same module as plugin ${JSON.stringify(earlier)} (${found.entry})`);
      continue;
    }
    entries.set(found.entry, spec);
    let ns: Record<string, unknown>;
    try {
      ns = (await import(pathToFileURL(found.entry).href)) as Record<string, unknown>;
    } catch (err) {
      fail('import_failed', `importing ${found.entry} failed: ${importFailure(err)}`);
      firstCause ??= err;
      continue;
    }
    const exported = pickExport(ns);
    if (typeof exported === 'string') {
      fail('no_connector', `${found.entry} ${exported}`);
      continue;
    }
    const checked = redefine(exported);
    if ('invalid' in checked) {
      for (const what of checked.invalid) fail('invalid', what);
      continue;
    }
    const mine = checked.connectors;
    const taken = clashes(owners, mine);
    if (taken.length > 0) {
      for (const what of taken) fail('duplicate', what);
      continue;
    }
    for (const c of mine) claim(owners, c, `plugin ${JSON.stringify(spec)}`);
    connectors.push(...mine);
    plugins.push({ spec, entry: found.entry, ...found.pkg, connectorIds: mine.map((c) => c.id) });
  }
  if (failures.length > 0)
    throw new PluginLoadError(failures, firstCause === undefined ? undefined : { cause: firstCause });
  return { connectors, plugins };
}

/** Who holds each connector id and channel name so far. */
interface Owners {
  ids: Map<string, string>;
  channels: Map<string, string>;
}

function claim(owners: Owners, c: Connector, owner: string) {
  owners.ids.set(c.id, owner);
  if (c.channel)
    owners.channels.set(c.channel.name, owner === 'a built-in connector' ? `built-in connector "${c.id}"` : owner);
}

/** Ids and channel names of `mine` already taken (by others, or twice within `mine`). */
function clashes(owners: Owners, mine: Connector[]): string[] {
  const out: string[] = [];
  const ids = new Map(owners.ids);
  const channels = new Map(owners.channels);
  for (const c of mine) {
    const owner = ids.get(c.id);
    if (owner !== undefined) out.push(`connector id ${JSON.stringify(c.id)} is already taken by ${owner}`);
    ids.set(c.id, 'another connector of the same plugin');
    if (!c.channel) continue;
    const channelOwner = channels.get(c.channel.name);
    if (channelOwner !== undefined)
      out.push(
        `connector ${JSON.stringify(c.id)} declares channel ${JSON.stringify(c.channel.name)}, already declared by ${channelOwner}`,
      );
    channels.set(c.channel.name, `connector "${c.id}" of the same plugin`);
  }
  return out;
}

/**
 * Each exported value checked by shape and defined again with this SDK: whatever manifest a plugin carries (maybe
 * built by another SDK copy, where `instanceof` would fail) is dropped and rebuilt from the definition.
 */
function redefine(exported: unknown[]): { connectors: Connector[] } | { invalid: string[] } {
  const connectors: Connector[] = [];
  const invalid: string[] = [];
  for (const [i, candidate] of exported.entries()) {
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      invalid.push(
        `${exported.length > 1 ? `connector #${i + 1}` : 'the connector'} is not a connector object (got ${describe(candidate)})`,
      );
      continue;
    }
    const { manifest: _ignored, ...def } = candidate as Partial<Connector>;
    const problems = definitionProblems(def as ConnectorDefinition);
    if (problems.length > 0) invalid.push(`connector ${JSON.stringify(def.id)} is invalid: ${problems.join('; ')}`);
    else connectors.push(defineConnector(def as ConnectorDefinition));
  }
  return invalid.length > 0 ? { invalid } : { connectors };
}

type Located = { entry: string; pkg: { packageName?: string; packageVersion?: string } } | { missing: string };

/** A spec is a path when it starts with `.` or is absolute; anything else is a package name. */
function locate(spec: string, cwd: string): Located {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) return { missing: `not found: ${path} does not exist` };
    return statSync(path).isDirectory() ? folderEntry(path) : { entry: realpathSync(path), pkg: {} };
  }
  if (!PACKAGE_NAME.test(spec))
    return { missing: 'not found: neither a path (start it with ./, ../ or /) nor a package name' };
  const bases = [...new Set([CONFLUO_ROOT, resolve(cwd)])];
  for (const base of bases) {
    const dir = packageDir(spec, base);
    if (dir) return folderEntry(dir);
  }
  return {
    missing: `not found: no package ${spec} in node_modules of ${bases.join(' or ')} (install it, or give its path)`,
  };
}

/** Node's lookup: node_modules/<name> in the folder and each of its parents. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A package folder's entry: `exports` ("." with node/import/default), else `main`, else an index file. */
function folderEntry(dir: string): Located {
  const pkgFile = join(dir, 'package.json');
  let pkgInfo: { packageName?: string; packageVersion?: string } = {};
  let declared: string | undefined;
  let declaredBy = '';
  if (existsSync(pkgFile)) {
    let pkg: { name?: unknown; version?: unknown; main?: unknown; exports?: unknown };
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as typeof pkg;
    } catch (err) {
      return { missing: `not found: ${pkgFile} is not valid JSON (${(err as Error).message})` };
    }
    pkgInfo = {
      ...(typeof pkg.name === 'string' && { packageName: pkg.name }),
      ...(typeof pkg.version === 'string' && { packageVersion: pkg.version }),
    };
    if (pkg.exports !== undefined) {
      declared = exportTarget(pkg.exports);
      declaredBy = 'its package.json "exports"';
      if (declared === undefined) return { missing: `not found: ${pkgFile} "exports" has no "." entry for import` };
    } else if (typeof pkg.main === 'string' && pkg.main) {
      declared = pkg.main;
      declaredBy = 'its package.json "main"';
    }
  }
  if (declared !== undefined) {
    const file = resolve(dir, declared);
    if (!existsSync(file) || statSync(file).isDirectory())
      return { missing: `not found: ${declaredBy} points to ${file}, which is not a file (not built yet?)` };
    return { entry: realpathSync(file), pkg: pkgInfo };
  }
  const index = INDEX_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!index)
    return {
      missing: `not found: ${dir} has no package.json entry (exports or main) and no ${INDEX_FILES.join(', ')}`,
    };
  return { entry: realpathSync(index), pkg: pkgInfo };
}

function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string' || Array.isArray(exports)) return conditionTarget(exports);
  if (typeof exports !== 'object' || exports === null) return undefined;
  const keys = Object.keys(exports);
  const subpaths = keys.length > 0 && keys.every((k) => k.startsWith('.'));
  return conditionTarget(subpaths ? (exports as Record<string, unknown>)['.'] : exports);
}

function conditionTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = conditionTarget(v);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (!CONDITIONS.has(key)) continue;
    const t = conditionTarget(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

/**
 * The connectors a plugin module exports: `default` (one connector or an array), else a named `connectors` array,
 * else a named `connector`. A string says what is wrong.
 */
function pickExport(ns: Record<string, unknown>): unknown[] | string {
  const from = (obj: Record<string, unknown>, commonJs: boolean): unknown[] | string => {
    for (const key of ['default', 'connectors', 'connector']) {
      const value = obj[key];
      if (value === undefined) continue;
      // `module.exports = { connector }` reaches an ESM import as the default export.
      if (
        key === 'default' &&
        !commonJs &&
        isRecord(value) &&
        !('id' in value) &&
        ('connector' in value || 'connectors' in value)
      )
        return from(value, true);
      if (typeof value === 'function')
        return `exports a function as ${JSON.stringify(key)}, not a connector: export the value returned by defineConnector(...)`;
      if (Array.isArray(value)) return value.length > 0 ? value : `exports an empty ${JSON.stringify(key)} array`;
      return [value];
    }
    return 'exports no connector: use `export default defineConnector({...})` (or a named `connectors` array)';
  };
  return from(ns, false);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function importFailure(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  // CommonJS appends a "Require stack" that only repeats the importing files.
  if ((err as { code?: unknown })?.code === 'MODULE_NOT_FOUND') message = message.split('\n')[0]!;
  // The usual first-run mistake: the plugin package cannot see Confluo's SDK.
  if (/Cannot find (package|module) '?confluo\b/.test(message) || /Failed to (load|resolve).*"?confluo\//.test(message))
    return (
      `${message} (the plugin imports confluo/sdk, which must resolve to this Confluo: link Confluo into it, ` +
      'with its devDependency "confluo": "file:<path to Confluo>" and `npm install`; inside the Confluo folder, ' +
      'node_modules/confluo is that link, made by `npm install`)'
    );
  return message;
}
