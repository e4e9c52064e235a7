// The fields of a platform event trigger (README.md "Platform events"): which channels a conversation or message event
// comes from, or which flows' failed runs start a run.failed flow; the filter is the inspector's, passed in.
import { useEffect, useState, type ReactNode } from 'react';
import type { ConnectorManifest, FlowList, FlowSummary } from '../api/types.js';
import type { PlatformEventTrigger } from '../flow/model.js';
import {
  narrowsByChannel,
  patchPlatformTrigger,
  PLATFORM_EVENT_TEXT,
  type PlatformTriggerPatch,
} from '../flow/platform-trigger.js';
import { toggled } from '../flow/trigger.js';
import { flowStore } from '../store/flow-store.js';

export function PlatformEventFields({
  trigger,
  connectors,
  flowId,
  listFlows,
  filter,
}: {
  trigger: PlatformEventTrigger;
  connectors: readonly ConnectorManifest[];
  /** The flow being edited: a run.failed flow never starts on its own failures, so it is not offered. */
  flowId?: string;
  listFlows?: () => Promise<FlowList>;
  filter: ReactNode;
}) {
  const patch = (p: PlatformTriggerPatch) => flowStore.getState().change((d) => patchPlatformTrigger(d, p));
  return (
    <>
      <p className="muted">{PLATFORM_EVENT_TEXT[trigger.type]}</p>
      {narrowsByChannel(trigger.type) ? (
        <ChannelsField
          chosen={'channels' in trigger ? (trigger.channels ?? []) : []}
          connectors={connectors}
          patch={patch}
        />
      ) : (
        <FlowsField
          chosen={'flows' in trigger ? (trigger.flows ?? []) : []}
          flowId={flowId}
          listFlows={listFlows}
          patch={patch}
        />
      )}
      {filter}
    </>
  );
}

function ChannelsField({
  chosen,
  connectors,
  patch,
}: {
  chosen: string[];
  connectors: readonly ConnectorManifest[];
  patch: (p: PlatformTriggerPatch) => void;
}) {
  const channels = connectors.flatMap((c) => (c.channel ? [{ name: c.channel.name, label: c.name }] : []));
  const names = channels.map((c) => c.name);
  const stray = chosen.filter((c) => !names.includes(c));
  return (
    <fieldset className="field">
      <legend>Channels</legend>
      {[
        ...channels.map((c) => ({ name: c.name, label: `${c.label} (${c.name})` })),
        ...stray.map((n) => ({ name: n, label: `${n} (not installed)` })),
      ].map((c) => (
        <label key={c.name} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(c.name)}
            onChange={(e) => patch({ channels: toggled(chosen, c.name, e.target.checked, names) })}
          />{' '}
          {c.label}
        </label>
      ))}
      <small className="muted">None chosen: every channel.</small>
    </fieldset>
  );
}

function FlowsField({
  chosen,
  flowId,
  listFlows,
  patch,
}: {
  chosen: string[];
  flowId: string | undefined;
  listFlows: (() => Promise<FlowList>) | undefined;
  patch: (p: PlatformTriggerPatch) => void;
}) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (!listFlows) return;
    let live = true;
    listFlows().then(
      (r) => live && setFlows(r.items.filter((f) => f.id !== flowId)),
      (err: Error) => live && setFailed(err.message),
    );
    return () => {
      live = false;
    };
  }, [listFlows, flowId]);
  const ids = (flows ?? []).map((f) => f.id);
  const stray = chosen.filter((id) => flows && !ids.includes(id));
  return (
    <fieldset className="field">
      <legend>Flows</legend>
      {!flows && !failed && listFlows && <p className="muted">Loading flows…</p>}
      {failed && <p className="error">The flows could not be listed: {failed}</p>}
      {[
        ...(flows ?? []).map((f) => ({ id: f.id, label: f.name })),
        ...stray.map((id) => ({ id, label: `${id} (no such flow)` })),
      ].map((f) => (
        <label key={f.id} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(f.id)}
            onChange={(e) => patch({ flows: toggled(chosen, f.id, e.target.checked, ids) })}
          />{' '}
          {f.label}
        </label>
      ))}
      <small className="muted">None chosen: a failed run of any flow.</small>
    </fieldset>
  );
}
