// The inbox's left column: one row per conversation, the most recently active first.
import type { Conversation } from '../api/types.js';
import { contactLabel, messagePreview, relativeTime } from '../inbox/format.js';
import { go } from './TopBar.js';

interface Props {
  items: Conversation[] | null;
  selectedId: string | null;
  now: number;
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

export function ConversationList({ items, selectedId, now, error, hasMore, loadingMore, onLoadMore }: Props) {
  return (
    <section className="conv-pane" aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      {error && (
        <p role="alert" className="error">
          {items ? `Not up to date: ${error}` : error}
        </p>
      )}
      {items === null && !error && <p className="muted">Loading…</p>}
      {items?.length === 0 && (
        <p className="empty">No conversations yet. Messages your channel accounts receive show up here.</p>
      )}
      <ul className="conv-list" aria-label="Conversations">
        {items?.map((c) => {
          const href = `/inbox/${encodeURIComponent(c.id)}`;
          const last = c.lastMessage;
          return (
            <li key={c.id}>
              <a href={href} onClick={go(href)} aria-current={c.id === selectedId ? 'page' : undefined}>
                <span className="conv-top">
                  <span className="conv-name">{contactLabel(c.contact)}</span>
                  {c.lastMessageAt && (
                    <time dateTime={c.lastMessageAt} title={new Date(c.lastMessageAt).toLocaleString()}>
                      {relativeTime(c.lastMessageAt, now)}
                    </time>
                  )}
                </span>
                <span className="conv-bottom">
                  {last && <span className="badge">{last.channel}</span>}
                  <span className="conv-excerpt">{messagePreview(last)}</span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {hasMore && (
        <button onClick={onLoadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more conversations'}
        </button>
      )}
    </section>
  );
}
