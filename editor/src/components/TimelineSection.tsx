// The contact page's one timeline: every channel's messages, notes, identities, changes, merges and the CRM sync,
// newest first, filtered by type and channel on the server and paged back with "Load older".
import { useEffect, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { TimelineEvent } from '../api/types.js';
import {
  appendPage,
  changeText,
  channelFilters,
  eventTitle,
  sourceWords,
  TIMELINE_GROUPS,
  TIMELINE_PAGE,
  timelineChannels,
  timelineQuery,
} from '../contacts/timeline.js';
import { go } from './TopBar.js';

/** The editor's page of a run (its flow, the Runs tab on that run). */
const runHref = (flowId: string, runId: string) =>
  `/flows/${encodeURIComponent(flowId)}?run=${encodeURIComponent(runId)}`;

export function TimelineSection({
  api,
  contactId,
  refresh,
  accountName,
}: {
  api: Api;
  contactId: string;
  /** Changes when the contact changed on the page: the timeline is read again from the top. */
  refresh: number;
  accountName?: (id: string) => string | undefined;
}) {
  const [group, setGroup] = useState('all');
  const [channel, setChannel] = useState('');
  const [items, setItems] = useState<TimelineEvent[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [channels, setChannels] = useState<string[]>([]);
  // Answers to an older filter (or an older "Load older") are dropped.
  const generation = useRef(0);

  useEffect(() => {
    let live = true;
    api.connectors().then(
      (list) => live && setChannels(list.filter((c) => c.channel).map((c) => c.id)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);

  const query = timelineQuery(group, channel);
  const key = JSON.stringify(query);
  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    // A cursor of the previous filter pages nothing of this one.
    setNext(undefined);
    api.contactTimeline(contactId, { ...(JSON.parse(key) as typeof query), limit: TIMELINE_PAGE }).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setNext(page.nextCursor);
        setLoading(false);
      },
      (e: Error) => {
        if (mine !== generation.current) return;
        setError(e.message);
        setLoading(false);
      },
    );
  }, [api, contactId, key, refresh]);

  const older = () => {
    if (!next) return;
    const mine = ++generation.current;
    setLoading(true);
    api.contactTimeline(contactId, { ...query, before: next, limit: TIMELINE_PAGE }).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((shown) => appendPage(shown ?? [], page.items));
        setNext(page.nextCursor);
        setLoading(false);
      },
      (e: Error) => {
        if (mine !== generation.current) return;
        setError(e.message);
        setLoading(false);
      },
    );
  };

  const shown = items ?? [];
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <div className="row timeline-filters">
        <label>
          Type{' '}
          <select value={group} onChange={(e) => setGroup(e.target.value)} aria-label="Type">
            {TIMELINE_GROUPS.map((g) => (
              <option key={g.id} value={g.id}>
                {g.label}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Channel{' '}
          <select
            value={channelFilters(group) ? channel : ''}
            onChange={(e) => setChannel(e.target.value)}
            aria-label="Channel"
            disabled={!channelFilters(group)}
          >
            <option value="">All channels</option>
            {timelineChannels(shown, channels).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items && shown.length === 0 && !loading && <p className="empty">Nothing on this timeline.</p>}
      <ol className="timeline" aria-label="Timeline" aria-busy={loading}>
        {shown.map((e) => {
          const by = sourceWords(e, accountName);
          return (
            <li key={e.id} data-type={e.type} data-channel={e.message?.channel}>
              <span className="event-title">{eventTitle(e, contactId, accountName)}</span>{' '}
              {e.message && (
                <>
                  <span className="event-text">{e.message.text ?? '(no text)'}</span>{' '}
                  <span className="badge">{e.message.status}</span>{' '}
                </>
              )}
              {e.note && <span className="event-text">{e.note.text}</span>}{' '}
              {by && (
                <span className="muted event-source">
                  {e.runId && e.flowId ? (
                    <a href={runHref(e.flowId, e.runId)} onClick={go(runHref(e.flowId, e.runId))}>
                      {by}
                    </a>
                  ) : (
                    by
                  )}{' '}
                </span>
              )}
              <time className="muted" dateTime={e.at}>
                {new Date(e.at).toLocaleString()}
              </time>
              {e.changes && e.changes.length > 0 && (
                <ul className="event-changes">
                  {e.changes.map((c) => (
                    <li key={c.field}>{changeText(c)}</li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      {next && (
        <button type="button" onClick={older} disabled={loading}>
          Load older
        </button>
      )}
    </section>
  );
}
