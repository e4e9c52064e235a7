// The server's Prometheus metrics (GET /metrics, README.md "Metrics"): one prom-client Registry per app (tests build
// several apps in one process), with Node's process metrics and the inbound outbox's: what was acknowledged, replayed,
// refused and relayed, the group commit's batch sizes, and the backlog read from PostgreSQL at each scrape.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InboundBacklog } from '../prisma/inbound-events.js';

export interface InboundMetrics {
  acknowledged: Counter<'kind'>;
  replayed: Counter<'kind'>;
  refused: Counter;
  relayed: Counter<'kind' | 'outcome'>;
  commitBatch: Histogram;
}

export interface ServerMetrics {
  registry: Registry;
  inbound: InboundMetrics;
  /** Where the backlog gauges read from at each scrape (set once the outbox exists). */
  setBacklogSource(read: () => Promise<InboundBacklog>): void;
}

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'confluo_' });
  let read: (() => Promise<InboundBacklog>) | undefined;
  // One read per scrape feeds both gauges (they are collected together).
  let last: { at: number; value: Promise<InboundBacklog> } | undefined;
  const backlog = () => {
    if (!last || Date.now() - last.at > 500)
      last = { at: Date.now(), value: read?.() ?? Promise.resolve({ pending: 0, oldestAgeSeconds: 0 }) };
    return last.value;
  };
  new Gauge({
    name: 'confluo_inbound_backlog',
    help: 'Acknowledged events not yet started on Temporal (rows of the inbound outbox this server relays)',
    registers: [registry],
    async collect() {
      this.set((await backlog()).pending);
    },
  });
  new Gauge({
    name: 'confluo_inbound_backlog_oldest_seconds',
    help: 'Age of the oldest acknowledged event not yet started on Temporal (0 when none)',
    registers: [registry],
    async collect() {
      this.set((await backlog()).oldestAgeSeconds);
    },
  });
  const inbound: InboundMetrics = {
    acknowledged: new Counter({
      name: 'confluo_inbound_acknowledged_total',
      help: 'Events committed to the inbound outbox and acknowledged (repeats not counted), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'confluo_inbound_replayed_total',
      help: 'Repeated events (same workflow id) answered as replays, nothing stored, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    refused: new Counter({
      name: 'confluo_inbound_refused_total',
      help: 'Events refused with 503 inbound_backlog_full (the backlog past CONFLUO_INBOUND_BACKLOG_MAX)',
      registers: [registry],
    }),
    relayed: new Counter({
      name: 'confluo_inbound_relayed_total',
      help: 'Starts by the inbound relay, by kind and outcome (started, duplicate: started before, failed: retried)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    commitBatch: new Histogram({
      name: 'confluo_inbound_commit_batch_rows',
      help: 'Rows inserted per group commit of the inbound outbox',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
  };
  return {
    registry,
    inbound,
    setBacklogSource(r) {
      read = r;
    },
  };
}
