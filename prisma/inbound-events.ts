// The inbound outbox (README.md "Durability"): a webhook call or a channel/CRM delivery is acknowledged once its row
// here has committed, not once Temporal accepted a start, so a burst or a Temporal outage does not slow or refuse
// acknowledgements. Each row is one workflow start to make: `id` is its workflow id (runIdFor, ingestIdFor,
// crmChangeIdFor: the event's dedupe key), so a repeated event inserts nothing and is answered as a replay, and the
// relay (worker/inbound-relay.ts) starting a row twice (two relays, one killed between its start and its mark) finds
// the workflow id taken in Temporal and starts nothing.
//
// Group commit: one INSERT per request would mean one WAL flush (fsync) per request, too slow on a slow disk for a
// burst. `createInboundOutbox` gathers the rows of concurrent requests into one multi-row INSERT (one statement, one
// transaction, one flush) and answers each request only after that statement committed. A batch closes when a commit
// slot frees (at most `maxInFlight` commits at once), at `maxBatch` rows, and waits at most `lingerMs` when idle.
//
// Retention: a dispatched row is kept INBOUND_RETENTION_MS (24 h), the window in which a repeat is answered from here
// (a replay, and the Idempotency-Key request-hash check). After it is pruned, a repeat inserts a new row whose start
// finds the workflow id taken in Temporal (REJECT_DUPLICATE, for the namespace's retention): still nothing runs twice,
// but the caller gets a plain 202 with the same runId (no replay header, no request-hash check).
import type { PrismaClient } from './client.js';

export const INBOUND_KINDS = ['run', 'ingest', 'crm_change'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

/** How long a dispatched row is kept: the dedupe window answered from PostgreSQL (a day, as Stripe keeps keys). */
export const INBOUND_RETENTION_MS = 24 * 3600_000;

export interface NewInboundEvent {
  /** The workflow id: the dedupe key. */
  id: string;
  kind: InboundKind;
  workspaceId: string;
  taskQueue: string;
  input: unknown;
  requestHash?: string;
}

export interface Acceptance {
  /** False: the id was there already (a repeat): nothing was inserted. */
  inserted: boolean;
  /** A repeat's first request hash (null when the first had none). */
  firstRequestHash: string | null;
}

export interface ClaimedInboundEvent {
  id: string;
  kind: InboundKind;
  input: unknown;
  attempts: number;
  createdAt: Date;
}

export interface InboundBacklog {
  pending: number;
  /** Age of the oldest pending row in seconds; 0 when none. */
  oldestAgeSeconds: number;
}

export function createInboundEventStore(prisma: PrismaClient) {
  return {
    /**
     * Inserts the rows in one statement (so one commit) and says for each whether it was new. Ids repeated within
     * `rows` are the caller's to fold (createInboundOutbox does). A repeat's first hash is read in the same statement;
     * a first insert still in flight in another transaction is waited for by ON CONFLICT but not seen by the
     * statement's snapshot, so those few are read once more after it.
     */
    async insert(rows: NewInboundEvent[]): Promise<Acceptance[]> {
      const batch = JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          workspace_id: r.workspaceId,
          task_queue: r.taskQueue,
          input: r.input,
          request_hash: r.requestHash ?? null,
        })),
      );
      const result = await prisma.$queryRaw<{ id: string; inserted: boolean; found: boolean; hash: string | null }[]>`
        WITH batch AS (
          SELECT * FROM jsonb_to_recordset(${batch}::jsonb)
            AS b(id text, kind text, workspace_id text, task_queue text, input jsonb, request_hash text)
        ), ins AS (
          INSERT INTO inbound_events (id, kind, workspace_id, task_queue, input, request_hash)
          SELECT id, kind, workspace_id, task_queue, input, request_hash FROM batch
          ON CONFLICT (id) DO NOTHING
          RETURNING id
        )
        SELECT b.id, ins.id IS NOT NULL AS inserted, e.id IS NOT NULL AS found, e.request_hash AS hash
        FROM batch b LEFT JOIN ins ON ins.id = b.id LEFT JOIN inbound_events e ON e.id = b.id`;
      const byId = new Map(result.map((r) => [r.id, r]));
      const unseen = result.filter((r) => !r.inserted && !r.found).map((r) => r.id);
      if (unseen.length > 0) {
        const late = await prisma.$queryRaw<{ id: string; request_hash: string | null }[]>`
          SELECT id, request_hash FROM inbound_events WHERE id = ANY(${unseen}::text[])`;
        for (const r of late) byId.set(r.id, { id: r.id, inserted: false, found: true, hash: r.request_hash });
      }
      return rows.map((r) => {
        const row = byId.get(r.id);
        return { inserted: row?.inserted ?? false, firstRequestHash: row?.hash ?? null };
      });
    },

    /**
     * Takes up to `limit` pending rows of `taskQueue` that no relay holds (oldest first) for `leaseMs`: another relay
     * skips them until then (a relay killed midway leaves its rows to the next one once the lease ends; what it had
     * started is found by its workflow id).
     */
    async claim(taskQueue: string, limit: number, leaseMs: number): Promise<ClaimedInboundEvent[]> {
      const rows = await prisma.$queryRaw<
        { id: string; kind: InboundKind; input: unknown; attempts: number; created_at: Date }[]
      >`
        UPDATE inbound_events e SET available_at = now() + ${leaseMs} * interval '1 millisecond'
        FROM (
          SELECT id FROM inbound_events
          WHERE task_queue = ${taskQueue} AND dispatched_at IS NULL AND available_at <= now()
          ORDER BY available_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ) picked
        WHERE e.id = picked.id
        RETURNING e.id, e.kind, e.input, e.attempts, e.created_at`;
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        input: r.input,
        attempts: r.attempts,
        createdAt: r.created_at,
      }));
    },

    /** The row of `id` when it is not dispatched yet (whoever holds it), else null. */
    async pending(id: string): Promise<ClaimedInboundEvent | null> {
      const [r] = await prisma.$queryRaw<
        { id: string; kind: InboundKind; input: unknown; attempts: number; created_at: Date }[]
      >`SELECT id, kind, input, attempts, created_at FROM inbound_events WHERE id = ${id} AND dispatched_at IS NULL`;
      return r ? { id: r.id, kind: r.kind, input: r.input, attempts: r.attempts, createdAt: r.created_at } : null;
    },

    /** Rows whose workflow Temporal has (started now, or before): done. */
    async markDispatched(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await prisma.$executeRaw`
        UPDATE inbound_events SET dispatched_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE id = ANY(${ids}::text[])`;
    },

    /** Starts that failed: tried again after `retryInMs` (each row's own backoff), with the error kept. */
    async markFailed(failures: { id: string; error: string; retryInMs: number }[]): Promise<void> {
      if (failures.length === 0) return;
      const batch = JSON.stringify(failures.map((f) => ({ id: f.id, error: f.error.slice(0, 2000), ms: f.retryInMs })));
      await prisma.$executeRaw`
        UPDATE inbound_events e SET attempts = e.attempts + 1, last_error = f.error,
          available_at = now() + f.ms * interval '1 millisecond'
        FROM jsonb_to_recordset(${batch}::jsonb) AS f(id text, error text, ms int)
        WHERE e.id = f.id AND e.dispatched_at IS NULL`;
    },

    /** Rows not yet dispatched (of `taskQueue`, or of all queues) and how old the oldest is. */
    async backlog(taskQueue?: string): Promise<InboundBacklog> {
      const [row] = await prisma.$queryRaw<{ pending: bigint; oldest: number | null }[]>`
        SELECT count(*) AS pending, EXTRACT(EPOCH FROM (now() - min(created_at)))::float8 AS oldest
        FROM inbound_events
        WHERE dispatched_at IS NULL AND (${taskQueue ?? null}::text IS NULL OR task_queue = ${taskQueue ?? null})`;
      return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, row?.oldest ?? 0) };
    },

    /** Removes rows dispatched more than `olderThanMs` ago, `chunk` at a time (no long lock); resolves to how many. */
    async prune(olderThanMs: number, chunk = 5_000): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await prisma.$executeRaw`
          DELETE FROM inbound_events WHERE id IN (
            SELECT id FROM inbound_events WHERE dispatched_at < now() - ${olderThanMs} * interval '1 millisecond' LIMIT ${chunk})`;
        total += n;
        if (n < chunk) return total;
      }
    },
  };
}

export type InboundEventStore = ReturnType<typeof createInboundEventStore>;

export interface InboundOutboxOptions {
  /** Rows per INSERT at most; default 200. */
  maxBatch?: number;
  /** Commits under way at once; default 2 (a batch fills while the one before it is flushed). */
  maxInFlight?: number;
  /** How long an idle outbox waits for company before it commits a first row; default 0 (the same tick). */
  lingerMs?: number;
  /** After each commit, with the rows it inserted (the relay is woken, counters move). */
  onCommit?: (inserted: NewInboundEvent[]) => void;
}

export interface InboundOutbox {
  /** Resolves once the row committed (or was there already); rejects when its batch failed (nothing acknowledged). */
  accept(row: NewInboundEvent): Promise<Acceptance>;
}

interface Waiting {
  row: NewInboundEvent;
  resolve(a: Acceptance): void;
  reject(err: unknown): void;
}

/** Group commit over `store.insert` (see the header). */
export function createInboundOutbox(store: InboundEventStore, opts: InboundOutboxOptions = {}): InboundOutbox {
  const maxBatch = opts.maxBatch ?? 200;
  const maxInFlight = opts.maxInFlight ?? 2;
  const lingerMs = opts.lingerMs ?? 0;
  const queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  async function commit(batch: Waiting[]) {
    // The same id twice in one batch: the first one is inserted, the others are its repeats.
    const first = new Map<string, Waiting>();
    const repeats: Waiting[] = [];
    for (const w of batch) {
      if (first.has(w.row.id)) repeats.push(w);
      else first.set(w.row.id, w);
    }
    const unique = [...first.values()];
    try {
      const outcomes = await store.insert(unique.map((w) => w.row));
      opts.onCommit?.(unique.filter((_, i) => outcomes[i]!.inserted).map((w) => w.row));
      unique.forEach((w, i) => w.resolve(outcomes[i]!));
      for (const w of repeats) {
        const f = first.get(w.row.id)!;
        const o = outcomes[unique.indexOf(f)]!;
        w.resolve({ inserted: false, firstRequestHash: o.inserted ? (f.row.requestHash ?? null) : o.firstRequestHash });
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  function pump() {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void commit(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    accept: (row) =>
      new Promise<Acceptance>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (queue.length >= maxBatch) return pump();
        if (scheduled) return;
        scheduled = true;
        const go = () => {
          scheduled = false;
          pump();
        };
        if (lingerMs > 0) setTimeout(go, lingerMs);
        else setImmediate(go);
      }),
  };
}
