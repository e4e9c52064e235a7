// Activities: the only place connector code runs. `executeStep` looks up the action, validates the resolved input,
// runs it with the SDK context and turns every outcome into something Temporal understands: a result small enough
// for history, or an ApplicationFailure that says whether another attempt can help (and, from a Retry-After, when).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { validateInput } from '../connectors/flow/index.js';
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { Registry } from '../connectors/sdk/index.js';
import type { ChannelsService } from '../connectors/sdk/channel.js';
import { ConnectorError } from '../connectors/sdk/errors.js';
import type { CrmAccount } from '../connectors/sdk/crm.js';
import type {
  AccountsService,
  ActionContext,
  ContactsService,
  ConversationsService,
  Logger,
} from '../connectors/sdk/types.js';
import { STEP_TIMEOUT_MARGIN_MS } from './contract.js';
import { createCrmActivities, type CrmDeps } from './crm-activities.js';
import { toFailure, type StepFailureDetails } from './failures.js';
import { createIngestActivities, type IngestDeps } from './ingest-activities.js';
import { createPollActivities } from './poll-trigger.js';
import type { FlowPollStore } from '../prisma/flow-polls.js';
import { createRunFailedActivities, type RunFailedDeps } from './run-failed-activities.js';
import { createSubflowActivities } from './subflow-activities.js';

/** Largest step output kept in workflow history (JSON, UTF-8). Bigger outputs fail the step instead of the run's history. */
export const MAX_OUTPUT_BYTES = 256 * 1024;

/** A logger that can make children with bound fields (pino's shape); a plain Logger works too. */
export type WorkerLogger = Logger & { child?(bindings: Record<string, unknown>): Logger };

/** Sending on channel accounts, bound to one step (its idempotency key, signal and logger). */
export interface ChannelRuntime {
  forStep(step: {
    workspaceId: string;
    idempotencyKey: string;
    signal: AbortSignal;
    logger: Logger;
    maxWaitMs?: number;
    /** The platform event that started the run (ExecuteStepInput.origin), kept on the messages it sends. */
    origin?: string;
  }): ChannelsService;
}

export interface WorkerServices {
  contacts: ContactsService;
  /** Absent where no database and secret key are set up: channel sends then fail with a config error. */
  channels?: ChannelRuntime;
  /** Stored accounts of non-channel connectors (CRMs); absent without a database: their actions fail, saying so. */
  accounts?: { open(accountId: string, where: { workspaceId: string; connector: string }): Promise<CrmAccount> };
  /** The inbox's open conversations and consent; absent without a database: the `conversations` actions say so. */
  conversations?: ConversationsService;
}

export interface ActivityDeps {
  registry: Registry;
  services: WorkerServices;
  /** CRM accounts and the contact store for `crmChange`; without them it fails, saying so. */
  crm?: CrmDeps;
  /** The conversation store and database for `ingest` and wait nodes; without it they fail, saying so. */
  inbox?: IngestDeps;
  /** The platform-event outbox for a failed run's run.failed (worker/run-failed-activities.ts). */
  events?: RunFailedDeps['events'];
  logger: WorkerLogger;
  /** Poll triggers' cursors and seen keys (worker/poll-trigger.ts); without it their polls fail, saying so. */
  polls?: FlowPollStore;
  /** Decrypts a stored connection's credentials; without it `connection` is ignored (built-ins need none). */
  resolveAuth?(workspaceId: string, connectionId: string): Promise<JsonObject | undefined>;
}

export interface ExecuteStepInput {
  workspaceId: string;
  /** The run's flow (absent in requests from histories written before it was sent). */
  flowId?: string;
  runId: string;
  nodeId: string;
  /** Full action id, `<connector>.<action>`. */
  action: string;
  /** Already resolved by the workflow (templates applied). */
  input: JsonObject;
  connection?: string;
  /**
   * The platform event that started the run, or the run that called it as a sub-flow (runOrigin in
   * workflows/node-steps.ts), e.g. `message.failed`; absent for webhooks, messages, schedules and older histories.
   */
  origin?: string;
}

export interface ExecuteStepResult {
  output: JsonValue;
  /** The attempt that succeeded, 1-based. */
  attempt: number;
}

export { toFailure, type StepFailureDetails } from './failures.js';

export function createActivities(deps: ActivityDeps) {
  async function executeStep(req: ExecuteStepInput): Promise<ExecuteStepResult> {
    const actx = Context.current();
    const attempt = actx.info.attempt;
    const fail = (code: string, message: string, extra: Omit<StepFailureDetails, 'attempt'> = {}) =>
      ApplicationFailure.create({ message, type: code, nonRetryable: true, details: [{ attempt, code, ...extra }] });

    const found = deps.registry.getAction(req.action);
    if (!found) throw fail('UNKNOWN_ACTION', `Unknown action "${req.action}": no installed connector provides it`);
    const { action } = found;

    const issues = validateInput(action.input, req.input);
    if (issues.length > 0) {
      const list = issues.map((i) => `${i.path} (${i.message})`).join('; ');
      throw fail('INPUT_INVALID', `Input of "${req.action}" is invalid: ${list}`, { issues });
    }

    const auth =
      req.connection && deps.resolveAuth ? await deps.resolveAuth(req.workspaceId, req.connection) : undefined;
    // Abort the action at the node's own timeout, a margin before Temporal's, so the failure names the limit.
    const limitMs = actx.info.startToCloseTimeoutMs
      ? actx.info.startToCloseTimeoutMs - STEP_TIMEOUT_MARGIN_MS
      : undefined;
    const timeout = limitMs && limitMs > 0 ? AbortSignal.timeout(limitMs) : undefined;
    const bindings = { runId: req.runId, nodeId: req.nodeId, action: req.action, attempt };
    const logger = deps.logger.child ? deps.logger.child(bindings) : deps.logger;
    const signal = timeout ? AbortSignal.any([actx.cancellationSignal, timeout]) : actx.cancellationSignal;
    const idempotencyKey = `${req.runId}:${req.nodeId}`;
    const ctx: ActionContext = {
      workspaceId: req.workspaceId,
      runId: req.runId,
      ...(req.flowId !== undefined && { flowId: req.flowId }),
      nodeId: req.nodeId,
      idempotencyKey,
      attempt,
      ...(auth && { auth }),
      logger,
      signal,
      services: {
        contacts: deps.services.contacts,
        channels:
          deps.services.channels?.forStep({
            workspaceId: req.workspaceId,
            idempotencyKey,
            signal,
            logger,
            // A short wait in the activity (it holds a worker slot meanwhile), the send keeps most of the attempt's
            // time; a longer queue sends the run to sleep durably instead.
            maxWaitMs: Math.min(3_000, (limitMs ?? 30_000) / 3),
            ...(req.origin !== undefined && { origin: req.origin }),
          }) ?? NO_CHANNELS,
        accounts: accountsFor(deps.services, req.workspaceId, req.action.split('.')[0]!),
        ...(deps.services.conversations && { conversations: deps.services.conversations }),
      },
    };

    let output: JsonValue;
    try {
      output = ((await action.run(ctx, req.input)) ?? null) as JsonValue;
    } catch (err) {
      if (actx.cancellationSignal.aborted) throw err; // the SDK reports its own cancellation
      if (timeout?.aborted) {
        throw ApplicationFailure.create({
          message: `"${req.action}" did not finish within ${limitMs} ms (the node's timeout)`,
          type: 'STEP_TIMEOUT',
          details: [{ attempt, code: 'STEP_TIMEOUT' }],
        });
      }
      throw toFailure(err, attempt);
    }

    const size = Buffer.byteLength(JSON.stringify(output), 'utf8');
    if (size > MAX_OUTPUT_BYTES) {
      throw fail(
        'OUTPUT_TOO_LARGE',
        `Output of "${req.action}" is ${size} bytes; the limit is ${MAX_OUTPUT_BYTES} bytes (256 KiB). ` +
          'Ask the provider for less data (fields, paging) or store large payloads elsewhere.',
      );
    }
    return { output, attempt };
  }

  return {
    executeStep,
    ...createIngestActivities(deps.inbox),
    ...createCrmActivities(deps.crm),
    ...createSubflowActivities(deps.inbox?.flows),
    ...createRunFailedActivities(deps.events && deps.inbox && { events: deps.events, flows: deps.inbox.flows }),
    ...createPollActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

const noChannels = async (): Promise<never> => {
  throw new ConnectorError(
    'config',
    'channel sends are not available here: the worker has no database or secret key for channel accounts',
  );
};
const NO_CHANNELS: ChannelsService = { send: noChannels, reply: noChannels };

/** The accounts a step may open: the run's workspace, the action's own connector. */
function accountsFor(services: WorkerServices, workspaceId: string, connector: string): AccountsService {
  return {
    async open(accountId) {
      if (!services.accounts)
        throw new ConnectorError('config', 'accounts are not available here: the worker has no database', {
          code: 'ACCOUNTS_UNAVAILABLE',
        });
      return services.accounts.open(accountId, { workspaceId, connector });
    },
  };
}
