import { useId, useState } from 'react';
import type { ConnectorManifest } from '../api/types.js';
import { kindLabel } from '../contacts/view.js';
import type { ChannelMessageTrigger, ContactEventTrigger, JsonValue, ValidationIssue } from '../flow/model.js';
import { CONTACT_EVENT_TYPES, PLATFORM_EVENT_TYPES } from '../flow/model.js';
import { isPlatformTrigger, patchPlatformTrigger } from '../flow/platform-trigger.js';
import type { FlowList } from '../api/types.js';
import { PlatformEventFields } from './PlatformEventFields.js';
import {
  attributeField,
  attributeKeyProblem,
  filterStart,
  IDENTITY_KINDS,
  isChannelTrigger,
  isContactTrigger,
  isScheduleTrigger,
  patchChannelTrigger,
  patchContactTrigger,
  starterVar,
  switchTrigger,
  toggled,
  toggledField,
  WHOLE_FIELDS,
  TRIGGER_LABELS,
  withSample,
  type ChannelTriggerPatch,
  type ContactTriggerPatch,
  type TriggerType,
} from '../flow/trigger.js';
import type { AccountsState } from '../screens/use-channel-accounts.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { ConditionBuilder } from './ConditionBuilder.js';
import { JsonField } from './JsonField.js';
import { AnswerWait } from './RespondFields.js';
import { ScheduleFields } from './ScheduleFields.js';
import { PollFields } from './PollFields.js';
import { isPollTrigger } from '../flow/poll-trigger.js';

/** What starts a contact event flow, in words (the inspector's first line). */
const CONTACT_EVENT_TEXT: Record<ContactEventTrigger['type'], string> = {
  'contact.created':
    'The flow starts for each new contact, whatever made it (a message, a run, the API, a person, a CRM).',
  'contact.updated': 'The flow starts each time a contact’s name or attributes change.',
  'contact.merged': 'The flow starts each time two contacts are merged into one; the run’s contact is the one kept.',
  'contact.unmerged':
    'The flow starts each time a merge is undone; the run’s contact is the one the merge was undone on.',
  'identity.added':
    'The flow starts each time an existing contact gets a new identity (a new contact is “Contact created”).',
};

/** The trigger: a webhook (with a sample request), inbound messages on chosen channels and accounts, or a contact event. */
export function TriggerInspector({
  connectors,
  accounts,
  issues,
  flowId,
  listFlows,
}: {
  connectors: readonly ConnectorManifest[];
  accounts: AccountsState;
  issues: readonly ValidationIssue[];
  /** The flow being edited and the workspace's flows: a run.failed trigger picks flows among the others. */
  flowId?: string;
  listFlows?: () => Promise<FlowList>;
}) {
  const id = useId();
  const trigger = useFlow((s) => s.definition.trigger);
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  // A schedule's field problems show under their fields (ScheduleFields); the rest here.
  const general = isScheduleTrigger(trigger)
    ? issues.filter((i) => !/^\/trigger\/(cron|every|timezone)(\/|$)/.test(i.path))
    : isPollTrigger(trigger)
      ? issues.filter((i) => !/^\/trigger\/(source|input|every)(\/|$)/.test(i.path))
      : issues;
  const setSample = (v: unknown) =>
    flowStore.getState().change((d) => ({ ...d, trigger: { ...d.trigger, sample: v as JsonValue } }), 'trigger/sample');
  const radio = (type: TriggerType) => (
    <label key={type} className="check">
      <input
        type="radio"
        name={`${id}-kind`}
        checked={trigger.type === type}
        onChange={() => flowStore.getState().change((d) => switchTrigger(d, type))}
      />{' '}
      {TRIGGER_LABELS[type]}
    </label>
  );
  return (
    <fieldset disabled={readOnly} className="plain">
      <h2>Trigger</h2>
      <fieldset className="field" role="radiogroup">
        <legend>Starts on</legend>
        <div className="row">{(['webhook', 'channel.message', 'schedule', 'poll'] as const).map(radio)}</div>
        <small className="muted">A contact event:</small>
        <div className="row">{CONTACT_EVENT_TYPES.map(radio)}</div>
        <small className="muted">A conversation, message or run event:</small>
        <div className="row">{PLATFORM_EVENT_TYPES.map(radio)}</div>
      </fieldset>
      {general.length > 0 && (
        <ul className="issues" aria-label="Problems with the trigger">
          {general.map((i, k) => (
            <li key={k} className="error">
              {i.message}
            </li>
          ))}
        </ul>
      )}
      {isChannelTrigger(trigger) ? (
        <ChannelFields trigger={trigger} connectors={connectors} accounts={accounts} />
      ) : isContactTrigger(trigger) ? (
        <ContactEventFields trigger={trigger} connectors={connectors} />
      ) : isPlatformTrigger(trigger) ? (
        <PlatformEventFields
          trigger={trigger}
          connectors={connectors}
          {...(flowId !== undefined && { flowId })}
          {...(listFlows && { listFlows })}
          filter={
            <FilterField
              filter={trigger.filter}
              starter={starterVar({ trigger })}
              start={filterStart({ trigger })}
              what="event"
              patch={(p, key) => flowStore.getState().change((d) => patchPlatformTrigger(d, p), key)}
            />
          }
        />
      ) : isPollTrigger(trigger) ? (
        <PollFields trigger={trigger} connectors={connectors} accounts={accounts} issues={issues} />
      ) : isScheduleTrigger(trigger) ? (
        <ScheduleFields trigger={trigger} issues={issues} />
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
          <AnswerWait issues={issues} />
        </>
      )}
      {trigger.type !== 'webhook' && (
        <JsonField
          key={`${trigger.type}-sample`}
          label={isChannelTrigger(trigger) ? 'Sample message (optional)' : 'Sample event (optional)'}
          describe={`${isChannelTrigger(trigger) ? 'A message event' : isScheduleTrigger(trigger) ? 'A schedule tick' : isPollTrigger(trigger) ? 'A polled item ({ key, item })' : isPlatformTrigger(trigger) ? 'An event' : 'A contact event'} as a run gets it as \`trigger\`; test runs start from it.`}
          value={trigger.sample}
          optional
          rows={5}
          onChange={(v) =>
            flowStore
              .getState()
              .change(
                (d) => (d.trigger.type === trigger.type ? withSample(d, v as JsonValue | undefined) : d),
                'trigger/sample',
              )
          }
        />
      )}
    </fieldset>
  );
}

/** The filter of a channel or contact event trigger: none (every event starts a run), or a rule in the builder. */
function FilterField({
  filter,
  starter,
  start,
  what,
  patch,
}: {
  filter: JsonValue | undefined;
  starter: string;
  start: JsonValue;
  what: string;
  patch: (p: { filter: JsonValue | undefined }, key?: string) => void;
}) {
  return (
    <fieldset className="field">
      <legend>Filter</legend>
      {filter === undefined ? (
        <>
          <small className="muted">
            Every {what} starts a run. A filter (a rule over trigger.* and contact.*) lets only matching ones through.
          </small>
          <div className="row">
            <button type="button" onClick={() => patch({ filter: start })}>
              Add a filter
            </button>
          </div>
        </>
      ) : (
        <>
          <ConditionBuilder rule={filter} newVar={starter} onChange={(f) => patch({ filter: f }, 'trigger/filter')} />
          <div className="row">
            <button type="button" className="danger" onClick={() => patch({ filter: undefined })}>
              Remove filter
            </button>
          </div>
        </>
      )}
    </fieldset>
  );
}

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
      <FilterField
        filter={trigger.filter}
        starter={starterVar({ trigger })}
        start={filterStart({ trigger })}
        what="message"
        patch={patch}
      />
    </>
  );
}

function ContactEventFields({
  trigger,
  connectors,
}: {
  trigger: ContactEventTrigger;
  connectors: readonly ConnectorManifest[];
}) {
  const patch = (p: ContactTriggerPatch, key?: string) =>
    flowStore.getState().change((d) => patchContactTrigger(d, p), key);
  return (
    <>
      <p className="muted">
        {CONTACT_EVENT_TEXT[trigger.type]} The run’s contact is the event’s contact: waits and replies go to them.
        Changes made by this flow’s own runs do not start it again.
      </p>
      {trigger.type === 'contact.updated' && <FieldsField fields={trigger.fields} patch={patch} />}
      {trigger.type === 'identity.added' && <KindsField kinds={trigger.kinds} connectors={connectors} patch={patch} />}
      <FilterField
        filter={trigger.filter}
        starter={starterVar({ trigger })}
        start={filterStart({ trigger })}
        what="event"
        patch={patch}
      />
    </>
  );
}

/** contact.updated: which changes start the flow (the name, the tags, attributes by key); none listed: any change. */
function FieldsField({ fields, patch }: { fields: string[] | undefined; patch: (p: ContactTriggerPatch) => void }) {
  const id = useId();
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const list = fields ?? [];
  const attributes = list.filter((f) => !WHOLE_FIELDS.includes(f));
  const add = () => {
    const k = key.trim();
    const p = attributeKeyProblem(k, list);
    setProblem(p);
    if (p) return;
    patch({ fields: toggledField(fields, attributeField(k), true) });
    setKey('');
  };
  return (
    <fieldset className="field">
      <legend>Changed fields</legend>
      {WHOLE_FIELDS.map((f) => (
        <label key={f} className="check">
          <input
            type="checkbox"
            checked={list.includes(f)}
            onChange={(e) => patch({ fields: toggledField(fields, f, e.target.checked) })}
          />{' '}
          {f === 'name' ? 'Name' : 'Tags'}
        </label>
      ))}
      {attributes.length > 0 && (
        <ul className="field-list" aria-label="Attributes that start the flow">
          {attributes.map((f) => (
            <li key={f} className="row">
              <code className="grow">{f}</code>
              <button
                type="button"
                className="link"
                aria-label={`Remove ${f}`}
                onClick={() => patch({ fields: toggledField(fields, f, false) })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={`${id}-key`}>Attribute key</label>
      <div className="row">
        <input
          id={`${id}-key`}
          className="mono grow"
          value={key}
          placeholder="plan"
          aria-invalid={!!problem}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(e) => {
            setKey(e.target.value);
            setProblem(null);
          }}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            add();
          }}
        />
        <button type="button" onClick={add}>
          Add attribute
        </button>
      </div>
      {problem && (
        <p id={`${id}-problem`} role="alert" className="error">
          {problem}
        </p>
      )}
      <small className="muted">None chosen: any change to the name or an attribute.</small>
    </fieldset>
  );
}

/** identity.added: which identity kinds start the flow; none chosen: any. */
function KindsField({
  kinds,
  connectors,
  patch,
}: {
  kinds: string[] | undefined;
  connectors: readonly ConnectorManifest[];
  patch: (p: ContactTriggerPatch) => void;
}) {
  const all = [...new Set([...IDENTITY_KINDS, ...connectors.flatMap((c) => c.channel?.addressKinds ?? [])])];
  const stray = (kinds ?? []).filter((k) => !all.includes(k));
  return (
    <fieldset className="field">
      <legend>Identity kinds</legend>
      {[...all, ...stray].map((k) => (
        <label key={k} className="check">
          <input
            type="checkbox"
            checked={(kinds ?? []).includes(k)}
            onChange={(e) => patch({ kinds: toggled(kinds, k, e.target.checked, all) })}
          />{' '}
          {kindLabel(k)}
        </label>
      ))}
      <small className="muted">None chosen: any kind.</small>
    </fieldset>
  );
}
