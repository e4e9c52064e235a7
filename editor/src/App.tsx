import { useState } from 'react';
import type { Api } from './api/client.js';
import { channelsRoute } from './channels/route.js';
import { ChannelsScreen } from './screens/ChannelsScreen.js';
import { ContactScreen } from './screens/ContactScreen.js';
import { ContactSettingsScreen } from './screens/ContactSettingsScreen.js';
import { ContactsScreen } from './screens/ContactsScreen.js';
import { DuplicatesScreen } from './screens/DuplicatesScreen.js';
import { EditorScreen } from './screens/EditorScreen.js';
import { FlowsScreen } from './screens/FlowsScreen.js';
import { InboxScreen } from './screens/InboxScreen.js';
import { SignInScreen } from './screens/SignInScreen.js';
import { WorkspaceSettingsScreen } from './screens/WorkspaceSettingsScreen.js';
import { apiFor, forgetKey, navigate, savedKey, usePath } from './session.js';

export function App() {
  const [api, setApi] = useState<Api | null>(() => {
    const k = savedKey();
    return k ? apiFor(k) : null;
  });
  const path = usePath();
  const signOut = () => {
    forgetKey();
    setApi(null);
    navigate('/');
  };
  if (!api) return <SignInScreen onSignedIn={(k) => setApi(apiFor(k))} />;
  const m = /^\/flows\/([^/]+)/.exec(path);
  if (m) return <EditorScreen key={m[1]} api={api} flowId={decodeURIComponent(m[1]!)} onSignOut={signOut} />;
  const inbox = /^\/inbox(?:\/([^/]+))?\/?$/.exec(path);
  if (inbox)
    return (
      <InboxScreen api={api} conversationId={inbox[1] ? decodeURIComponent(inbox[1]) : null} onSignOut={signOut} />
    );
  if (/^\/contacts\/duplicates\/?$/.test(path)) return <DuplicatesScreen api={api} onSignOut={signOut} />;
  if (/^\/contacts\/settings\/?$/.test(path)) return <ContactSettingsScreen api={api} onSignOut={signOut} />;
  if (/^\/settings\/?$/.test(path)) return <WorkspaceSettingsScreen api={api} onSignOut={signOut} />;
  const contact = /^\/contacts(?:\/([^/]+))?\/?$/.exec(path);
  if (contact)
    return contact[1] ? (
      <ContactScreen key={contact[1]} api={api} contactId={decodeURIComponent(contact[1])} onSignOut={signOut} />
    ) : (
      <ContactsScreen api={api} onSignOut={signOut} />
    );
  const channels = channelsRoute(path);
  if (channels) return <ChannelsScreen api={api} route={channels} onSignOut={signOut} />;
  return <FlowsScreen api={api} onSignOut={signOut} />;
}
