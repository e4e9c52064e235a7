// Workflow bundling: webpack over worker/workflows/index.ts, with the SDK's check for modules the sandbox forbids.
// Workers load a bundle built ahead of time by a short-lived child process: webpack in the worker's own heap costs
// it ~300 MB of RSS for good, and a cached bundle makes restarts fast.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Compiler } from 'webpack';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..');

/** The workflow entry point the bundler starts from. */
export const WORKFLOWS_PATH = join(HERE, 'workflows', 'index.ts');

/**
 * Bundles the workflow code in this process (a few seconds), e.g. for tests or to check it in CI. `modules` lists
 * every file webpack resolved and built from the workflow code's imports, relative to the repo root, including those
 * tree shaking later drops from `code` (a bare `import 'ajv'` of a package marked side-effect free leaves no trace in
 * the output, but is still an import workflow code must not make).
 */
export async function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<{ code: string; modules: string[] }> {
  const modules = new Set<string>();
  const recordModules = {
    apply(compiler: Compiler) {
      compiler.hooks.compilation.tap('confluo-modules', (compilation) =>
        compilation.hooks.finishModules.tap('confluo-modules', (built) => {
          for (const m of built)
            if ('resource' in m && typeof m.resource === 'string')
              modules.add(relative(REPO_ROOT, m.resource).split('\\').join('/'));
        }),
      );
    },
  };
  // The bundler resolves our `.js` import suffixes to the `.ts` sources itself (resolve.extensionAlias).
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: quietBundlerLogger,
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), recordModules] }),
  });
  return { code, modules: [...modules].sort() };
}

// Everything a bundle can be built from: our sources (workflow code may import any of them) and the lock file.
const SOURCE_DIRS = ['worker', 'connectors', 'bench'];
function sourceHash(workflowsPath: string): string {
  const h = createHash('sha256').update(relative(REPO_ROOT, workflowsPath));
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      // A plugin folder's own node_modules links back to Confluo (a loop), and is never workflow code anyway.
      if (name === 'node_modules') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(REPO_ROOT, d))) walk(join(REPO_ROOT, d));
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  return h.digest('hex').slice(0, 16);
}

/**
 * The path of a bundle of `workflowsPath` that matches the current sources, building it in a child process when
 * there is none yet (node_modules/.cache/confluo, or `cacheDir`).
 */
export async function ensureWorkflowBundle(
  workflowsPath = WORKFLOWS_PATH,
  cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'confluo'),
): Promise<string> {
  const out = join(cacheDir, `workflows-${sourceHash(workflowsPath)}.js`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await new Promise<void>((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'bundle-cli.ts'), workflowsPath, tmp], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', rej);
    child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`bundling the workflows failed (exit ${code})`))));
  });
  // Atomic: a worker starting alongside never reads half a file.
  renameSync(tmp, out);
  return out;
}

const noop = () => undefined;
/** The bundler logs every build at info; keep warnings and errors. */
const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};
