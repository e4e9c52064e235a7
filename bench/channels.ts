// Channel send pacing, end to end: a burst of runs that each send one Telegram message on the same bot account, through
// the real server and worker processes, PostgreSQL's rate buckets and a Temporal dev server, to the fake Bot API.
// Measured where the provider would see it (the fake's receive times): the most sends in any window of the limit's
// interval, duplicates, and the quiet period after a 429 with retry_after. Exits 1 when an invariant is broken.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import pg from 'pg';
import { startTelegramFake, tooManyRequests, type TelegramFake } from '../connectors/testkit/index.js';
import { createPrisma } from '../prisma/client.js';
import { createBenchDatabase } from './database.js';
import { createRateLimiter } from '../prisma/rate-limits.js';
import { freePort } from '../test/ports.js';
import { REPO_ROOT, runNpm, waitFor, type Proc } from '../test/processes.js';
import { RATE_LIMIT_WAIT } from '../worker/contract.js';
import { startTemporalDevServer, type DevServer } from '../worker/temporal-dev-server.js';
import { histogram, maxInWindow, pushBackQuiet, quantiles, spacing } from './channel-figures.js';
import { workflowResult } from './workflow-result.js';

const BURST = Number(process.env.BENCH_CHANNEL_SENDS ?? 500);
const LOW_SENDS = Number(process.env.BENCH_CHANNEL_LOW_SENDS ?? 100);
const RETRY_SENDS = Number(process.env.BENCH_CHANNEL_RETRY_SENDS ?? 60);
const LIMITER_ONLY = 150;
const LONG_QUEUE_SENDS = Number(process.env.BENCH_CHANNEL_LONG_QUEUE_SENDS ?? 40);
/** Runs of an unrelated flow timed while the worker is idle and during the 500-send burst. */
const PROBES = 5;
/** Parallel webhook requests while firing a burst. */
const FIRE_CONCURRENCY = 50;
/** Every round must finish within this, or the bench fails (and says how many runs were left). */
const ROUND_TIMEOUT_MS = 90_000;
const RETRY_AFTER_S = 2;
/** The 429 answers the send after this many, so that other sends already hold slots when it comes. */
const RETRY_ARM_AFTER = 10;
/**
 * A send that left the worker before the 429 was answered cannot be recalled. Sends arriving within this grace after
 * the 429 are reported but not counted as ignoring it: the answer's trip back and the worker's pushBack write.
 */
const IN_FLIGHT_GRACE_MS = 100;
const API_KEY = 'cfl_bench_key_0123456789abcdef';
const DECLARED = { limit: 30, intervalMs: 1000 }; // connectors/telegram/index.ts

interface Round {
  name: string;
  sends: number;
  limit: { limit: number; intervalMs: number; source: 'declared' | 'settings' };
  runsCompleted: number;
  runsFailed: number;
  runsUnfinished: number;
  /** sendMessage requests that reached the fake (a 429'd one included). */
  requests: number;
  /** Messages the fake accepted. */
  accepted: number;
  /** Accepted messages whose text (one per run, so one per idempotency key) was accepted before. */
  duplicates: number;
  /** Outbound messages recorded for the account in the database, and those not `sent`. */
  recorded: number;
  recordedNotSent: number;
  fireMs: number;
  firstToLastMs: number;
  achievedPerSecond: number;
  maxInWindow: number;
  /** Where the fullest window starts, in ms after the first send. */
  maxWindowAtMs: number | null;
  minGapMs: number;
  p50GapMs: number;
  /** Sends in each second from the first. */
  perSecond: number[];
  /**
   * Where bunching comes from: the fullest window of the moments the worker began recording each message (the
   * transaction start, right after its rate-limit wait), and the time from that moment to the fake's receipt.
   */
  maxInWindowAtRecord: number;
  recordToSendMs: { p50: number; p99: number; max: number };
  /** From the first to the last send step creating its recipient's contact (just before it asks the rate limiter). */
  stepsReachedSendOverMs: number;
  /** Runs that slept durably for the rate limit (a RATE_LIMIT_WAIT failure in their history), and all such sleeps. */
  runsThatSlept: number;
  rateLimitSleeps: number;
  /** The most attempts a send step used (sleeps do not count). */
  maxStepAttempts: number;
  violations: number;
  ok: boolean;
}

async function main() {
  const started = Date.now();
  const database = await createBenchDatabase('confluo_bench_channels');
  const databaseUrl = database.url;
  const db = new pg.Client({ connectionString: databaseUrl });
  const procs: Proc[] = [];
  const fakes: TelegramFake[] = [];
  let temporal: DevServer | undefined;
  let connection: Connection | undefined;
  const results: Record<string, unknown> = { machine: { cpus: cpus().length, node: process.version } };
  const rounds: Round[] = [];
  try {
    await db.connect();
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    temporal = await startTemporalDevServer({ logFile: join(REPO_ROOT, 'bench', 'results', 'temporal-channels.log') });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench-channels',
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFLUO_API_KEY: API_KEY,
      CONFLUO_SECRET_KEY: randomBytes(32).toString('hex'),
      CONFLUO_MIGRATE: '0',
      // The fake Twilio listens on loopback: allowed as an operator would allow a proxy (connectors/sdk/guard.ts).
      CONFLUO_HTTP_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    // Server and worker as separate processes: the fake's clock (this process) is not slowed by the worker's work.
    procs.push(runNpm('server', env, 'bench-channels-server'), runNpm('worker', env, 'bench-channels-worker'));
    await waitFor('server', async () => (await fetch(`${base}/health`)).ok, 90_000);
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as any;
    };
    let bots = 0;
    let chats = 0;
    /** A fake bot and its Confluo account (creating it calls setWebhook on the fake). */
    const account = async (name: string, rateLimit?: { limit: number; intervalMs: number }) => {
      const token = `${7100000001 + bots++}:AAH-bench-token_${name}`;
      const fake = await startTelegramFake({ token });
      fakes.push(fake);
      const settings = { apiBaseUrl: fake.url, ...(rateLimit && { rateLimit }) };
      const { id } = await api('POST', '/api/channel-accounts', {
        connector: 'telegram',
        name,
        credentials: { botToken: token },
        settings,
      });
      return { fake, id: id as string };
    };
    const publish = async (name: string, accountId: string) => {
      const definition = {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          {
            id: 'send',
            type: 'action',
            action: 'telegram.sendMessage',
            input: { account: accountId, chatId: '{{ trigger.body.chatId }}', text: '{{ trigger.body.text }}' },
          },
        ],
        edges: [{ from: 'trigger', to: 'send' }],
      };
      const flow = await api('POST', '/api/flows', { name, definition });
      const pub = await api('POST', `/api/flows/${flow.id}/publish`);
      return (pub.webhookUrl as string).replace(/^https?:\/\/[^/]+/, base);
    };
    /** Fires `n` webhooks (one run, one chat, one text each) and waits for every run, within the round's time limit. */
    const burst = async <T = undefined>(name: string, hook: string, n: number, whileWaiting?: () => Promise<T>) => {
      const t0 = performance.now();
      const runIds: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(FIRE_CONCURRENCY, n) }, async () => {
          while (next < n) {
            const i = next++;
            // A new chat for every send (a new contact too): Telegram also limits one chat to about 1 message/s.
            const body = { chatId: String(500000000 + chats++), text: `${name} #${i}` };
            const res = await fetch(hook, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
            if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
            runIds.push(((await res.json()) as { runId: string }).runId);
          }
        }),
      );
      const fireMs = performance.now() - t0;
      const outcome = { completed: 0, failed: 0, unfinished: 0, attempts: [] as number[] };
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), ROUND_TIMEOUT_MS)));
      const side = whileWaiting?.();
      await Promise.all(
        runIds.map(async (id) => {
          try {
            const r = await Promise.race([workflowResult(client, id), deadline]);
            if (r === 'timeout') return void outcome.unfinished++;
            outcome.completed++;
            outcome.attempts.push(
              (r as { steps: { nodeId: string; attempts?: number }[] }).steps.find((s) => s.nodeId === 'send')
                ?.attempts ?? 1,
            );
          } catch (err) {
            if (!(err instanceof WorkflowFailedError)) throw err;
            outcome.failed++;
          }
        }),
      );
      clearTimeout(timer);
      // Durable rate-limit sleeps, from each run's history (after the round, so it does not load it).
      const sleeps: number[] = [];
      for (let k = 0; k < runIds.length; k += 20) {
        const batch = await Promise.all(
          runIds.slice(k, k + 20).map(async (id) => {
            const { events } = await client.workflow.getHandle(id).fetchHistory();
            return (events ?? []).filter(
              (e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === RATE_LIMIT_WAIT,
            ).length;
          }),
        );
        sleeps.push(...batch);
      }
      return { fireMs, ...outcome, sleeps, side: await side };
    };
    /**
     * Other work on the same worker: runs of a flow with one non-channel action (contacts.upsert), each timed from its
     * webhook to its result.
     */
    const probeHook = await (async () => {
      const definition = {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          { id: 'save', type: 'action', action: 'contacts.upsert', input: { email: '{{ trigger.body.email }}' } },
        ],
        edges: [{ from: 'trigger', to: 'save' }],
      };
      const flow = await api('POST', '/api/flows', { name: 'bench channels probe', definition });
      const pub = await api('POST', `/api/flows/${flow.id}/publish`);
      return (pub.webhookUrl as string).replace(/^https?:\/\/[^/]+/, base);
    })();
    let probes = 0;
    const probe = async () => {
      const ms = await Promise.all(
        Array.from({ length: PROBES }, async () => {
          const t0 = performance.now();
          const res = await fetch(probeHook, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: `probe${probes++}@example.com` }),
          });
          if (res.status !== 202) throw new Error(`probe webhook answered ${res.status}: ${await res.text()}`);
          const { runId } = (await res.json()) as { runId: string };
          await workflowResult(client, runId);
          return Math.round(performance.now() - t0);
        }),
      );
      return quantiles(ms);
    };
    const measure = async (
      name: string,
      fake: TelegramFake,
      accountId: string,
      n: number,
      limit: Round['limit'],
      run: Awaited<ReturnType<typeof burst>>,
    ): Promise<Round> => {
      const sends = fake.requests.filter((r) => r.path.endsWith('/sendMessage'));
      const times = sends.map((r) => r.receivedAt).sort((a, b) => a - b);
      const texts = fake.sent.map((m) => m.text);
      const ms = (col: string) => `extract(epoch FROM ${col} AT TIME ZONE current_setting('TimeZone')) * 1000`;
      const { rows } = await db.query<{ text: string; status: string; created_ms: string; contact_ms: string }>(
        `SELECT m.text, m.status, ${ms('m.created_at')} AS created_ms, ${ms('c.created_at')} AS contact_ms
           FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.account_id = $1 AND m.direction = 'out'`,
        [accountId],
      );
      const createdAt = new Map(rows.map((r) => [r.text, Number(r.created_ms)]));
      const contactTimes = rows.map((r) => Number(r.contact_ms));
      const firstArrival = new Map<string | undefined, number>();
      for (const r of sends)
        if (!firstArrival.has((r.body as { text?: string }).text))
          firstArrival.set((r.body as { text?: string }).text, r.receivedAt);
      const lags = [...createdAt].flatMap(([text, at]) =>
        firstArrival.has(text) ? [firstArrival.get(text)! - at] : [],
      );
      const span = times.length > 1 ? times.at(-1)! - times[0]! : 0;
      const gaps = spacing(times);
      const worst = maxInWindow(times, limit.intervalMs);
      const round: Round = {
        name,
        sends: n,
        limit,
        runsCompleted: run.completed,
        runsFailed: run.failed,
        runsUnfinished: run.unfinished,
        requests: sends.length,
        accepted: texts.length,
        duplicates: texts.length - new Set(texts).size,
        recorded: rows.length,
        recordedNotSent: rows.filter((r) => r.status !== 'sent').length,
        fireMs: Math.round(run.fireMs),
        firstToLastMs: span,
        achievedPerSecond: span > 0 ? Math.round(((times.length - 1) / (span / 1000)) * 100) / 100 : 0,
        maxInWindow: worst.count,
        maxWindowAtMs: worst.at === null ? null : worst.at - times[0]!,
        minGapMs: gaps.min,
        p50GapMs: gaps.p50,
        perSecond: histogram(times, 1000),
        maxInWindowAtRecord: maxInWindow([...createdAt.values()], limit.intervalMs).count,
        recordToSendMs: quantiles(lags),
        stepsReachedSendOverMs: rows.length > 0 ? Math.round(Math.max(...contactTimes) - Math.min(...contactTimes)) : 0,
        runsThatSlept: run.sleeps.filter((n) => n > 0).length,
        rateLimitSleeps: run.sleeps.reduce((a, b) => a + b, 0),
        maxStepAttempts: Math.max(0, ...run.attempts),
        violations: fake.violations.length,
        ok: false,
      };
      round.ok =
        round.maxInWindow <= limit.limit &&
        round.duplicates === 0 &&
        round.runsCompleted === n &&
        round.accepted === n &&
        round.recorded === n &&
        round.recordedNotSent === 0 &&
        round.violations === 0;
      return round;
    };

    // Warm-up: one send, so the worker is polling (it bundles its workflows at start) before anything is timed.
    {
      const warm = await account('warm-up');
      const run = await burst('warm-up', await publish('bench channels warm-up', warm.id), 1);
      if (run.completed !== 1) throw new Error(`the warm-up send did not complete: ${JSON.stringify(run)}`);
    }

    // (1) The declared limit under a burst, and how long other runs on the worker take meanwhile.
    {
      const idle = await probe();
      const a = await account('declared');
      const run = await burst('declared', await publish('bench channels declared', a.id), BURST, async () => {
        await delay(1000);
        return probe();
      });
      rounds.push(await measure('declared limit', a.fake, a.id, BURST, { ...DECLARED, source: 'declared' }, run));
      results.otherRuns = {
        flow: 'webhook → contacts.upsert',
        runs: PROBES,
        idleMs: idle,
        duringBurstMs: run.side,
        startedAfterFiringMs: 1000,
      };
    }
    // (2) A lower limit from the account's settings replaces the declared one.
    {
      const low = { limit: 10, intervalMs: 1000 };
      const a = await account('settings', low);
      const run = await burst('settings', await publish('bench channels settings', a.id), LOW_SENDS);
      rounds.push(await measure('settings limit', a.fake, a.id, LOW_SENDS, { ...low, source: 'settings' }, run));
    }
    // (2b) A queue longer than a step may wait inside its activity (maxWaitMs, 10 s): the rest sleep durably
    // (RATE_LIMIT_WAIT) and ask again; the pacing must hold across the sleeps.
    {
      const slow = { limit: 2, intervalMs: 1000 };
      const a = await account('long-queue', slow);
      const run = await burst('long-queue', await publish('bench channels long queue', a.id), LONG_QUEUE_SENDS);
      rounds.push(
        await measure(
          'settings limit, long queue',
          a.fake,
          a.id,
          LONG_QUEUE_SENDS,
          { ...slow, source: 'settings' },
          run,
        ),
      );
    }
    // (3) Retry-After: once sends are flowing (others already waiting for their slots), one is answered 429
    // retry_after 2; the account should then be quiet for 2 s.
    {
      const a = await account('retry-after');
      const isSend = (r: { path: string }) => r.path.endsWith('/sendMessage');
      let armedAt: number | undefined; // index in fake.requests from which the next send gets the 429
      const arm = setInterval(() => {
        if (armedAt === undefined && a.fake.requests.filter(isSend).length >= RETRY_ARM_AFTER) {
          armedAt = a.fake.requests.length;
          a.fake.failNextSend(tooManyRequests(RETRY_AFTER_S));
          clearInterval(arm);
        }
      }, 1);
      const run = await burst('retry-after', await publish('bench channels retry-after', a.id), RETRY_SENDS).finally(
        () => clearInterval(arm),
      );
      const round = await measure(
        '429 retry_after 2',
        a.fake,
        a.id,
        RETRY_SENDS,
        { ...DECLARED, source: 'declared' },
        run,
      );
      if (armedAt === undefined) throw new Error('the 429 was never armed');
      const limited = a.fake.requests.slice(armedAt).find(isSend)!; // failures are taken in arrival order
      const sends = a.fake.requests.filter((r) => isSend(r) && r !== limited);
      const limitedText = (limited.body as { text: string }).text;
      const quiet = pushBackQuiet(
        sends.map((r) => r.receivedAt),
        limited.receivedAt,
        RETRY_AFTER_S * 1000,
        IN_FLIGHT_GRACE_MS,
      );
      const retried = sends.find(
        (r) => r.receivedAt > limited.receivedAt && (r.body as { text: string }).text === limitedText,
      );
      const retryAfter = {
        limitedSendNo: a.fake.requests.filter(isSend).indexOf(limited) + 1,
        retryAfterMs: RETRY_AFTER_S * 1000,
        inFlightGraceMs: IN_FLIGHT_GRACE_MS,
        sendsWithinGrace: quiet.withinGrace,
        sendsDuringPushBack: quiet.during,
        firstSendAfterMs: quiet.firstAfterMs,
        limitedSendRetriedAfterMs: retried ? retried.receivedAt - limited.receivedAt : null,
      };
      Object.assign(round, { retryAfter });
      round.ok =
        round.ok &&
        round.requests === RETRY_SENDS + 1 &&
        quiet.during === 0 &&
        (retryAfter.limitedSendRetriedAfterMs ?? 0) >= RETRY_AFTER_S * 1000;
      rounds.push(round);
    }
    // (4) Control: the limiter alone, as the worker calls it (reserve, then wait) but in this lightly loaded process,
    // with no send after the wait: the fullest window of the moments the waits end.
    {
      const prisma = createPrisma(databaseUrl, { max: 10 });
      try {
        const limiter = createRateLimiter(prisma);
        const ends: number[] = [];
        let refused = 0;
        await Promise.all(
          Array.from({ length: LIMITER_ONLY }, async () => {
            const r = await limiter.reserve('cha_bench_limiter_only', DECLARED, 10_000);
            if (!r.ok) return void refused++;
            await delay(r.waitMs);
            ends.push(Date.now());
          }),
        );
        const worst = maxInWindow(ends, DECLARED.intervalMs);
        results.limiterOnly = {
          reservations: LIMITER_ONLY,
          refused,
          limit: `${DECLARED.limit}/${DECLARED.intervalMs} ms`,
          maxInWindow: worst.count,
          minGapMs: spacing(ends).min,
          ok: worst.count <= DECLARED.limit,
        };
      } finally {
        await prisma.$disconnect();
      }
    }
  } finally {
    await connection?.close();
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(fakes.map((f) => f.close()));
    await temporal?.stop();
    await db.end().catch(() => undefined);
    await database.drop();
  }
  const failed = rounds.some((r) => !r.ok) || (results.limiterOnly as { ok?: boolean } | undefined)?.ok !== true;
  Object.assign(results, {
    rounds,
    seconds: (Date.now() - started) / 1000,
    measuredAt: new Date().toISOString(),
    ok: !failed,
  });
  const file = join(REPO_ROOT, 'bench', 'results', 'channels.json');
  writeFileSync(file, JSON.stringify(results, null, 2));

  console.log('\nChannel send pacing (Telegram, one bot account; times as the fake Bot API received them)\n');
  console.table(
    rounds.map((r) => ({
      round: r.name,
      limit: `${r.limit.limit}/${r.limit.intervalMs} ms (${r.limit.source})`,
      runs: `${r.runsCompleted}/${r.sends}`,
      sends: r.accepted,
      duplicates: r.duplicates,
      'first→last ms': r.firstToLastMs,
      'sends/s': r.achievedPerSecond,
      'max in window [≤limit]': r.maxInWindow,
      'min gap ms': r.minGapMs,
      'max in window at record': r.maxInWindowAtRecord,
      'record→send p99 ms': r.recordToSendMs.p99,
      'runs slept': r.runsThatSlept,
      ok: r.ok,
    })),
  );
  const ra = (rounds.find((r) => 'retryAfter' in r) as (Round & { retryAfter: Record<string, unknown> }) | undefined)
    ?.retryAfter;
  if (ra) console.table([ra]);
  console.table([results.limiterOnly]);
  const other = results.otherRuns as { idleMs: object; duringBurstMs: object } | undefined;
  if (other)
    console.table({ 'other runs, idle (ms)': other.idleMs, 'other runs, during the burst (ms)': other.duringBurstMs });
  console.log(`written ${file}${failed ? '\nFAILED: an invariant was broken (see ok: false above)' : ''}`);
  if (failed) process.exitCode = 1;
}

await main();
