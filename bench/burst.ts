// npm run bench:burst — issue 13 goal 3, burst-proof acknowledgements (bench/README.md "Burst"): real `npm run server`
// and `npm run worker` processes over a fresh database and a file-backed Temporal dev server; a published webhook flow
// and a Twilio SMS account (its API the testkit's Twilio fake); an open-loop burst (latency from each request's due time, so queueing cannot hide) at
// BENCH_BURST_RATE/s for BENCH_BURST_SECONDS to each at once, with a distinct Idempotency-Key or MessageSid per request
// (deliveries signed with X-Twilio-Signature before the burst, so the generator only sends during it).
//   phase "burst":  acknowledgement p50/p99/max beside the 25 ms target, non-2xx; then, drained: every acknowledged
//                   webhook ran exactly once (runFlow workflows of the flow, completed) and every acknowledged
//                   delivery is exactly one message (messages by provider id), and how long the drain took.
//   phase "outage": the same burst with the Temporal dev server stopped BENCH_BURST_OUTAGE_SECONDS from a tenth in:
//                   no 5xx, then the same exactly-once counts after Temporal is back.
// Prints figures beside targets and writes bench/results/burst.json; exits 1 only on a lost or duplicated event.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { Pool } from 'undici';
import { signTwilio } from '../connectors/sdk/index.js';
import { startTwilioFake } from '../connectors/testkit/index.js';
import { freePort } from '../test/ports.js';
import { REPO_ROOT, runNpm, waitFor, type Proc } from '../test/processes.js';
import { startTemporalDevServer, type DevServer, type DevServerOptions } from '../worker/temporal-dev-server.js';
import { API_KEY, startBenchStack, latency } from './bench-processes.js';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const RATE = num('BENCH_BURST_RATE', 320);
const SECONDS = num('BENCH_BURST_SECONDS', 60);
const OUTAGE_SECONDS = num('BENCH_BURST_OUTAGE_SECONDS', 60);
const TARGET_P99_MS = 25;
const SENDERS = 20;
const SID = `AC${'7'.repeat(32)}`;
const TOKEN = 'bench-burst-auth-token';

/** An incoming SMS webhook's parameters, as Twilio sends them (and connectors/testkit's fake does). */
const twilioInboundParams = (sid: string, from: string, body: string): Record<string, string> => ({
  ToCountry: 'US',
  SmsMessageSid: sid,
  NumMedia: '0',
  SmsSid: sid,
  SmsStatus: 'received',
  Body: body,
  FromCountry: 'US',
  To: '+14155550100',
  NumSegments: '1',
  MessageSid: sid,
  AccountSid: SID,
  From: from,
  ApiVersion: '2010-04-01',
});

interface Sent {
  latencies: number[];
  statuses: Map<number, number>;
  errors: number;
  /** What each acknowledged request was acknowledged as (run id, message sid). */
  acked: string[];
}

/** Open loop: request i is due at t0 + i/rate whatever earlier answers do; its latency runs from its due time. */
async function openLoop(seconds: number, send: (i: number) => Promise<{ status: number; id?: string }>) {
  const total = Math.round(RATE * seconds);
  const out: Sent = { latencies: [], statuses: new Map(), errors: 0, acked: [] };
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      send(i).then(
        ({ status, id }) => {
          out.latencies.push(performance.now() - due);
          out.statuses.set(status, (out.statuses.get(status) ?? 0) + 1);
          if (status >= 200 && status < 300 && id) out.acked.push(id);
        },
        () => void out.errors++,
      ),
    );
  }
  const sentRate = total / ((performance.now() - t0) / 1000);
  await Promise.all(inflight);
  return { ...out, sentRate, answeredRate: total / ((performance.now() - t0) / 1000) };
}

const count = (statuses: Map<number, number>, test: (s: number) => boolean) =>
  [...statuses].filter(([s]) => test(s)).reduce((n, [, c]) => n + c, 0);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'confluo-bench-burst-'));
  const devOptions: DevServerOptions = {
    port: await freePort(),
    dbFile: join(dir, 'temporal.db'),
    logFile: join(REPO_ROOT, 'bench', 'results', 'temporal-burst.log'),
  };
  // The server's inbound settings, passed on when set (e.g. CONFLUO_INBOUND_RELAY_CONCURRENCY=4).
  const serverEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('CONFLUO_INBOUND_') && !!e[1]),
  );
  // BENCH_BURST_RELAY=separate: the server that takes the burst only acknowledges (CONFLUO_INBOUND_RELAY=0) and a
  // second server process, which takes no requests, relays (a deployment the outbox allows; on a small machine it
  // keeps the relay's Temporal calls off the acknowledging process's one thread).
  const separate = process.env.BENCH_BURST_RELAY === 'separate';
  const stack = await startBenchStack(
    'burst',
    { ...serverEnv, ...(separate && { CONFLUO_INBOUND_RELAY: '0' }) },
    {
      temporal: devOptions,
    },
  );
  let temporal: DevServer = stack.temporal;
  let relayServer: Proc | undefined;
  if (separate) {
    const port = await freePort();
    relayServer = runNpm(
      'server',
      {
        ...serverEnv,
        DATABASE_URL: stack.database.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: 'bench-burst',
        PORT: String(port),
        HOST: '127.0.0.1',
        CONFLUO_API_KEY: API_KEY,
        CONFLUO_MIGRATE: '0',
        CONFLUO_CONTACT_EVENTS: '0',
        LOG_LEVEL: 'warn',
      },
      'bench-burst-relay',
    );
    await waitFor('relay server', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 90_000);
  }
  const twilio = await startTwilioFake({ accountSid: SID, authToken: TOKEN });
  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const pool = new Pool(stack.base, { connections: 256, pipelining: 1 });
  let failed = false;
  try {
    const flow = await stack.api('POST', '/api/flows', {
      name: 'burst',
      definition: {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [{ id: 'keep', type: 'set', values: { n: '{{ trigger.body.n }}' } }],
        edges: [{ from: 'trigger', to: 'keep' }],
      },
    });
    const published = await stack.api('POST', `/api/flows/${flow.id}/publish`);
    const hookPath = new URL(published.webhookUrl).pathname;
    const account = await stack.api('POST', '/api/channel-accounts', {
      connector: 'sms',
      name: 'Burst line',
      credentials: { accountSid: SID, authToken: TOKEN },
      settings: { from: '+14155550100', apiBaseUrl: twilio.url },
    });
    const channelUrl = `${stack.base}/hooks/channels/${account.id}`;

    const channelPath = new URL(channelUrl).pathname;
    // Signed before the burst, as the fake would sign them (connectors/testkit's Twilio fake signs the same way), so
    // the generator spends the burst sending, not hashing.
    let deliveries: { body: string; signature: string; sid: string }[] = [];
    const signDeliveries = (phase: string) =>
      (deliveries = Array.from({ length: Math.round(RATE * SECONDS) }, (_, i) => {
        const sid = `SM${{ burst: 'a', outage: 'b' }[phase] ?? 'c'}${String(i).padStart(31, '0')}`;
        const params = twilioInboundParams(
          sid,
          `+1415555${String(2000 + (i % SENDERS)).padStart(4, '0')}`,
          `${phase} ${i}`,
        );
        return { body: new URLSearchParams(params).toString(), signature: signTwilio(TOKEN, channelUrl, params), sid };
      }));
    const sendHook = async (key: string, n: number) => {
      const res = await pool.request({
        path: hookPath,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ n }),
      });
      const text = await res.body.text();
      return { status: res.statusCode, id: res.statusCode === 202 ? (JSON.parse(text).runId as string) : undefined };
    };
    const sendSms = async (i: number) => {
      const { body, signature, sid } = deliveries[i]!;
      const res = await pool.request({
        path: channelPath,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body,
      });
      await res.body.dump();
      return { status: res.statusCode, id: sid };
    };
    const burst = (phase: string) =>
      Promise.all([openLoop(SECONDS, (i) => sendHook(`${phase}-${i}`, i)), openLoop(SECONDS, sendSms)]);

    const runsOfFlow = async () => ({
      all: await client.workflow.count(`WorkflowType = 'runFlow' AND ConfluoFlowId = '${flow.id}'`),
      completed: await client.workflow.count(
        `WorkflowType = 'runFlow' AND ConfluoFlowId = '${flow.id}' AND ExecutionStatus = 'Completed'`,
      ),
    });
    const messages = async () => {
      const { rows } = await db.query<{ n: string; distinct: string }>(
        `SELECT count(*) AS n, count(DISTINCT provider_message_id) AS distinct FROM messages
         WHERE account_id = $1 AND direction = 'in'`,
        [account.id],
      );
      return { n: Number(rows[0]!.n), distinct: Number(rows[0]!.distinct) };
    };

    const runIds = new Set<string>();
    const sids = new Set<string>();
    /** Waits until everything acknowledged so far ran (or 20 min), then counts. */
    async function drain(endedAt: number) {
      await waitFor(
        'drained',
        async () => {
          const [r, m] = await Promise.all([runsOfFlow(), messages()]);
          return (r.completed.count >= runIds.size && m.n >= sids.size) || undefined;
        },
        20 * 60_000,
        1000,
      ).catch(() => undefined);
      const drainSeconds = (performance.now() - endedAt) / 1000;
      // Late duplicates would show a little after: look once more.
      await new Promise((r) => setTimeout(r, 2000));
      const [r, m] = await Promise.all([runsOfFlow(), messages()]);
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM inbound_events WHERE dispatched_at IS NULL',
      );
      return {
        drainSeconds: Math.round(drainSeconds * 10) / 10,
        webhooks: { acknowledged: runIds.size, workflows: r.all.count, completed: r.completed.count },
        deliveries: { acknowledged: sids.size, messages: m.n, distinctMessages: m.distinct },
        pendingRows: Number(rows[0]!.n),
        lost: Math.max(0, runIds.size - r.completed.count) + Math.max(0, sids.size - m.distinct),
        duplicated: Math.max(0, r.all.count - runIds.size) + Math.max(0, m.n - m.distinct),
      };
    }

    const figures = (w: Awaited<ReturnType<typeof burst>>[number]) => ({
      ack: latency(w.latencies),
      sentRate: Math.round(w.sentRate * 10) / 10,
      answeredRate: Math.round(w.answeredRate * 10) / 10,
      non2xx: count(w.statuses, (s) => s < 200 || s >= 300),
      fivexx: count(w.statuses, (s) => s >= 500),
      errors: w.errors,
      statuses: Object.fromEntries(w.statuses),
    });

    // Warm-up, not measured: the worker bundles its workflow code for a while after it starts (CPU the burst would
    // otherwise compete with), and both endpoints' first requests open connections and compile. A few requests of
    // each, then wait until they all ran: from then on the worker is polling. They count in the exactly-once totals.
    const warm = 40;
    const warmSeconds = warm / RATE;
    signDeliveries('warm');
    const warmed = await Promise.all([
      openLoop(warmSeconds, (i) => sendHook(`warm-${i}`, i)),
      openLoop(warmSeconds, sendSms),
    ]);
    warmed[0].acked.forEach((id) => runIds.add(id));
    warmed[1].acked.forEach((id) => sids.add(id));
    await drain(performance.now());
    const phases: Record<string, object> = {};
    // BENCH_BURST_PHASES=burst runs the first phase only (a quicker look while tuning).
    const only = process.env.BENCH_BURST_PHASES?.split(',');
    for (const phase of (['burst', 'outage'] as const).filter((p) => !only || only.includes(p))) {
      console.log(`\n${phase}: ${RATE}/s for ${SECONDS} s to the webhook and to the SMS account at once`);
      signDeliveries(phase);
      let outage: Promise<void> | undefined;
      let outageWindow: { from: number; to: number } | undefined;
      const started = performance.now();
      if (phase === 'outage') {
        outage = (async () => {
          await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 10));
          await temporal.stop();
          const from = (performance.now() - started) / 1000;
          await new Promise((r) => setTimeout(r, OUTAGE_SECONDS * 1000));
          temporal = await startTemporalDevServer(devOptions);
          outageWindow = {
            from: Math.round(from * 10) / 10,
            to: Math.round(((performance.now() - started) / 1000) * 10) / 10,
          };
        })();
      }
      const [hooks, sms] = await burst(phase);
      const endedAt = performance.now();
      await outage;
      hooks.acked.forEach((id) => runIds.add(id));
      sms.acked.forEach((id) => sids.add(id));
      const drained = await drain(endedAt);
      const result = { webhook: figures(hooks), sms: figures(sms), ...(outageWindow && { outageWindow }), ...drained };
      phases[phase] = result;
      if (drained.lost > 0 || drained.duplicated > 0) failed = true;
      const row = (name: string, f: ReturnType<typeof figures>) =>
        console.log(
          `  ${name.padEnd(8)} ack p50 ${f.ack.p50} ms  p99 ${f.ack.p99} ms (target ≤ ${TARGET_P99_MS})  max ${f.ack.max} ms  ` +
            `non-2xx ${f.non2xx} (5xx ${f.fivexx}${phase === 'outage' ? ', target 0' : ''})  errors ${f.errors}  ` +
            `sent ${f.sentRate}/s, all answered at ${f.answeredRate}/s`,
        );
      row('webhook', result.webhook);
      row('sms', result.sms);
      if (outageWindow) console.log(`  Temporal stopped from ${outageWindow.from} s to ${outageWindow.to} s`);
      console.log(
        `  drained in ${drained.drainSeconds} s after the burst; webhooks ${drained.webhooks.acknowledged} acknowledged, ` +
          `${drained.webhooks.workflows} runs (${drained.webhooks.completed} completed); deliveries ` +
          `${drained.deliveries.acknowledged} acknowledged, ${drained.deliveries.messages} messages ` +
          `(${drained.deliveries.distinctMessages} distinct); lost ${drained.lost}, duplicated ${drained.duplicated} (target 0)`,
      );
    }

    const out = {
      at: new Date().toISOString(),
      rate: RATE,
      seconds: SECONDS,
      outageSeconds: OUTAGE_SECONDS,
      targets: { ackP99Ms: TARGET_P99_MS, fivexxDuringOutage: 0, lost: 0, duplicated: 0 },
      phases,
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'burst.json'), JSON.stringify(out, null, 2) + '\n');
    console.log('\nwrote bench/results/burst.json');
  } finally {
    await pool.close();
    await connection.close().catch(() => undefined);
    await db.end();
    await twilio.close();
    await relayServer?.stop();
    await temporal.stop().catch(() => undefined);
    await stack.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) {
    console.error('an acknowledged event was lost or ran twice');
    process.exit(1);
  }
}

await main();
