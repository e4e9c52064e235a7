// A conversation's messages, oldest at the top, under day headings: the contact's on the left, ours on the right.
// Stays scrolled to the newest message unless the agent scrolled up; "load older" keeps the view where it was.
import { useLayoutEffect, useRef } from 'react';
import type { Message } from '../api/types.js';
import { attachmentLabel, clockTime, statusText } from '../inbox/format.js';
import { groupByDay } from '../inbox/thread.js';

interface Props {
  messages: Message[];
  contactName: string;
  now: number;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** Bumped when the agent sends: jump to the newest message wherever the view was. */
  followSignal: number;
}

const NEAR_BOTTOM_PX = 48;

export function MessageLog({ messages, contactName, now, hasOlder, loadingOlder, onLoadOlder, followSignal }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  // Distance from the bottom before older messages were added above, to restore it after.
  const keepFromBottom = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages]);

  useLayoutEffect(() => {
    atBottom.current = true;
    if (scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, [followSignal]);

  const loadOlder = () => {
    const el = scroller.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    onLoadOlder();
  };

  return (
    <div
      className="messages"
      role="log"
      aria-label="Messages"
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
      }}
    >
      {hasOlder && (
        <button className="load-older" onClick={loadOlder} disabled={loadingOlder}>
          {loadingOlder ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {messages.length === 0 && <p className="muted center">No messages in this conversation yet.</p>}
      {groupByDay(messages, now).map((g) => (
        <section key={g.key} aria-label={g.label}>
          <h3 className="day">{g.label}</h3>
          <ol className="bubbles">
            {g.messages.map((m) => (
              <Bubble key={m.id} m={m} who={m.direction === 'in' ? contactName : 'You'} />
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}

function Bubble({ m, who }: { m: Message; who: string }) {
  const attachments = Array.isArray(m.attachments) ? m.attachments : [];
  const failed = m.status === 'failed';
  return (
    <li
      className={`bubble ${m.direction === 'in' ? 'in' : 'out'}${failed ? ' failed' : ''}`}
      data-direction={m.direction}
      data-status={m.status}
    >
      <span className="sr-only">{who}: </span>
      {m.text ? (
        <p className="bubble-text">{m.text}</p>
      ) : (
        attachments.length === 0 && <p className="bubble-text muted">(no text)</p>
      )}
      {attachments.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {attachments.map((a, i) => (
            <li key={i}>📎 {attachmentLabel(a)}</li>
          ))}
        </ul>
      )}
      <p className="bubble-meta">
        <span title={`${m.address.kind}: ${m.address.value}`}>{m.channel}</span>
        {' · '}
        <span className={`msg-status msg-${m.status}`} data-testid="message-status">
          {statusText(m)}
        </span>
        {' · '}
        <time dateTime={m.sentAt} title={new Date(m.sentAt).toLocaleString()}>
          {clockTime(m.sentAt)}
        </time>
      </p>
    </li>
  );
}
