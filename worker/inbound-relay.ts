// The inbound relay (README.md "Durability"): starts on Temporal what the webhook route and the channel gateway
// acknowledged into the inbound outbox (prisma/inbound-events.ts), each row's workflow with the row's id as workflow
// id. It runs in the server process (server/app.ts), woken at once when the outbox commits a batch there and polling
// for rows other server processes committed (or a killed one left). Exactly once:
// - two relays (two servers, or a restarted one beside a lease not yet over) take disjoint rows: a claim is
//   FOR UPDATE SKIP LOCKED and leases the rows (available_at) for LEASE_MS;
// - a relay killed between a start and its mark leaves the row to the next one after the lease, whose start finds
//   the workflow id taken (REJECT_DUPLICATE + FAIL, worker/client.ts) and counts it done: started once.
// While Temporal is down each failed row waits its own backoff (attempts, last_error kept) and stays in the backlog.
// Node only.
import type { Logger } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import {
  INBOUND_RETENTION_MS,
  createInboundEventStore,
  type ClaimedInboundEvent,
  type InboundKind,
} from '../prisma/inbound-events.js';
import type { InboundStart, WorkflowClient } from './client.js';

export interface InboundRelayOptions {
  prisma: PrismaClient;
  workflows: WorkflowClient;
  /** The queue whose rows this relay starts (the server's own task queue). */
  taskQueue: string;
  logger: Logger;
  /** How often an idle relay looks for rows other processes committed; default 250 ms. */
  pollMs?: number;
  /** Rows per claim; default 200. */
  batchSize?: number;
  /** Starts under way at once; default 32. */
  concurrency?: number;
  /** How long a claim holds its rows from other relays; default LEASE_MS. */
  leaseMs?: number;
  /** Each row's start, after it: started, found started before (duplicate), or failed (tried again later). */
  onOutcome?: (kind: InboundKind, outcome: 'started' | 'duplicate' | 'failed') => void;
}

export interface InboundRelay {
  start(): void;
  /** Stops after the pass under way; resolves when it has. */
  stop(): Promise<void>;
  /** Look now (a batch was just committed). */
  wake(): void;
  /**
   * Starts `id`'s row now when it is still pending (a read of the run right after its 202: read your writes). Safe
   * beside the relay holding the same row: one of the two starts finds the workflow id taken. Throws when Temporal
   * does not answer (the row stays pending).
   */
  startPending(id: string): Promise<void>;
  /** Passes until nothing is claimable (tests, benchmarks): resolves to how many rows it dispatched. */
  drain(): Promise<number>;
}

/** Far above a pass's length (a batch's starts, each bounded by the Temporal deadline, 32 at a time). */
export const LEASE_MS = 30_000;
const BASE_BACKOFF_MS = 250;
/** A start that failed is tried again within this, so the backlog drains soon after Temporal is back. */
const MAX_BACKOFF_MS = 5_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** How long a woken relay waits for more commits before it claims. */
const COALESCE_MS = 10;

export const retryDelayMs = (attempts: number) =>
  Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempts, 10));

export function createInboundRelay(opts: InboundRelayOptions): InboundRelay {
  const store = createInboundEventStore(opts.prisma);
  const pollMs = opts.pollMs ?? 250;
  const batchSize = opts.batchSize ?? 200;
  const concurrency = opts.concurrency ?? 32;
  const leaseMs = opts.leaseMs ?? LEASE_MS;

  /** One claim, its starts and their marks: how many were claimed and how many of them failed. */
  async function pass(): Promise<{ claimed: number; dispatched: number; failed: number }> {
    const rows = await store.claim(opts.taskQueue, batchSize, leaseMs);
    if (rows.length === 0) return { claimed: 0, dispatched: 0, failed: 0 };
    const done: string[] = [];
    const failures: { id: string; error: string; retryInMs: number }[] = [];
    let next = 0;
    const startOne = async (row: ClaimedInboundEvent) => {
      try {
        const outcome = await opts.workflows.startInbound({
          id: row.id,
          kind: row.kind,
          input: row.input,
        } as InboundStart);
        done.push(row.id);
        opts.onOutcome?.(row.kind, outcome);
      } catch (err) {
        failures.push({
          id: row.id,
          error: (err as Error).message ?? String(err),
          retryInMs: retryDelayMs(row.attempts),
        });
        opts.onOutcome?.(row.kind, 'failed');
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
        while (next < rows.length) await startOne(rows[next++]!);
      }),
    );
    await store.markDispatched(done);
    await store.markFailed(failures);
    if (failures.length > 0)
      opts.logger.warn(
        { failed: failures.length, of: rows.length, error: failures[0]!.error },
        'inbound starts failed; retrying with backoff',
      );
    return { claimed: rows.length, dispatched: done.length, failed: failures.length };
  }

  async function startPending(id: string) {
    const row = await store.pending(id);
    if (!row) return;
    const outcome = await opts.workflows.startInbound({ id: row.id, kind: row.kind, input: row.input } as InboundStart);
    await store.markDispatched([row.id]);
    opts.onOutcome?.(row.kind, outcome);
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, dispatched } = await pass();
      total += dispatched;
      if (claimed === 0) return total;
    }
  }

  let stopping = false;
  let loop: Promise<void> | undefined;
  let woken = false;
  let wakeSleep: (() => void) | undefined;
  /**
   * A poll's sleep ends COALESCE_MS after a wake() (so one claim takes the rows of the commits in between, rather than
   * a claim per commit competing with the acknowledgements for the process); a backoff's only on stop().
   */
  const sleep = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wakeable && woken ? COALESCE_MS : ms);
      let ending = false;
      const end = (after: number) => {
        if (ending) return;
        ending = true;
        clearTimeout(timer);
        setTimeout(resolve, after);
      };
      wakeSleep = () => (stopping ? end(0) : wakeable && end(COALESCE_MS));
    });

  async function run() {
    let failures = 0;
    let prunedAt = 0;
    while (!stopping) {
      woken = false;
      try {
        const { claimed, failed } = await pass();
        if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
          prunedAt = Date.now();
          await store.prune(INBOUND_RETENTION_MS);
        }
        // Every start failed (Temporal down): wait before the next claim, as each row waits its own backoff.
        failures = claimed > 0 && failed === claimed ? failures + 1 : 0;
        if (failures > 0) await sleep(retryDelayMs(failures), false);
        else if (claimed < batchSize) await sleep(pollMs, true);
      } catch (err) {
        // The database down: the claimed rows come back when their lease ends.
        failures++;
        opts.logger.warn({ error: (err as Error).message, failures }, 'inbound relay failed; retrying');
        await sleep(retryDelayMs(failures), false);
      }
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wakeSleep?.();
      await loop;
      loop = undefined;
    },
    wake() {
      woken = true;
      wakeSleep?.();
    },
    drain,
    startPending,
  };
}
