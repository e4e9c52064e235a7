import { lazy, Suspense, useId } from 'react';
import type { ActionManifest, ConnectorManifest } from '../api/types.js';
import { inputErrorSchema } from '../flow/issues.js';
import type { PollTrigger, ValidationIssue } from '../flow/model.js';
import { patchPollTrigger, pollSources, type PollTriggerPatch } from '../flow/poll-trigger.js';
import type { AccountsState } from '../screens/use-channel-accounts.js';
import { useFlowServices } from '../screens/flow-services.js';
import { flowStore } from '../store/flow-store.js';
import { DurationInput } from './DurationInput.js';
import { PauseToggle, when } from './PauseToggle.js';

// The form library is loaded with the first form, as the inspector's action forms are.
const ActionForm = lazy(() => import('./ActionForm.js').then((m) => ({ default: m.ActionForm })));

/** Issues on `/trigger/<field>` and below. */
const issuesOn = (issues: readonly ValidationIssue[], field: string) =>
  issues.filter((i) => i.path === `/trigger/${field}` || i.path.startsWith(`/trigger/${field}/`));

function FieldIssues({ issues, field }: { issues: readonly ValidationIssue[]; field: string }) {
  const mine = issuesOn(issues, field);
  if (mine.length === 0) return null;
  return (
    <ul className="issues" aria-label={`Problems with ${field}`}>
      {mine.map((i, k) => (
        <li key={k} className="error">
          {i.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * A poll trigger: which source (the installed connectors' poll triggers, the HTTP poll first), its settings as a form
 * from the source's input schema, the interval, and whether the first poll starts runs; the published poll's state.
 */
export function PollFields({
  trigger,
  connectors,
  accounts,
  issues,
}: {
  trigger: PollTrigger;
  connectors: readonly ConnectorManifest[];
  accounts: AccountsState;
  issues: readonly ValidationIssue[];
}) {
  const id = useId();
  const sources = pollSources(connectors);
  const source = sources.find((s) => s.id === trigger.source);
  const patch = (p: PollTriggerPatch, key?: string) => flowStore.getState().change((d) => patchPollTrigger(d, p), key);
  // The source's settings form is an action form over the trigger's input schema (same widgets, same issue mapping).
  const form: ActionManifest | undefined = source && {
    id: source.id,
    name: source.name,
    description: source.description,
    input: source.input ?? { type: 'object', properties: {} },
    output: source.output,
  };
  const inputIssues = issuesOn(issues, 'input').map((i) => ({
    ...i,
    path: i.path.replace(/^\/trigger\//, '/nodes/0/'),
  }));
  return (
    <>
      <p className="muted">
        The flow polls the source at the interval and starts one run for every new item (once per item, by its key). The
        first poll after publishing only notes what is there, unless you ask for runs.
      </p>
      <PollStatus />
      <div className="field">
        <label htmlFor={`${id}-source`}>Source</label>
        <select id={`${id}-source`} value={trigger.source} onChange={(e) => patch({ source: e.target.value })}>
          {!source && <option value={trigger.source}>{trigger.source} (not installed)</option>}
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.id})
            </option>
          ))}
        </select>
        <FieldIssues issues={issues} field="source" />
      </div>
      {form && (
        <Suspense fallback={<p className="muted">Loading the form…</p>}>
          <ActionForm
            key={form.id}
            action={form}
            input={trigger.input ?? {}}
            errors={inputErrorSchema(inputIssues)}
            accounts={accounts}
            onChange={(input) => patch({ input }, 'trigger/input')}
          />
        </Suspense>
      )}
      <ul className="issues" aria-label="Problems with input">
        {issuesOn(issues, 'input').map((i, k) => (
          <li key={k} className="error">
            {i.message}
          </li>
        ))}
      </ul>
      <div className="field">
        <DurationInput
          label="Poll every"
          value={trigger.every}
          onChange={(every) => patch({ every }, 'trigger/every')}
        />
        <small className="muted">At least a minute.</small>
        <FieldIssues issues={issues} field="every" />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={trigger.firstPoll === 'run'}
          onChange={(e) => patch({ firstPoll: e.target.checked ? 'run' : 'baseline' })}
        />{' '}
        The first poll starts a run for every item already there
      </label>
    </>
  );
}

const STATE_TEXT = {
  active: 'Active',
  failing: 'Failing: the last polls did not succeed',
  paused: 'Paused',
  missing: 'Missing in Temporal: publish again to recreate it',
  unknown: 'Unknown: the workflow service did not answer',
} as const;

/**
 * The published version's poll (GET /api/flows/:id `poll`): its state, last poll, last error and next poll, and
 * Pause/Resume (POST /api/flows/:id/poll/pause|resume; the state stays across later publishes).
 */
function PollStatus() {
  const services = useFlowServices();
  const poll = services?.poll;
  if (!services || !poll) return null;
  const { api, flowId, refreshFlow } = services;
  return (
    <section className="schedule-status" aria-label="Published poll">
      <strong>Published poll</strong>
      <span data-testid="poll-state" data-state={poll.state}>
        {STATE_TEXT[poll.state]}
      </span>
      <span className="muted">
        Last poll:{' '}
        {poll.lastPolledAt ? <time dateTime={poll.lastPolledAt}>{when(poll.lastPolledAt)}</time> : 'none yet'}
        {' · '}
        {poll.runsStarted} run{poll.runsStarted === 1 ? '' : 's'} started
      </span>
      {poll.nextPollAt && (
        <span className="muted">
          Next poll: <time dateTime={poll.nextPollAt}>{when(poll.nextPollAt)}</time>
        </span>
      )}
      {poll.lastError && (
        <p className="error" role="status">
          {poll.failures > 0 ? `${poll.failures} failed in a row: ` : ''}
          {poll.lastError.message}
        </p>
      )}
      {poll.state !== 'missing' && poll.state !== 'unknown' && (
        <PauseToggle
          paused={poll.state === 'paused'}
          labels={{ pause: 'Pause polling', resume: 'Resume polling' }}
          setPaused={(paused) => api.setPollPaused(flowId, paused).then(() => refreshFlow())}
        />
      )}
    </section>
  );
}
