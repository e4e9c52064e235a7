// Closing a conversation when it is resolved, and reopening it (README.md "Platform events": flows on
// conversation.closed and conversation.opened start on it). A customer's new message reopens it by itself.
import { useState } from 'react';
import type { Api } from '../api/client.js';
import type { Conversation } from '../api/types.js';

export function ConversationStatusButton({
  api,
  conversation,
  onChanged,
}: {
  api: Api;
  conversation: Conversation;
  onChanged: () => void;
}) {
  // The answer's status until the (polled) list catches up with it.
  const [answered, setAnswered] = useState<{ id: string; status: Conversation['status'] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const status = answered?.id === conversation.id ? answered.status : conversation.status;
  const next = status === 'open' ? 'closed' : 'open';
  const change = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await api.setConversationStatus(conversation.id, next);
      setAnswered({ id: c.id, status: c.status });
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="conversation-status">
      <span className="muted" data-testid="conversation-status">
        {status === 'open' ? 'Open' : 'Closed'}
      </span>{' '}
      <button type="button" disabled={busy} onClick={() => void change()}>
        {next === 'closed' ? 'Close conversation' : 'Reopen'}
      </button>
      {error && (
        <span role="alert" className="error">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}
