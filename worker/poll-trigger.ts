// The activities of poll triggers (README.md "Poll triggers"), run by the `pollTrigger` workflow a flow's poll Schedule
// starts on its interval. `pollSource` calls the connector's `poll` with the saved cursor and answers which items are
// new, each with its run id (from the flow, the source configuration and the item's key: worker/ids.ts runIdFor, as a
// webhook's Idempotency-Key), within the poll's budget; the workflow starts those runs; `commitPoll` then records the
// keys and the cursor (prisma/flow-polls.ts explains why that order starts every item once across crashes). A source
// that fails is recorded on the flow's poll state, not retried here: the next tick is the retry. Node only.
import { Context } from '@temporalio/activity';
import { POLL_MAX_BYTES, POLL_MAX_ITEM_BYTES, POLL_MAX_ITEMS, POLL_MAX_KEY_LENGTH } from '../connectors/flow/poll.js';
import { validateInput } from '../connectors/flow/index.js';
import type { JsonObject, JsonValue, PollTrigger } from '../connectors/flow/types.js';
import { ConnectorError, isConnectorError, type Registry } from '../connectors/sdk/index.js';
import type { PollItem, PollTriggerContext } from '../connectors/sdk/types.js';
import { pollSourceKey, type FlowPollStore, type PollCommit, type PollError } from '../prisma/flow-polls.js';
import type { WorkerLogger, WorkerServices } from './activities.js';
import { runIdFor } from './ids.js';

export interface PollDeps {
  registry: Registry;
  services: WorkerServices;
  logger: WorkerLogger;
  /** The poll state store; without it (no database) polls fail, saying so. */
  polls?: FlowPollStore;
  resolveAuth?(workspaceId: string, connectionId: string): Promise<JsonObject | undefined>;
}

export interface PollSourceInput {
  workspaceId: string;
  flowId: string;
  version: number;
  trigger: PollTrigger;
}

/** One new item to run: its run id and what the run sees as `trigger`. */
export interface PollRun {
  key: string;
  runId: string;
  trigger: JsonObject;
}

export type PollSourceOutcome =
  | { kind: 'failed'; error: Omit<PollError, 'at'>; failures: number }
  /** The first poll recorded what the source holds (committed already): no run. */
  | { kind: 'baseline'; seen: number }
  | {
      kind: 'runs';
      sourceKey: string;
      runs: PollRun[];
      /** Keys recorded without a run (an item too large to run). */
      skipped: string[];
      /** The next cursor; absent: keep the saved one (new items were left for the next poll). */
      cursor?: JsonValue;
      polledAt: string;
      warning?: Omit<PollError, 'at'>;
    };

/** Idempotency key of an item's run: one run per flow, source configuration and item key. */
export const pollRunKey = (sourceKey: string, itemKey: string) => `poll:${sourceKey}:${itemKey}`;

const PRUNE_EVERY_MS = 3600_000;
const POLL_TIMEOUT_MARGIN_MS = 5_000;

const bytesOf = (v: JsonValue) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** The items as the source gave them, checked: keys non-empty strings of at most 512 characters, each key once. */
function checkedItems(items: unknown): PollItem[] {
  if (!Array.isArray(items))
    throw new ConnectorError('upstream', 'the poll returned no items list', { code: 'POLL_BAD_RESULT' });
  const seen = new Set<string>();
  const out: PollItem[] = [];
  items.forEach((item: unknown, i) => {
    const key = (item as PollItem | null)?.key;
    if (typeof key !== 'string' || key === '' || key.length > POLL_MAX_KEY_LENGTH)
      throw new ConnectorError(
        'upstream',
        `the poll's item ${i} has no key (a non-empty string of at most ${POLL_MAX_KEY_LENGTH} characters)`,
        { code: 'POLL_BAD_RESULT' },
      );
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ key, data: ((item as PollItem).data ?? null) as JsonValue });
  });
  return out;
}

const errorOf = (err: unknown): Omit<PollError, 'at'> =>
  isConnectorError(err)
    ? { message: err.message, code: err.code ?? err.kind }
    : { message: err instanceof Error ? err.message : String(err), code: 'POLL_ERROR' };

export function createPollActivities(deps: PollDeps) {
  let prunedAt = 0;
  const store = (): FlowPollStore => {
    if (!deps.polls)
      throw new ConnectorError('config', 'poll triggers need the database: the worker has none', {
        code: 'POLLS_UNAVAILABLE',
      });
    return deps.polls;
  };

  async function pollSource(req: PollSourceInput): Promise<PollSourceOutcome> {
    const polls = store();
    const { trigger, flowId } = req;
    const sourceKey = pollSourceKey(trigger);
    const logger = deps.logger.child ? deps.logger.child({ flowId, source: trigger.source }) : deps.logger;
    const failed = async (error: Omit<PollError, 'at'>): Promise<PollSourceOutcome> => {
      const failures = await polls.fail(flowId, sourceKey, error);
      logger.warn({ flowId, source: trigger.source, failures, code: error.code }, `poll failed: ${error.message}`);
      return { kind: 'failed', error, failures };
    };

    const found = deps.registry.getPollSource(trigger.source);
    if (!found)
      return failed({
        message: `no installed connector provides poll trigger "${trigger.source}"`,
        code: 'UNKNOWN_SOURCE',
      });
    const input = structuredClone(trigger.input ?? {});
    const issues = validateInput((found.trigger.input ?? { type: 'object' }) as JsonObject, input);
    if (issues.length > 0)
      return failed({
        message: `the poll's input is invalid: ${issues.map((i) => i.message.replace(/^input/, 'input')).join('; ')}`,
        code: 'INPUT_INVALID',
      });

    const actx = Context.current();
    const limitMs = (actx.info.startToCloseTimeoutMs ?? 120_000) - POLL_TIMEOUT_MARGIN_MS;
    const signal = AbortSignal.any([actx.cancellationSignal, AbortSignal.timeout(Math.max(limitMs, 1_000))]);
    const state = await polls.load(flowId, sourceKey);
    const baseline = state.first && trigger.firstPoll !== 'run';
    const connector = found.connector.id;
    const ctx: PollTriggerContext = {
      workspaceId: req.workspaceId,
      flowId,
      input,
      limit: POLL_MAX_ITEMS,
      firstPoll: state.first,
      baseline,
      logger,
      signal,
      services: {
        accounts: {
          async open(accountId) {
            if (!deps.services.accounts)
              throw new ConnectorError('config', 'accounts are not available here: the worker has no database', {
                code: 'ACCOUNTS_UNAVAILABLE',
              });
            return deps.services.accounts.open(accountId, { workspaceId: req.workspaceId, connector });
          },
        },
      },
    };
    let items: PollItem[];
    let cursor: JsonValue;
    try {
      if (trigger.connection && deps.resolveAuth) {
        const auth = await deps.resolveAuth(req.workspaceId, trigger.connection);
        if (auth) ctx.auth = auth;
      }
      const result = await found.trigger.poll(ctx, state.cursor);
      items = checkedItems(result?.items);
      cursor = (result.cursor ?? null) as JsonValue;
    } catch (err) {
      if (actx.cancellationSignal.aborted) throw err;
      return failed(errorOf(err));
    }

    if (baseline) {
      // Zapier's rule: what is there when the flow is published is the baseline, not a flood of runs.
      await polls.commit({
        flowId,
        sourceKey,
        cursor,
        seen: items.map((i) => ({ key: i.key, runId: null })),
        runsStarted: 0,
      });
      return { kind: 'baseline', seen: items.length };
    }

    const known = await polls.seen(
      flowId,
      sourceKey,
      items.map((i) => i.key),
    );
    const fresh = items.filter((i) => !known.has(i.key));
    const polledAt = new Date().toISOString();
    const runs: PollRun[] = [];
    const skipped: string[] = [];
    let bytes = 0;
    let warning: Omit<PollError, 'at'> | undefined;
    let complete = true;
    for (const item of fresh) {
      const size = bytesOf(item.data);
      if (size > POLL_MAX_ITEM_BYTES) {
        skipped.push(item.key);
        warning = {
          message: `item "${item.key}" is ${size} bytes, over the ${POLL_MAX_ITEM_BYTES} bytes a run's trigger may hold: no run started for it`,
          code: 'POLL_ITEM_TOO_LARGE',
        };
        continue;
      }
      if (runs.length >= POLL_MAX_ITEMS || bytes + size > POLL_MAX_BYTES) {
        complete = false; // the rest come again next poll (the cursor stays): they are not seen yet
        break;
      }
      bytes += size;
      runs.push({
        key: item.key,
        runId: runIdFor(flowId, pollRunKey(sourceKey, item.key)),
        trigger: { type: 'poll', source: trigger.source, key: item.key, item: item.data, polledAt },
      });
    }
    return {
      kind: 'runs',
      sourceKey,
      runs,
      skipped,
      ...(complete && { cursor }),
      polledAt,
      ...(warning && { warning }),
    };
  }

  async function commitPoll(c: PollCommit): Promise<void> {
    const polls = store();
    await polls.commit(c);
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      await polls.prune().catch((err: unknown) => deps.logger.warn({ err }, 'poll seen keys not pruned'));
    }
  }

  return { pollSource, commitPoll };
}

export type PollActivities = ReturnType<typeof createPollActivities>;
