import { useId } from 'react';
import type { ConnectorManifest } from '../api/types.js';
import type { ChannelMessageTrigger, JsonValue, ValidationIssue } from '../flow/model.js';
import {
  isChannelTrigger,
  patchChannelTrigger,
  switchTrigger,
  toggled,
  type ChannelTriggerPatch,
  type TriggerType,
} from '../flow/trigger.js';
import type { AccountsState } from '../screens/use-channel-accounts.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { ConditionBuilder } from './ConditionBuilder.js';
import { JsonField } from './JsonField.js';

const KINDS: { type: TriggerType; label: string }[] = [
  { type: 'webhook', label: 'Webhook' },
  { type: 'channel.message', label: 'Channel message' },
];

/** The trigger: a webhook (with a sample request), or inbound messages on chosen channels and accounts. */
export function TriggerInspector({
  connectors,
  accounts,
  issues,
}: {
  connectors: readonly ConnectorManifest[];
  accounts: AccountsState;
  issues: readonly ValidationIssue[];
}) {
  const id = useId();
  const trigger = useFlow((s) => s.definition.trigger);
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  const setSample = (v: unknown) =>
    flowStore.getState().change((d) => ({ ...d, trigger: { ...d.trigger, sample: v as JsonValue } }), 'trigger/sample');
  return (
    <fieldset disabled={readOnly} className="plain">
      <h2>Trigger</h2>
      <fieldset className="field" role="radiogroup">
        <legend>Starts on</legend>
        <div className="row">
          {KINDS.map((k) => (
            <label key={k.type} className="check">
              <input
                type="radio"
                name={`${id}-kind`}
                checked={trigger.type === k.type}
                onChange={() => flowStore.getState().change((d) => switchTrigger(d, k.type))}
              />{' '}
              {k.label}
            </label>
          ))}
        </div>
      </fieldset>
      {issues.length > 0 && (
        <ul className="issues" aria-label="Problems with the trigger">
          {issues.map((i, k) => (
            <li key={k} className="error">
              {i.message}
            </li>
          ))}
        </ul>
      )}
      {isChannelTrigger(trigger) ? (
        <ChannelFields trigger={trigger} connectors={connectors} accounts={accounts} />
      ) : (
        <>
          <p className="muted">The flow starts when a request reaches its webhook URL (shown after publishing).</p>
          <JsonField
            key="webhook-sample"
            label="Sample event"
            describe="An example request ({ body, headers, query }); its fields are offered in the data picker and used by test runs."
            value={trigger.sample ?? { body: {} }}
            rows={10}
            onChange={setSample}
          />
        </>
      )}
      {isChannelTrigger(trigger) && (
        <JsonField
          key="message-sample"
          label="Sample message (optional)"
          describe="A message event as a run gets it as `trigger`; test runs start from it."
          value={trigger.sample}
          optional
          rows={5}
          onChange={(v) =>
            flowStore
              .getState()
              .change(
                (d) =>
                  isChannelTrigger(d.trigger)
                    ? { ...d, trigger: withSample(d.trigger, v as JsonValue | undefined) }
                    : d,
                'trigger/sample',
              )
          }
        />
      )}
    </fieldset>
  );
}

function withSample(t: ChannelMessageTrigger, sample: JsonValue | undefined): ChannelMessageTrigger {
  const { sample: _old, ...rest } = t;
  return sample === undefined ? rest : { ...rest, sample };
}

const FILTER_START: JsonValue = { in: ['', { var: 'trigger.message.text' }] };

function ChannelFields({
  trigger,
  connectors,
  accounts,
}: {
  trigger: ChannelMessageTrigger;
  connectors: readonly ConnectorManifest[];
  accounts: AccountsState;
}) {
  const channels = connectors.flatMap((c) =>
    c.channel ? [{ name: c.channel.name, label: c.name, connector: c.id }] : [],
  );
  const names = channels.map((c) => c.name);
  const channelOf = new Map(channels.map((c) => [c.connector, c.name]));
  const chosen = trigger.channels ?? [];
  // Accounts of the chosen channels (of every channel when none is chosen), plus chosen ones this list lacks.
  const offered = accounts.items.filter(
    (a) => channelOf.has(a.connector) && (!chosen.length || chosen.includes(channelOf.get(a.connector)!)),
  );
  const accountIds = offered.map((a) => a.id);
  const strayAccounts = (trigger.accounts ?? []).filter((a) => !accountIds.includes(a));
  const strayChannels = chosen.filter((c) => !names.includes(c));
  const patch = (p: ChannelTriggerPatch, key?: string) =>
    flowStore.getState().change((d) => patchChannelTrigger(d, p), key);

  const setChannel = (name: string, on: boolean) => {
    const next = toggled(trigger.channels, name, on, names);
    // Accounts of channels no longer chosen could never match: they go too.
    const keep = (trigger.accounts ?? []).filter((id) => {
      const a = accounts.items.find((x) => x.id === id);
      return !a || !next.length || next.includes(channelOf.get(a.connector) ?? '');
    });
    patch({ channels: next, accounts: keep });
  };

  return (
    <>
      <p className="muted">
        The flow starts for each message that arrives on the chosen channels and accounts. The run’s contact is the
        sender: waits and replies go to them.
      </p>
      <fieldset className="field">
        <legend>Channels</legend>
        {channels.length === 0 && strayChannels.length === 0 && (
          <p className="muted">No installed connector provides a channel.</p>
        )}
        {[
          ...channels.map((c) => ({ name: c.name, label: `${c.label} (${c.name})` })),
          ...strayChannels.map((n) => ({ name: n, label: `${n} (not installed)` })),
        ].map((c) => (
          <label key={c.name} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(c.name)}
              onChange={(e) => setChannel(c.name, e.target.checked)}
            />{' '}
            {c.label}
          </label>
        ))}
        <small className="muted">None chosen: every channel.</small>
      </fieldset>
      <fieldset className="field">
        <legend>Accounts</legend>
        {accounts.loading && <p className="muted">Loading accounts…</p>}
        {accounts.error && <p className="error">Channel accounts could not be loaded: {accounts.error}</p>}
        {!accounts.loading && !accounts.error && offered.length === 0 && (
          <p className="muted">No account of {chosen.length ? 'these channels' : 'any channel'} yet.</p>
        )}
        {[
          ...offered.map((a) => ({ id: a.id, label: `${a.name} (${channelOf.get(a.connector)})` })),
          ...strayAccounts.map((a) => ({ id: a, label: `${a} (unknown account)` })),
        ].map((a) => (
          <label key={a.id} className="check">
            <input
              type="checkbox"
              checked={(trigger.accounts ?? []).includes(a.id)}
              onChange={(e) => patch({ accounts: toggled(trigger.accounts, a.id, e.target.checked, accountIds) })}
            />{' '}
            {a.label}
          </label>
        ))}
        <div className="row">
          <small className="muted grow">None chosen: every account.</small>
          <button type="button" className="link" onClick={accounts.reload}>
            Reload accounts
          </button>
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>Filter</legend>
        {trigger.filter === undefined ? (
          <>
            <small className="muted">
              Every message starts a run. A filter (a rule over trigger.* and contact.*) lets only matching ones
              through.
            </small>
            <div className="row">
              <button type="button" onClick={() => patch({ filter: FILTER_START })}>
                Add a filter
              </button>
            </div>
          </>
        ) : (
          <>
            <ConditionBuilder
              rule={trigger.filter}
              newVar="trigger.message.text"
              onChange={(filter) => patch({ filter }, 'trigger/filter')}
            />
            <div className="row">
              <button type="button" className="danger" onClick={() => patch({ filter: undefined })}>
                Remove filter
              </button>
            </div>
          </>
        )}
      </fieldset>
    </>
  );
}
