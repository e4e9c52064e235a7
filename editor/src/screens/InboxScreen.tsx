// The inbox: conversations on the left, the open one on the right (`/inbox/<id>`), both polled while visible.
import { useState } from 'react';
import type { Api } from '../api/client.js';
import type { Conversation } from '../api/types.js';
import { ConversationList } from '../components/ConversationList.js';
import { ConversationStatusButton } from '../components/ConversationStatusButton.js';
import { CustomerPanel } from '../components/CustomerPanel.js';
import { MessageLog } from '../components/MessageLog.js';
import { ReplyBox } from '../components/ReplyBox.js';
import { go, TopBar } from '../components/TopBar.js';
import { contactLabel } from '../inbox/format.js';
import { replyChannel } from '../inbox/thread.js';
import { useConversations } from './use-conversations.js';
import { useThread } from './use-thread.js';

export function InboxScreen({
  api,
  conversationId,
  onSignOut,
}: {
  api: Api;
  conversationId: string | null;
  onSignOut: () => void;
}) {
  const list = useConversations(api);
  const listed = list.items?.find((c) => c.id === conversationId) ?? null;
  return (
    <div className="inbox-page">
      <TopBar current="inbox" onSignOut={onSignOut} />
      <main className={`inbox${conversationId ? ' has-selection' : ''}`}>
        <ConversationList
          items={list.items}
          selectedId={conversationId}
          now={list.now}
          error={list.error}
          hasMore={list.hasMore}
          loadingMore={list.loadingMore}
          onLoadMore={() => void list.loadMore()}
        />
        {conversationId ? (
          <Thread
            key={conversationId}
            api={api}
            conversationId={conversationId}
            listed={listed}
            now={list.now}
            onSent={list.refresh}
          />
        ) : (
          <section className="thread thread-empty">
            <p className="muted">Choose a conversation to read it and reply.</p>
          </section>
        )}
      </main>
    </div>
  );
}

function Thread({
  api,
  conversationId,
  listed,
  now,
  onSent,
}: {
  api: Api;
  conversationId: string;
  listed: Conversation | null;
  now: number;
  onSent: () => Promise<void>;
}) {
  const t = useThread(api, conversationId);
  const [follow, setFollow] = useState(0);
  // The list is polled, so its copy of the contact is the fresher one once it has this conversation.
  const conversation = listed ?? t.conversation;

  if (t.notFound) {
    return (
      <section className="thread thread-empty">
        <p role="alert" className="error">
          This conversation does not exist (or is not in this workspace).
        </p>
      </section>
    );
  }
  const name = conversation ? contactLabel(conversation.contact) : '';
  const messages = t.thread?.messages ?? [];
  return (
    <>
      <section className="thread" aria-labelledby="thread-title">
        <header className="contact-header">
          <a href="/inbox" className="back" onClick={go('/inbox')}>
            ← Conversations
          </a>
          <h2 id="thread-title">{conversation ? name : 'Loading…'}</h2>
          {conversation && (
            <a
              href={`/contacts/${encodeURIComponent(conversation.contact.id)}`}
              onClick={go(`/contacts/${encodeURIComponent(conversation.contact.id)}`)}
            >
              Contact page
            </a>
          )}
          {conversation && (
            <ConversationStatusButton api={api} conversation={conversation} onChanged={() => void onSent()} />
          )}
          {conversation && conversation.contact.identities.length > 0 && (
            <ul className="identities" aria-label="Identities">
              {conversation.contact.identities.map((i) => (
                <li key={`${i.kind}:${i.value}`}>
                  <span className="muted">{i.kind}:</span> {i.value}
                </li>
              ))}
            </ul>
          )}
        </header>
        {t.error && (
          <p role="alert" className="error thread-error">
            {t.thread ? `Not up to date: ${t.error}` : t.error}
          </p>
        )}
        {t.thread === null && !t.error ? (
          <p className="muted messages">Loading messages…</p>
        ) : (
          <MessageLog
            messages={messages}
            contactName={name}
            now={now}
            hasOlder={t.thread?.olderCursor !== undefined}
            loadingOlder={t.loadingOlder}
            onLoadOlder={() => void t.loadOlder()}
            followSignal={follow}
          />
        )}
        <ReplyBox
          conversationId={conversationId}
          channel={
            replyChannel(messages) ??
            (conversation?.lastMessage?.direction === 'in' ? conversation.lastMessage.channel : undefined)
          }
          onSend={async (text) => {
            const r = await t.send(text);
            setFollow((n) => n + 1);
            void onSent();
            return r;
          }}
        />
      </section>
      {conversation && <CustomerPanel key={conversation.contact.id} api={api} contactId={conversation.contact.id} />}
    </>
  );
}
