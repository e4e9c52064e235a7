import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { ActionManifest, ConnectorManifest, FlowDetail, RunSummary } from '../api/types.js';
import { Canvas } from '../components/Canvas.js';
import { downloadFlowFile } from '../components/FlowFile.js';
import { Inspector } from '../components/Inspector.js';
import { Palette } from '../components/Palette.js';
import { RunsPanel } from '../components/RunsPanel.js';
import { TestPanel } from '../components/TestPanel.js';
import { VersionsPanel } from '../components/VersionsPanel.js';
import { flowLevelIssues } from '../flow/issues.js';
import { linkedRunId } from '../inbox/customer.js';
import type { FlowDefinition } from '../flow/model.js';
import { isPlatformEventType } from '../flow/platform-trigger.js';
import { TRIGGER_LABELS } from '../flow/trigger.js';
import { unsavedDraft } from '../store/draft-cache.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { navigate } from '../session.js';
import { FlowServicesContext } from './flow-services.js';
import { useFlowSync, type SaveState } from './use-flow-sync.js';
import { useChannelAccounts } from './use-channel-accounts.js';
import { useShortcuts } from './use-shortcuts.js';

type Tab = 'inspect' | 'test' | 'runs' | 'versions';
const TABS: { id: Tab; label: string }[] = [
  { id: 'inspect', label: 'Step' },
  { id: 'test', label: 'Test run' },
  { id: 'runs', label: 'Runs' },
  { id: 'versions', label: 'Versions' },
];

const saveText = (s: SaveState) =>
  s.state === 'error'
    ? `Not saved: ${s.message}`
    : { saved: 'All changes saved', pending: 'Unsaved changes…', saving: 'Saving…' }[s.state];

export function EditorScreen({ api, flowId, onSignOut }: { api: Api; flowId: string; onSignOut: () => void }) {
  const [flow, setFlow] = useState<FlowDetail | null>(null);
  const [connectors, setConnectors] = useState<ConnectorManifest[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  // `/flows/<id>?run=<runId>` (the inbox's open runs link here): the Runs tab with that run open.
  const [linkedRun] = useState(() => linkedRunId(location.search));
  const [tab, setTab] = useState<Tab>(linkedRun ? 'runs' : 'inspect');
  const [published, setPublished] = useState<{ version: number; webhookUrl: string } | null>(null);
  const [publishError, setPublishError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const draft = useRef<FlowDefinition | null>(null);
  const issues = useFlow((s) => s.issues);
  const definition = useFlow((s) => s.definition);
  const readOnlyVersion = useFlow((s) => s.readOnlyVersion);
  const canUndo = useFlow((s) => s.past.length > 0);
  const canRedo = useFlow((s) => s.future.length > 0);
  const selected = useFlow((s) => s.selected);
  const actions = useMemo(
    () => new Map<string, ActionManifest>(connectors.flatMap((c) => c.actions.map((a) => [a.id, a] as const))),
    [connectors],
  );
  const { save, validating, flush, markSaved } = useFlowSync(api, flowId, flow !== null, actions);
  const accounts = useChannelAccounts(api);
  const webhook = definition.trigger.type === 'webhook';
  useShortcuts();

  useEffect(() => {
    let live = true;
    Promise.all([api.getFlow(flowId), api.connectors()]).then(
      ([f, cs]) => {
        if (!live) return;
        markSaved(f.definition);
        flowStore.getState().load(unsavedDraft(flowId) ?? f.definition);
        setConnectors(cs);
        setFlow(f);
      },
      (err: Error) => live && setLoadError(err.message),
    );
    return () => {
      live = false;
    };
  }, [api, flowId, markSaved]);

  useEffect(() => {
    if (selected) setTab('inspect');
  }, [selected]);

  const refreshFlow = useCallback(() => api.getFlow(flowId).then(setFlow), [api, flowId]);
  const services = useMemo(
    () => ({ api, flowId, schedule: flow?.schedule, poll: flow?.poll, refreshFlow }),
    [api, flowId, flow?.schedule, flow?.poll, refreshFlow],
  );

  const blocked =
    readOnlyVersion !== null
      ? readOnlyVersion === 0
        ? 'You are looking at the draft as this test run ran it; go back to the draft to edit or publish.'
        : `You are looking at version ${readOnlyVersion}; go back to the draft to publish.`
      : issues.length > 0
        ? `Fix ${issues.length} ${issues.length === 1 ? 'issue' : 'issues'} before publishing.`
        : validating
          ? 'Checking the flow…'
          : definition.nodes.length === 0
            ? 'Add a step first.'
            : null;

  async function publish() {
    setPublishing(true);
    setPublishError(null);
    try {
      if (!(await flush())) throw new Error('The draft could not be saved.');
      const p = await api.publish(flowId);
      setPublished(p);
      await refreshFlow();
    } catch (err) {
      setPublishError((err as Error).message);
    } finally {
      setPublishing(false);
    }
  }

  async function viewVersion(version: number, overlay = false) {
    const state = flowStore.getState();
    if (state.readOnlyVersion === null) draft.current = state.definition;
    const v = await api.getVersion(flowId, version);
    flowStore.getState().load(v.definition, { readOnlyVersion: version, keepOverlay: overlay });
  }
  function backToDraft() {
    if (draft.current) flowStore.getState().load(draft.current);
    draft.current = null;
  }
  async function openRun(run: RunSummary) {
    if (run.version > 0) return viewVersion(run.version, true);
    // A test run ran the draft as it was then, which may differ from the draft now: show that one, read-only.
    const state = flowStore.getState();
    if (state.readOnlyVersion === null) draft.current = state.definition;
    const detail = await api.getRun(run.id);
    flowStore.getState().load(detail.definition, { readOnlyVersion: 0, keepOverlay: true });
  }

  if (loadError)
    return (
      <div className="page">
        <p role="alert" className="error">
          Could not open this flow: {loadError}{' '}
          <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
            Back to flows
          </a>
        </p>
      </div>
    );
  if (!flow) return <p className="muted page">Loading flow…</p>;

  const general = flowLevelIssues(definition, issues);

  return (
    <ReactFlowProvider>
      <div className="editor">
        <header className="topbar">
          <a href="/" className="brand" onClick={(e) => (e.preventDefault(), navigate('/'))}>
            ← Flows
          </a>
          <h1 className="flow-name">{flow.name}</h1>
          <span className={`save-state ${save.state}`} role="status" data-testid="save-state">
            {readOnlyVersion === 0
              ? 'Viewing a test run’s draft (read-only)'
              : readOnlyVersion !== null
                ? `Viewing version ${readOnlyVersion} (read-only)`
                : saveText(save)}
          </span>
          <span className="grow" />
          {readOnlyVersion !== null ? (
            <button type="button" onClick={backToDraft}>
              Back to draft
            </button>
          ) : (
            <>
              <button
                type="button"
                onClick={() => flowStore.getState().undo()}
                disabled={!canUndo}
                title="Undo (Ctrl+Z)"
              >
                Undo
              </button>
              <button
                type="button"
                onClick={() => flowStore.getState().redo()}
                disabled={!canRedo}
                title="Redo (Ctrl+Shift+Z)"
              >
                Redo
              </button>
              <button type="button" onClick={() => flowStore.getState().layout()} title="Auto-layout (Shift+L)">
                Auto-layout
              </button>
            </>
          )}
          <button
            type="button"
            onClick={() => downloadFlowFile(flow.name, definition)}
            title={
              readOnlyVersion === null
                ? 'Download the draft as a JSON flow file'
                : 'Download the definition shown as a JSON flow file'
            }
          >
            Export
          </button>
          {readOnlyVersion === null && (
            <span className={`validity ${issues.length ? 'bad' : 'good'}`} data-testid="validity" role="status">
              {validating
                ? 'Checking…'
                : issues.length
                  ? `⚠ ${issues.length} ${issues.length === 1 ? 'issue' : 'issues'}`
                  : '✓ Ready to publish'}
            </span>
          )}
          <button
            type="button"
            className="primary"
            onClick={publish}
            disabled={!!blocked || publishing}
            aria-describedby={blocked ? 'publish-reason' : undefined}
          >
            {publishing ? 'Publishing…' : 'Publish'}
          </button>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        {(blocked || publishError || published || general.length > 0) && (
          <div className="notices">
            {blocked && <span id="publish-reason">{blocked}</span>}
            {general.map((i, k) => (
              <span key={k} className="error">
                {i.message}
              </span>
            ))}
            {publishError && (
              <span role="alert" className="error">
                Publish failed: {publishError}
              </span>
            )}
            {published && !blocked && (
              <span role="status" className="success" data-testid="published">
                Published version {published.version}.{' '}
                {webhook ? (
                  <>
                    Webhook: <code>{published.webhookUrl}</code>{' '}
                    <button type="button" onClick={() => void navigator.clipboard?.writeText(published.webhookUrl)}>
                      Copy URL
                    </button>
                  </>
                ) : definition.trigger.type === 'channel.message' ? (
                  'It starts on each matching inbound message.'
                ) : definition.trigger.type === 'schedule' ? (
                  <ScheduleNotice schedule={flow?.schedule} />
                ) : isPlatformEventType(definition.trigger.type) ? (
                  `It starts on each matching ${TRIGGER_LABELS[definition.trigger.type].toLowerCase()} event.`
                ) : (
                  'It starts on each matching contact event.'
                )}
              </span>
            )}
          </div>
        )}
        <div className="workspace">
          <Palette connectors={connectors} />
          <Canvas />
          <aside className="side" aria-label="Details">
            <div role="tablist" className="tabs">
              {TABS.map((t) => (
                <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
                  {t.label}
                </button>
              ))}
            </div>
            <div role="tabpanel" className="side-body">
              {tab === 'inspect' && (
                <FlowServicesContext.Provider value={services}>
                  <Inspector
                    actions={actions}
                    connectors={connectors}
                    accounts={accounts}
                    flowId={flowId}
                    listFlows={api.listFlows}
                  />
                </FlowServicesContext.Provider>
              )}
              {tab === 'test' && (
                <TestPanel
                  api={api}
                  flowId={flowId}
                  flush={flush}
                  blocked={
                    readOnlyVersion !== null
                      ? 'Go back to the draft to test it.'
                      : issues.length
                        ? 'Fix the issues first.'
                        : null
                  }
                />
              )}
              {tab === 'runs' && <RunsPanel api={api} flowId={flowId} onOpen={openRun} initialRun={linkedRun} />}
              {tab === 'versions' && (
                <VersionsPanel flow={flow} trigger={definition.trigger.type} onView={(v) => void viewVersion(v)} />
              )}
            </div>
          </aside>
        </div>
      </div>
    </ReactFlowProvider>
  );
}

/** A published schedule's state: when it fires next (the server's answer from Temporal), or why it does not. */
function ScheduleNotice({ schedule }: { schedule: FlowDetail['schedule'] }) {
  if (!schedule) return <>It starts on its schedule.</>;
  if (schedule.state === 'paused') return <>Its schedule is paused.</>;
  const next = schedule.nextRunAt[0];
  if (schedule.state !== 'active' || !next) return <>It starts on its schedule (next run not known yet).</>;
  return (
    <>
      Next run:{' '}
      <time dateTime={next} data-testid="next-run">
        {new Date(next).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
      </time>
    </>
  );
}
