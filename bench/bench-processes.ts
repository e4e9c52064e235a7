// What the identity and contacts benchmarks share: a fresh database, a Temporal dev server of their own, and real
// `npm run server` / `npm run worker` processes on them, called over HTTP with the API key like a new user would.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchDatabase, type BenchDatabase } from './database.js';
import { freePort } from '../test/ports.js';
import { REPO_ROOT, runNpm, waitFor, type Proc } from '../test/processes.js';
import { startTemporalDevServer, type DevServer, type DevServerOptions } from '../worker/temporal-dev-server.js';

export const API_KEY = 'cfl_bench_key_0123456789abcdef';

export interface BenchStack {
  database: BenchDatabase;
  temporal: DevServer;
  base: string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** The answer's status and JSON body, whatever the status. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * Starts everything; on a failure along the way, stops what was started. `temporal`: the dev server's options (a fixed
 * port and a SQLite file let a bench stop it and start it again with what it held); default in memory, a free port.
 */
export async function startBenchStack(
  name: string,
  extraEnv: Record<string, string> = {},
  opts: { temporal?: DevServerOptions } = {},
): Promise<BenchStack> {
  const database = await createBenchDatabase(`confluo_bench_${name}`);
  const procs: Proc[] = [];
  let temporal: DevServer | undefined;
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await temporal?.stop();
    await database.drop();
  };
  try {
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    temporal = await startTemporalDevServer({
      logFile: join(REPO_ROOT, 'bench', 'results', `temporal-${name}.log`),
      ...opts.temporal,
    });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `bench-${name}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFLUO_API_KEY: API_KEY,
      CONFLUO_SECRET_KEY: randomBytes(32).toString('hex'),
      CONFLUO_MIGRATE: '0',
      // The providers' fakes listen on loopback: allowed as an operator would allow a proxy (connectors/sdk/guard.ts).
      CONFLUO_HTTP_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    };
    procs.push(runNpm('server', env, `bench-${name}-server`), runNpm('worker', env, `bench-${name}-worker`));
    await waitFor('server', async () => (await fetch(`${base}/health`)).ok, 90_000);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        /* not JSON: kept as text */
      }
      return { status: res.status, body: json as any };
    };
    return {
      database,
      temporal,
      base,
      call,
      async api(method, path, body) {
        const res = await call(method, path, body);
        if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` over `items` with at most `concurrency` at once, in order of the items. */
export async function forEachLimit<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** p50/p99/max of a sample, in ms with one decimal. */
export function latency(ms: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN) * 10) / 10;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: q(1) };
}
