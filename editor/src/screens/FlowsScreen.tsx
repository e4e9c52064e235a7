import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { FlowSummary } from '../api/types.js';
import { downloadFlowFile, ImportFlowButton } from '../components/FlowFile.js';
import { TemplateGallery } from '../components/TemplateGallery.js';
import { TopBar } from '../components/TopBar.js';
import { navigate } from '../session.js';

export function FlowsScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);

  const load = useCallback(() => {
    api.listFlows().then(
      (r) => setFlows(r.items),
      (e: Error) => setError(e.message),
    );
  }, [api]);
  useEffect(load, [load]);

  const act = (p: Promise<unknown>) => p.then(load, (e: Error) => setError(e.message));

  async function create(e: FormEvent) {
    e.preventDefault();
    try {
      const flow = await api.createFlow(name.trim() || 'Untitled flow');
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div className="page">
      <TopBar current="flows" onSignOut={onSignOut} />
      <main className="flows">
        <h1>Flows</h1>
        <form onSubmit={create} className="row">
          <label htmlFor="new-flow-name" className="sr-only">
            New flow name
          </label>
          <input
            id="new-flow-name"
            placeholder="New flow name, e.g. VIP signup"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary">
            Create flow
          </button>
        </form>
        <ImportFlowButton api={api} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {flows === null && !error && <p className="muted">Loading…</p>}
        {flows?.length === 0 && (
          <p className="empty">No flows yet. Name your first flow above and press “Create flow”.</p>
        )}
        <ul className="flow-list" aria-label="Flows">
          {flows?.map((f) => (
            <li key={f.id}>
              {renaming?.id === f.id ? (
                <form
                  className="row grow"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(api.updateFlow(f.id, { name: renaming.name }));
                    setRenaming(null);
                  }}
                >
                  <label htmlFor={`rename-${f.id}`} className="sr-only">
                    New name for {f.name}
                  </label>
                  <input
                    id={`rename-${f.id}`}
                    autoFocus
                    value={renaming.name}
                    onChange={(e) => setRenaming({ id: f.id, name: e.target.value })}
                  />
                  <button type="submit">Save</button>
                  <button type="button" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <a
                    href={`/flows/${f.id}`}
                    className="grow"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/flows/${f.id}`);
                    }}
                  >
                    {f.name}
                  </a>
                  <span className="muted">{f.latestVersion ? `v${f.latestVersion} published` : 'draft'}</span>
                  <button onClick={() => setRenaming({ id: f.id, name: f.name })} aria-label={`Rename ${f.name}`}>
                    Rename
                  </button>
                  <button
                    aria-label={`Export ${f.name}`}
                    title="Download the latest draft as a JSON flow file"
                    onClick={() =>
                      api.getFlow(f.id).then(
                        (d) => downloadFlowFile(d.name, d.definition),
                        (e: Error) => setError(e.message),
                      )
                    }
                  >
                    Export
                  </button>
                  <button
                    className="danger"
                    aria-label={`Delete ${f.name}`}
                    onClick={() =>
                      confirm(`Delete the flow “${f.name}” and its versions?`) && act(api.deleteFlow(f.id))
                    }
                  >
                    Delete
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
        <TemplateGallery api={api} />
      </main>
    </div>
  );
}
