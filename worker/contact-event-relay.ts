// The platform-event relay (README.md "Contact events", "Platform events"): reads the outbox prisma/contact-events.ts
// fills and starts one run per (flow, event) for the flows whose trigger is the event's type, the way the webhook route
// starts runs; a run.failed event also starts the workspace's error flow (prisma/workspace-settings.ts). The
// run id comes from the flow and the event id (runIdFor), so a relay that dies between starting runs and marking the
// batch, or two relays, start each run once. Which version: the flow's latest published before the event happened
// (a flow starts on what happens after it was published; a later edit does not change what an earlier event runs).
// Node only; it runs in the server process (server/app.ts), beside the routes that start runs.
import { evaluateRule, truthy } from '../connectors/flow/logic.js';
import type { ContactEventTrigger, JsonObject, JsonValue, PlatformEventTrigger } from '../connectors/flow/types.js';
import type { Logger } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import {
  RELAYED_EVENT_RETENTION_MS,
  createContactEventStore,
  type EventFlowVersion,
  type PendingContactEvent,
} from '../prisma/contact-events.js';
import { contactView } from '../prisma/contacts.js';
import type { WorkflowClient } from './client.js';

export interface ContactEventRelayOptions {
  prisma: PrismaClient;
  workflows: WorkflowClient;
  logger: Logger;
  /** How long an idle relay waits before it looks again; default 500 ms. */
  pollMs?: number;
  /** Events per batch (one transaction); default 100. */
  batchSize?: number;
  /** Relay only these workspaces' events (a test app's own); default: every workspace. */
  workspaces?: string[];
}

export interface ContactEventRelay {
  /** Relays until stopped. */
  start(): void;
  /** Stops after the batch under way; resolves when it has. */
  stop(): Promise<void>;
  /** One pass over what is pending (tests and benchmarks): resolves to how many events it relayed. */
  drain(): Promise<number>;
}

const MAX_BACKOFF_MS = 30_000;
const PRUNE_EVERY_MS = 3600_000;

export function createContactEventRelay(opts: ContactEventRelayOptions): ContactEventRelay {
  const store = createContactEventStore(opts.prisma);
  const pollMs = opts.pollMs ?? 500;
  const batchSize = opts.batchSize ?? 100;

  async function relay(events: PendingContactEvent[]) {
    const versionsOf = new Map<string, Promise<EventFlowVersion[]>>();
    for (const event of events) {
      let versions = versionsOf.get(event.workspaceId);
      if (!versions) versionsOf.set(event.workspaceId, (versions = store.eventFlowVersions(event.workspaceId)));
      const starts = flowsFor(event, await versions);
      const errorFlow = event.type === 'run.failed' ? await store.errorFlow(event.workspaceId) : null;
      const toErrorFlow = errorFlow !== null && errorFlow.flowId !== event.causeFlowId;
      if (starts.length === 0 && !toErrorFlow) continue;
      const contact = event.contactId
        ? ((await contactView(opts.prisma, event.workspaceId, event.contactId)) as unknown as JsonValue)
        : null;
      const trigger: JsonObject = {
        event: event.type,
        eventId: String(event.id),
        ...(event.contactId !== null && { contactId: event.contactId }),
        occurredAt: event.createdAt.toISOString(),
        ...event.payload,
      };
      const start = (v: EventFlowVersion, runTrigger: JsonObject) =>
        opts.workflows.startRun(
          {
            workspaceId: event.workspaceId,
            flowId: v.flowId,
            version: v.version,
            definition: v.definition,
            trigger: runTrigger,
            ...(contact !== null && { contact }),
            startedAt: event.createdAt.toISOString(),
          },
          // One run per flow and event: the error flow listening to run.failed too still runs once.
          { idempotencyKey: `contact-event:${event.id}` },
        );
      for (const v of starts) {
        if (!passes(v.definition.trigger as ContactEventTrigger, { trigger, contact }, v.flowId)) continue;
        await start(v, trigger);
      }
      // The error flow, whatever its own trigger, with the run.failed event ({ run, step, error }) as its trigger.
      if (toErrorFlow) await start(errorFlow, { ...trigger, errorFlow: true });
    }
  }

  /** Per flow, the version published last before the event, when its trigger is the event's type and fits it. */
  function flowsFor(event: PendingContactEvent, versions: EventFlowVersion[]): EventFlowVersion[] {
    const live = new Map<string, EventFlowVersion>();
    for (const v of versions) if (v.publishedAt <= event.createdAt) live.set(v.flowId, v);
    return [...live.values()].filter((v) => {
      const t = v.definition.trigger as ContactEventTrigger;
      if (t.type !== event.type || v.flowId === event.causeFlowId) return false;
      const narrowed = v.definition.trigger as PlatformEventTrigger;
      if ('channels' in narrowed && narrowed.channels) {
        const channel = event.payload.channel;
        if (typeof channel !== 'string' || !narrowed.channels.includes(channel)) return false;
      }
      if ('flows' in narrowed && narrowed.flows) {
        const flowId = (event.payload.run as JsonObject | undefined)?.flowId;
        if (typeof flowId !== 'string' || !narrowed.flows.includes(flowId)) return false;
      }
      if (t.fields) {
        const changed = (event.payload.fields ?? []) as string[];
        if (!t.fields.some((f) => changed.includes(f))) return false;
      }
      if (t.kinds) {
        const kind = (event.payload.identity as JsonObject | undefined)?.kind;
        if (typeof kind !== 'string' || !t.kinds.includes(kind)) return false;
      }
      return true;
    });
  }

  /** A filter that throws matches nothing (as a channel trigger's): no run is better than a stuck relay. */
  function passes(trigger: ContactEventTrigger, data: object, flowId: string): boolean {
    if (trigger.filter === undefined) return true;
    try {
      return truthy(evaluateRule(trigger.filter, data, { now: Date.now() }));
    } catch (err) {
      opts.logger.warn({ flowId, error: (err as Error).message }, 'contact trigger filter failed; no run started');
      return false;
    }
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (let n; (n = await store.relayBatch(batchSize, relay, opts.workspaces)) > 0;) total += n;
    return total;
  }

  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function run() {
    let failures = 0;
    let prunedAt = 0;
    while (!stopping) {
      try {
        const n = await store.relayBatch(batchSize, relay, opts.workspaces);
        failures = 0;
        if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
          prunedAt = Date.now();
          await store.prune(new Date(Date.now() - RELAYED_EVENT_RETENTION_MS));
        }
        if (n < batchSize) await sleep(pollMs);
      } catch (err) {
        // The database or Temporal down: the batch stays pending (its transaction rolled back); try again later.
        failures++;
        opts.logger.warn({ error: (err as Error).message, failures }, 'contact event relay failed; retrying');
        await sleep(Math.min(MAX_BACKOFF_MS, pollMs * 2 ** Math.min(failures, 10)));
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
      wake?.();
      await loop;
      loop = undefined;
    },
    drain,
  };
}
