// The agent's reply: a textarea, Send (or Ctrl/Cmd+Enter). A refused send (422: opted out, never wrote) shows why
// and keeps the text; drafts are kept per conversation while the tab lives.
import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ReplyResult } from '../api/types.js';

const drafts = new Map<string, string>();
const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

interface Props {
  conversationId: string;
  /** The channel the reply goes out on, when known. */
  channel: string | undefined;
  onSend: (text: string) => Promise<ReplyResult>;
}

export function ReplyBox({ conversationId, channel, onSend }: Props) {
  const [text, setTextState] = useState(() => drafts.get(conversationId) ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const id = useId();
  const setText = (t: string) => {
    setTextState(t);
    if (t) drafts.set(conversationId, t);
    else drafts.delete(conversationId);
  };

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const r = await onSend(body);
      setText('');
      if (r.status === 'sending') setNote('Sending… it shows here once it has gone out.');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  const shortcut = `${MAC ? '⌘' : 'Ctrl'}+Enter sends`;
  return (
    <form className="reply" onSubmit={submit}>
      <label htmlFor={`${id}-text`} className="sr-only">
        Reply
      </label>
      <textarea
        id={`${id}-text`}
        rows={3}
        placeholder={channel ? `Reply on ${channel}…` : 'Write a reply…'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={!!error}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
      />
      {error && (
        <p id={`${id}-error`} role="alert" className="error">
          Not sent: {error}
        </p>
      )}
      {note && (
        <p role="status" className="muted">
          {note}
        </p>
      )}
      <div className="row">
        <span id={`${id}-hint`} className="hint grow">
          {channel
            ? `Goes out on ${channel}, where the contact last wrote. `
            : 'Goes out on the channel the contact last wrote from. '}
          {shortcut}.
        </span>
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
