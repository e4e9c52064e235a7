// "Test step" latency (issue 12): how long the editor waits for POST /api/flows/:id/steps/:nodeId/test, an
// http.request action against a local sink, from the samples, sequentially (one person clicking) and 4 at a time (a
// few people at once). Real server and worker processes on a fresh database and their own Temporal dev server. Each
// test is a `testStep` workflow start, one activity on the worker and its result; the sink must receive exactly one
// request per test. Writes bench/results/step-test.json.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/processes.js';
import { forEachLimit, latency, startBenchStack } from './bench-processes.js';

const TESTS = Number(process.env.BENCH_STEP_TESTS ?? 100);
/** A person clicking "Test step" should see the output about as fast as the provider answers. */
const TARGET_P50_MS = 250;

async function main() {
  let received = 0;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
  const stack = await startBenchStack('step-test');
  try {
    const flow = await stack.api('POST', '/api/flows', {
      name: 'step test bench',
      definition: {
        schemaVersion: 1,
        trigger: { type: 'webhook', sample: { body: { name: 'Ann' } } },
        nodes: [
          {
            id: 'notify',
            type: 'action',
            action: 'http.request',
            input: { method: 'POST', url: sinkUrl, body: { hello: '{{ trigger.body.name }}' } },
          },
        ],
        edges: [{ from: 'trigger', to: 'notify' }],
      },
    });
    const url = `/api/flows/${flow.id}/steps/notify/test`;
    const rounds: Record<string, ReturnType<typeof latency> & { failed: number }> = {};
    // The limit is 30 a minute per flow: each round gets flows of its own, one per 25 tests.
    const flows = [flow.id];
    for (let i = 1; i < Math.ceil((2 * TESTS + 5) / 25); i++)
      flows.push((await stack.api('POST', '/api/flows', { name: `bench ${i}`, definition: flow.definition })).id);
    let used = 0;
    const nextUrl = () => `/api/flows/${flows[Math.floor(used++ / 25)]}/steps/notify/test`;
    await stack.api('POST', url, {}); // warm-up (the first workflow task loads the bundle)
    used = 25;
    for (const concurrency of [1, 4]) {
      const times: number[] = [];
      let failed = 0;
      await forEachLimit(
        Array.from({ length: TESTS }, (_, i) => i),
        concurrency,
        async () => {
          const started = performance.now();
          const res = await stack.call('POST', nextUrl(), {});
          times.push(performance.now() - started);
          if (res.status !== 200 || res.body.error) failed++;
        },
      );
      rounds[`concurrency ${concurrency}`] = { ...latency(times), failed };
    }
    const results = { tests: TESTS, rounds, sinkRequests: received, expectedSinkRequests: 2 * TESTS + 1 };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'step-test.json'), JSON.stringify(results, null, 2));
    const row = (what: string, value: string, target = '') =>
      console.log(`${what.padEnd(36)} ${value.padStart(14)}   ${target}`);
    for (const [name, l] of Object.entries(rounds)) {
      row(`${name}: p50`, `${l.p50} ms`, `≤ ${TARGET_P50_MS} ms`);
      row(`${name}: p99 / max`, `${l.p99} / ${l.max} ms`);
      row(`${name}: failed`, String(l.failed), '0');
    }
    row('sink requests', String(received), `= ${2 * TESTS + 1}`);
    if (received !== 2 * TESTS + 1 || Object.values(rounds).some((r) => r.failed > 0)) process.exitCode = 1;
  } finally {
    await stack.stop();
    sink.close();
  }
}

await main();
