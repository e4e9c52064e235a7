// Keyboard shortcuts of the editor (not while typing in a field): undo/redo, duplicate, auto-layout, deselect.
import { useEffect } from 'react';
import { flowStore } from '../store/flow-store.js';

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function useShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target)) return;
      const s = flowStore.getState();
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && k === 'z' && !e.shiftKey) s.undo();
      else if (mod && (k === 'y' || (k === 'z' && e.shiftKey))) s.redo();
      else if (mod && k === 'd' && s.selected && s.selected !== 'trigger') s.duplicate(s.selected);
      else if (!mod && e.shiftKey && k === 'l') s.layout();
      else if (k === 'escape') s.select(null);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
