// Starts a local Temporal dev server (a real Temporal server, SQLite-backed) for `npm start` and for the tests.
// The binary comes from TEMPORAL_CLI, the PATH, or .tools/bin (built by `npm run temporal:install`).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from './contract.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const TEMPORAL_MISSING_HELP =
  'No Temporal CLI found. Build it with `npm run temporal:install` (needs Go; installs .tools/bin/temporal), ' +
  'put `temporal` on PATH, set TEMPORAL_CLI to its path, or point TEMPORAL_ADDRESS at a running Temporal server.';

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Temporal CLI to run, or undefined when there is none. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI) return isExecutable(env.TEMPORAL_CLI) ? env.TEMPORAL_CLI : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'temporal');
    if (isExecutable(p)) return p;
  }
  const local = join(REPO_ROOT, '.tools', 'bin', 'temporal');
  return isExecutable(local) ? local : undefined;
}

async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

export interface DevServer {
  address: string;
  namespace: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** SQLite file for persistence; omitted: in memory. */
  dbFile?: string;
  /** With `dbFile`: the SQLite pragmas; default SQLITE_PRAGMAS (the benchmarks compare with `[]`, SQLite's own). */
  sqlitePragmas?: readonly string[];
  port?: number;
  /** Server output goes here (appended); omitted: discarded. */
  logFile?: string;
  cli?: string;
  /** How long to wait for the frontend to answer. Default 60 s. */
  readyTimeoutMs?: number;
}

/** The pragmas of a file-backed dev server (`temporal server start-dev --sqlite-pragma`). */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export async function startTemporalDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = opts.cli ?? findTemporalCli();
  if (!cli) throw new Error(TEMPORAL_MISSING_HELP);
  const port = opts.port ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    // Write-ahead log, synced at checkpoints: durable across a crash of any process (the promise of the embedded
    // default), without an fsync per transaction (`BENCH_TEMPORAL_STORE=file` vs `file-plain npm run bench`: bench/README.md).
    args.push(
      '--db-filename',
      opts.dbFile,
      ...(opts.sqlitePragmas ?? SQLITE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p]),
    );
  }
  // Registered in a new database only: server/main.ts adds those missing from a kept one (ensureSearchAttributes).
  for (const key of SEARCH_ATTRIBUTES) {
    const type = ({ INT: 'Int', KEYWORD: 'Keyword' } as Record<string, string>)[key.type] ?? key.type;
    args.push('--search-attribute', `${key.name}=${type}`);
  }
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    const out = createWriteStream(opts.logFile, { flags: 'a' });
    // Both into one file: neither may end it (the other's last lines would be a write after end, an unhandled error).
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    child.once('close', () => out.end());
  } else {
    child.stdout!.resume();
    child.stderr!.resume();
  }
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));

  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited)
      throw new Error(`Temporal dev server ${exited} before it was ready (see ${opts.logFile ?? 'its output'})`);
    try {
      // A subchannel of its own: grpc-js otherwise shares one per address and options across connections, and on a
      // restart that is the old server's clients' subchannel, which may be waiting out a reconnect backoff of many
      // seconds (a restart on the same port then looked 7–14 s slow instead of 1.3 s). A deadline too, so a frontend
      // that is up before its namespace answers in 1 s, not after the SDK's retries.
      const conn = await Connection.connect({
        address,
        connectTimeout: 1000,
        channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
      });
      try {
        await conn.withDeadline(Date.now() + 1000, () =>
          conn.workflowService.describeNamespace({ namespace: 'default' }),
        );
        break;
      } finally {
        await conn.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not become ready on ${address}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    namespace: 'default',
    process: child,
    stop: () =>
      new Promise<void>((res) => {
        if (exited) return res();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          res();
        });
        child.kill('SIGTERM');
      }),
  };
}
