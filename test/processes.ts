// Helpers for tests and benchmarks that run Confluo as real processes (`npm run server`, `npm run worker`).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Proc {
  child: ChildProcess;
  /** SIGKILL to the whole process group (npm → sh → node), like a crashed container. */
  kill9(): void;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** Runs an npm script in its own process group, output appended to test-results/<name>.log. */
export function runNpm(script: string, env: NodeJS.ProcessEnv, logName = script): Proc {
  return run('npm', ['run', '--silent', script], env, logName);
}

/**
 * Runs one role of server/main.ts as `npm run <role>` does (server/main.ts through tsx), without npm in front: npm
 * dies of a SIGTERM at once, without waiting for its child, so only this way does `exited` give the role's exit code.
 */
export function runRole(role: 'all' | 'server' | 'worker', env: NodeJS.ProcessEnv, logName: string = role): Proc {
  // `node --import tsx`, not the `tsx` command: that one is a wrapper process relaying signals to a child node, and on
  // a loaded machine its relay can miss the child's answer and end with 143 although the role shut down cleanly.
  return run(process.execPath, ['--import', 'tsx', 'server/main.ts', role], env, logName);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, logName: string): Proc {
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
  const out = createWriteStream(join(REPO_ROOT, 'test-results', `${logName}.log`), { flags: 'a' });
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  return {
    child,
    exited,
    kill9: () => signal('SIGKILL'),
    stop: async () => {
      signal('SIGTERM');
      const t = setTimeout(() => signal('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * An API caller for a server process of a real-process test: `method path [body]` with the API key, answering the
 * status and the JSON body. `base` is read at each call (a test may restart its server on another port).
 */
export function processApi(base: () => string, apiKey: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}
