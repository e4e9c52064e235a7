import { useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { ConnectorManifest } from '../api/types.js';
import type { NewNode } from '../flow/edit.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { DND_TYPE } from './Canvas.js';

interface Item {
  key: string;
  label: string;
  description?: string;
  spec: NewNode;
}

const LOGIC: Item[] = [
  { key: 'condition', label: 'Condition', description: 'Branch on a rule (true / false)', spec: { type: 'condition' } },
  {
    key: 'switch',
    label: 'Switch',
    description: 'Branch on the first matching case, else default',
    spec: { type: 'switch' },
  },
  { key: 'delay', label: 'Delay', description: 'Wait for a while', spec: { type: 'delay' } },
  {
    key: 'wait',
    label: 'Wait for reply',
    description: "The contact's next message, or a timeout",
    spec: { type: 'wait' },
  },
  { key: 'set', label: 'Set values', description: 'Compute values for later steps', spec: { type: 'set' } },
  {
    key: 'subflow',
    label: 'Sub-flow',
    description: 'Run another published flow and use its result',
    spec: { type: 'subflow' },
  },
  {
    key: 'loop',
    label: 'Loop',
    description: 'Run steps for each item of a list, then go on',
    spec: { type: 'loop' },
  },
];

/** Offered in webhook flows only: no HTTP caller waits on any other run (validation says so too). */
const RESPOND: Item = {
  key: 'respond',
  label: 'Respond to webhook',
  description: 'Answer the waiting caller with a status, headers and body',
  spec: { type: 'respond' },
};

/** Drag an item onto the canvas, or press Enter on it to add it below the selected node. */
export function Palette({ connectors }: { connectors: ConnectorManifest[] }) {
  const [q, setQ] = useState('');
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  const webhook = useFlow((s) => s.definition.trigger.type === 'webhook');
  const groups = useMemo(() => {
    const all = [
      ...connectors.map((c) => ({
        name: c.name,
        items: c.actions.map((a): Item => ({
          key: a.id,
          label: a.name,
          ...(a.description && { description: a.description }),
          spec: { type: 'action', action: a.id },
        })),
      })),
      { name: 'Logic', items: webhook ? [...LOGIC, RESPOND] : LOGIC },
    ];
    const needle = q.trim().toLowerCase();
    return all
      .map((g) => ({
        ...g,
        items: g.items.filter(
          (i) => !needle || `${g.name} ${i.label} ${i.key} ${i.description ?? ''}`.toLowerCase().includes(needle),
        ),
      }))
      .filter((g) => g.items.length);
  }, [connectors, q, webhook]);

  const onDragStart = (e: DragEvent, item: Item) => {
    e.dataTransfer.setData(DND_TYPE, JSON.stringify(item.spec));
    e.dataTransfer.effectAllowed = 'move';
  };
  const addByKeyboard = (item: Item) => {
    const s = flowStore.getState();
    const from = s.selected ?? 'trigger';
    const parent = s.definition.nodes.find((n) => n.id === from)?.position ?? s.triggerPosition;
    s.addNodeAfter(from, item.spec, { x: parent.x, y: parent.y + 130 });
  };
  const onKey = (e: KeyboardEvent, item: Item) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      addByKeyboard(item);
    }
  };

  return (
    <aside className="palette" aria-label="Palette">
      <label htmlFor="palette-search" className="sr-only">
        Search steps
      </label>
      <input
        id="palette-search"
        type="search"
        placeholder="Search steps…"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {groups.length === 0 && <p className="muted">Nothing matches “{q}”.</p>}
      {groups.map((g) => (
        <section key={g.name} aria-label={g.name}>
          <h3>{g.name}</h3>
          <ul>
            {g.items.map((item) => (
              <li
                key={item.key}
                className="palette-item"
                draggable={!readOnly}
                tabIndex={0}
                role="button"
                aria-label={`Add ${g.name} ${item.label}`}
                aria-disabled={readOnly}
                data-palette={item.key}
                title={item.description}
                onDragStart={(e) => onDragStart(e, item)}
                onKeyDown={(e) => onKey(e, item)}
              >
                <strong>{item.label}</strong>
                {item.description && <small>{item.description}</small>}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p className="hint">
        Drag a step onto the canvas, or focus it and press Enter to add it after the selected node.
      </p>
    </aside>
  );
}
