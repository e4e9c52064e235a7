// The inbox's customer panel, beside the conversation: who the customer is (name linking to the contact page, tags),
// where else they can be reached (identities by kind, with their flags), a few attributes, each CRM's sync, the
// recent events the thread does not show, and the flows running or waiting for them (each linking to the run in the
// editor). A column that collapses (remembered; collapsed at first on narrow screens); polled while open.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Contact, CrmLinkStatus, RunSummary, TimelineEvent } from '../api/types.js';
import { contactName, crmStatusText, eventTitle, groupIdentities, identityFlag, kindLabel } from '../contacts/view.js';
import { tagHref } from '../contacts/tags.js';
import { keyAttributes, openRuns, recentEvents, runHref } from '../inbox/customer.js';
import { relativeTime } from '../inbox/format.js';
import { usePoll } from '../screens/use-poll.js';
import { go } from './TopBar.js';

const OPEN_KEY = 'confluo.inbox.customerPanel';
export const CUSTOMER_POLL_MS = 10_000;

/** Open unless the agent closed it; closed at first on screens too narrow for three columns. */
function initiallyOpen(): boolean {
  const saved = localStorage.getItem(OPEN_KEY);
  if (saved !== null) return saved === 'open';
  return !window.matchMedia?.('(max-width: 1100px)').matches;
}

interface Loaded<T> {
  value: T | null;
  error: string | null;
}
const pending = <T,>(): Loaded<T> => ({ value: null, error: null });

/** One section's data: a failed read (a CRM or Temporal being down) shows in that section only. */
async function settle<T>(p: Promise<T>): Promise<Loaded<T>> {
  try {
    return { value: await p, error: null };
  } catch (e) {
    return { value: null, error: (e as Error).message };
  }
}

const contactHref = (id: string) => `/contacts/${encodeURIComponent(id)}`;

/** Mount once per contact (key it by id). */
export function CustomerPanel({ api, contactId }: { api: Api; contactId: string }) {
  const bodyId = useId();
  const [open, setOpen] = useState(initiallyOpen);
  const [contact, setContact] = useState<Loaded<Contact>>(pending);
  const [timeline, setTimeline] = useState<Loaded<TimelineEvent[]>>(pending);
  const [crm, setCrm] = useState<Loaded<CrmLinkStatus[]>>(pending);
  const [runs, setRuns] = useState<Loaded<RunSummary[]>>(pending);
  const [flowNames, setFlowNames] = useState<Map<string, string>>(new Map());
  const live = useRef(true);

  const refresh = useCallback(async () => {
    const [c, t, k, running, waiting] = await Promise.all([
      settle(api.getContact(contactId)),
      settle(api.contactTimeline(contactId).then((r) => r.items)),
      settle(api.contactCrm(contactId).then((r) => r.items)),
      settle(api.contactRuns(contactId, 'running').then((r) => r.items)),
      settle(api.contactRuns(contactId, 'waiting').then((r) => r.items)),
    ]);
    if (!live.current) return;
    setContact(c);
    setTimeline(t);
    setCrm(k);
    setRuns(
      running.error || waiting.error
        ? { value: null, error: running.error ?? waiting.error }
        : { value: openRuns(running.value ?? [], waiting.value ?? []), error: null },
    );
  }, [api, contactId]);

  useEffect(() => {
    live.current = true;
    void refresh();
    // Flow names only make the runs readable: without them the flow ids are shown.
    api.listFlows().then(
      (r) => live.current && setFlowNames(new Map(r.items.map((f) => [f.id, f.name]))),
      () => undefined,
    );
    return () => {
      live.current = false;
    };
  }, [api, refresh]);
  usePoll(refresh, CUSTOMER_POLL_MS, open);

  const toggle = () => {
    const next = !open;
    setOpen(next);
    localStorage.setItem(OPEN_KEY, next ? 'open' : 'closed');
    if (next) void refresh();
  };

  const c = contact.value;
  const now = Date.now();
  const attributes = keyAttributes(c?.attributes);
  const events = timeline.value ? recentEvents(timeline.value) : null;
  return (
    <aside className={`customer-panel${open ? ' open' : ''}`} aria-label="Customer">
      <button
        type="button"
        className="customer-toggle"
        aria-expanded={open}
        aria-controls={bodyId}
        title={open ? 'Hide the customer' : 'Show the customer'}
        onClick={toggle}
      >
        {open ? 'Customer ›' : '‹ Customer'}
      </button>
      <div id={bodyId} className="customer-body" hidden={!open}>
        {contact.error && (
          <p role="alert" className="error">
            {contact.error}
          </p>
        )}
        {!c && !contact.error && <p className="muted">Loading…</p>}
        {c && (
          <>
            <h2 className="customer-name">
              <a href={contactHref(c.id)} onClick={go(contactHref(c.id))}>
                {contactName(c)}
              </a>
            </h2>
            {c.tags.length > 0 && (
              <ul className="customer-tags" aria-label="Tags">
                {c.tags.map((t) => (
                  <li key={t}>
                    <a className="badge" href={tagHref(t)} onClick={go(tagHref(t))}>
                      {t}
                    </a>
                  </li>
                ))}
              </ul>
            )}

            <section aria-label="Channels">
              <h3>Channels</h3>
              {c.identities.length === 0 && <p className="empty">No identities.</p>}
              {groupIdentities(c.identities).map((g) => (
                <div key={g.kind} className="customer-channel">
                  <h4>{g.label}</h4>
                  <ul aria-label={g.label}>
                    {g.items.map((i) => (
                      <li key={i.id}>
                        <span className="identity-value">{i.value}</span>{' '}
                        <span className={`flag flag-${identityFlag(i)}`}>{identityFlag(i)}</span>
                        {i.shared && (
                          <>
                            {' '}
                            <span className="flag flag-shared" title="Another contact uses it too (a household)">
                              shared
                            </span>
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </section>

            {attributes.items.length > 0 && (
              <section aria-label="Attributes">
                <h3>Attributes</h3>
                <dl className="customer-attributes">
                  {attributes.items.map((a) => (
                    <div key={a.key}>
                      <dt>{a.key}</dt>
                      <dd>{a.value}</dd>
                    </div>
                  ))}
                </dl>
                {attributes.more > 0 && (
                  <p className="muted">
                    and {attributes.more} more on the{' '}
                    <a href={contactHref(c.id)} onClick={go(contactHref(c.id))}>
                      contact page
                    </a>
                  </p>
                )}
              </section>
            )}
          </>
        )}

        <section aria-label="Open runs">
          <h3>Open runs</h3>
          {runs.error && <p className="error">Runs unavailable: {runs.error}</p>}
          {runs.value?.length === 0 && <p className="empty">No flow is running or waiting for this customer.</p>}
          {runs.value && runs.value.length > 0 && (
            <ul className="customer-runs">
              {runs.value.map((r) => (
                <li key={r.id}>
                  <a href={runHref(r)} onClick={go(runHref(r))}>
                    {flowNames.get(r.flowId) ?? r.flowId}
                  </a>{' '}
                  <span className={`status status-${r.status}`}>{r.status}</span>{' '}
                  <time
                    className="muted"
                    dateTime={r.startedAt}
                    title={`Started ${new Date(r.startedAt).toLocaleString()}`}
                  >
                    {relativeTime(r.startedAt, now)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </section>

        {crm.value && crm.value.length > 0 && (
          <section aria-label="CRM">
            <h3>CRM</h3>
            <ul className="customer-crm">
              {crm.value.map((l) => (
                <li key={l.accountId}>
                  <span>{l.accountName}</span> <span className={`flag crm-${l.status}`}>{crmStatusText(l)}</span>
                  {l.recordId && <span className="muted"> · record {l.recordId}</span>}
                </li>
              ))}
            </ul>
          </section>
        )}
        {crm.error && <p className="error">CRM unavailable: {crm.error}</p>}

        <section aria-label="Recent events">
          <h3>Recent events</h3>
          {timeline.error && <p className="error">{timeline.error}</p>}
          {events?.length === 0 && <p className="empty">Nothing but this conversation yet.</p>}
          {events && events.length > 0 && (
            <ol className="customer-events">
              {events.map((e) => (
                <li key={e.id} data-type={e.type}>
                  <span className="event-title">{eventTitle(e) ?? kindLabel(e.type)}</span>
                  {e.note && <span className="event-text"> {e.note.text}</span>}{' '}
                  <time className="muted" dateTime={e.at} title={new Date(e.at).toLocaleString()}>
                    {relativeTime(e.at, now)}
                  </time>
                </li>
              ))}
            </ol>
          )}
        </section>

        {c && (
          <p>
            <a href={contactHref(c.id)} onClick={go(contactHref(c.id))}>
              Open the contact page
            </a>
          </p>
        )}
      </div>
    </aside>
  );
}
