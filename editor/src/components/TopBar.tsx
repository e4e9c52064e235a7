// The top bar of the list screens: the brand, the main navigation (Flows, Inbox, Contacts, Channels, Settings) and sign-out.
import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../session.js';

const SECTIONS = [
  { id: 'flows', label: 'Flows', href: '/' },
  { id: 'inbox', label: 'Inbox', href: '/inbox' },
  { id: 'contacts', label: 'Contacts', href: '/contacts' },
  { id: 'channels', label: 'Channels', href: '/channels' },
  { id: 'settings', label: 'Settings', href: '/settings' },
] as const;

/** A same-origin link that routes on the client (a modified click still opens a new tab). */
export function go(href: string) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
}

export function TopBar({
  current,
  onSignOut,
  children,
}: {
  current: (typeof SECTIONS)[number]['id'];
  onSignOut: () => void;
  children?: ReactNode;
}) {
  return (
    <header className="topbar">
      <strong className="brand">Confluo</strong>
      <nav aria-label="Main" className="main-nav">
        {SECTIONS.map((s) => (
          <a key={s.id} href={s.href} onClick={go(s.href)} aria-current={s.id === current ? 'page' : undefined}>
            {s.label}
          </a>
        ))}
      </nav>
      <span className="grow" />
      {children}
      <button onClick={onSignOut}>Sign out</button>
    </header>
  );
}
