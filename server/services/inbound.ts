// The acknowledgement side of the inbound outbox (prisma/inbound-events.ts, README.md "Durability"): the webhook route
// and the channel gateway hand their events here; each is committed to PostgreSQL by the group commit and only then
// acknowledged, and the relay (worker/inbound-relay.ts) in this process is woken to start it on Temporal.
// Backpressure: past `backlogMax` undispatched rows of this server's queue, new events are refused with 503
// inbound_backlog_full and Retry-After (nothing stored, the caller or provider retries), so an outage that outlasts the
// bound does not fill the disk. The count is the relay's: read from PostgreSQL every second, moved in between by what
// this process committed and dispatched.
import type { Logger } from '../../connectors/sdk/types.js';
import type { PrismaClient } from '../../prisma/client.js';
import {
  createInboundEventStore,
  createInboundOutbox,
  type Acceptance,
  type InboundBacklog,
  type InboundKind,
  type NewInboundEvent,
} from '../../prisma/inbound-events.js';
import type { WorkflowClient } from '../../worker/client.js';
import { createInboundRelay } from '../../worker/inbound-relay.js';
import { httpErrors } from '../errors.js';
import type { InboundMetrics } from '../metrics.js';

/**
 * CONFLUO_INBOUND_BACKLOG_MAX's default: a whole minute's Temporal outage under the goal's 320/s burst is 19,200
 * events; 50,000 holds that twice and a half, about 150 MB of rows at a few KB each, and drains in minutes.
 */
export const DEFAULT_INBOUND_BACKLOG_MAX = 50_000;
const REFRESH_MS = 1_000;

export interface InboundOptions {
  prisma: PrismaClient;
  workflows: WorkflowClient;
  taskQueue: string;
  logger: Logger;
  metrics: InboundMetrics;
  /** Undispatched rows past which events are refused (503); default DEFAULT_INBOUND_BACKLOG_MAX. */
  backlogMax?: number;
  /** Run the relay in this process; default true. */
  relay?: boolean;
  /** The relay's poll for other processes' rows; default 250 ms. */
  pollMs?: number;
  /** Starts the relay has under way at once (CONFLUO_INBOUND_RELAY_CONCURRENCY); default 32. */
  concurrency?: number;
}

export type InboundEvent = Omit<NewInboundEvent, 'taskQueue'>;

export interface Inbound {
  /**
   * Makes the events durable (one group commit) and resolves with each one's acceptance; throws 503
   * inbound_backlog_full past the bound, before anything is stored.
   */
  accept(events: InboundEvent[]): Promise<Acceptance[]>;
  /** The pending rows of this server's queue, and the oldest one's age, read now. */
  backlog(): Promise<InboundBacklog>;
  start(): void;
  stop(): Promise<void>;
  /** Starts the run or ingest `id` now when it is still pending (GET /api/runs/:id right after its 202). */
  startPending(id: string): Promise<void>;
  /** Relays what is pending now (tests, benchmarks). */
  drain(): Promise<number>;
}

export function createInbound(opts: InboundOptions): Inbound {
  const store = createInboundEventStore(opts.prisma);
  const backlogMax = opts.backlogMax ?? DEFAULT_INBOUND_BACKLOG_MAX;
  const relay = createInboundRelay({
    prisma: opts.prisma,
    workflows: opts.workflows,
    taskQueue: opts.taskQueue,
    logger: opts.logger,
    ...(opts.pollMs !== undefined && { pollMs: opts.pollMs }),
    ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
    onOutcome(kind, outcome) {
      opts.metrics.relayed.inc({ kind, outcome });
      if (outcome !== 'failed') pending = Math.max(0, pending - 1);
    },
  });
  const outbox = createInboundOutbox(store, {
    onCommit(inserted) {
      pending += inserted.length;
      opts.metrics.commitBatch.observe(inserted.length);
      for (const row of inserted) opts.metrics.acknowledged.inc({ kind: row.kind });
      if (inserted.length > 0 && opts.relay !== false) relay.wake();
    },
  });

  let pending = 0;
  let refreshed = 0;
  let refreshing: Promise<void> | undefined;
  const refresh = () =>
    (refreshing ??= store
      .backlog(opts.taskQueue)
      .then((b) => {
        pending = b.pending;
        refreshed = Date.now();
      })
      .finally(() => (refreshing = undefined)));
  let timer: NodeJS.Timeout | undefined;

  return {
    async accept(events) {
      if (refreshed === 0) await refresh();
      if (pending >= backlogMax) {
        opts.metrics.refused.inc();
        throw httpErrors.inboundBacklogFull(backlogMax);
      }
      const outcomes = await Promise.all(events.map((e) => outbox.accept({ ...e, taskQueue: opts.taskQueue })));
      events.forEach((e, i) => {
        if (!outcomes[i]!.inserted) opts.metrics.replayed.inc({ kind: e.kind as InboundKind });
      });
      return outcomes;
    },
    backlog: () => store.backlog(opts.taskQueue),
    start() {
      timer = setInterval(
        () => void refresh().catch((err: unknown) => opts.logger.warn({ err }, 'inbound backlog not read')),
        REFRESH_MS,
      );
      timer.unref();
      if (opts.relay !== false) relay.start();
    },
    async stop() {
      clearInterval(timer);
      await relay.stop();
    },
    drain: () => relay.drain(),
    startPending: (id) => relay.startPending(id),
  };
}
