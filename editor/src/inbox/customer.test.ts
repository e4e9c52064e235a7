import { describe, expect, it } from 'vitest';
import type { RunSummary, TimelineEvent } from '../api/types.js';
import { keyAttributes, linkedRunId, openRuns, recentEvents, runHref } from './customer.js';

const run = (id: string, status: RunSummary['status'], startedAt: string): RunSummary => ({
  id,
  flowId: 'flw_1',
  version: 1,
  status,
  startedAt,
});

describe('customer panel helpers', () => {
  it('shows the first attributes as text and counts the rest', () => {
    expect(keyAttributes({ plan: 'gold', orders: 3, vip: true, city: 'Lyon' }, 3)).toEqual({
      items: [
        { key: 'plan', value: 'gold' },
        { key: 'orders', value: '3' },
        { key: 'vip', value: 'true' },
      ],
      more: 1,
    });
    expect(keyAttributes({ a: { b: 1 } })).toEqual({ items: [{ key: 'a', value: '{"b":1}' }], more: 0 });
    for (const none of [null, undefined, 'x', [1, 2]]) expect(keyAttributes(none)).toEqual({ items: [], more: 0 });
  });

  it('keeps the newest events that are not messages (the thread shows those)', () => {
    const at = (m: number) => `2026-12-01T10:${String(m).padStart(2, '0')}:00.000Z`;
    const events = [
      {
        type: 'message.received',
        at: at(9),
        message: { id: 'm2', channel: 'sms', accountId: 'a', text: 'hi', status: 'received' },
      },
      { type: 'note.added', at: at(8), note: { id: 'n1', contactId: 'c', text: 'called back' } },
      {
        type: 'message.sent',
        at: at(7),
        message: { id: 'm1', channel: 'whatsapp', accountId: 'b', text: 'yo', status: 'sent' },
      },
      { type: 'identity.added', at: at(6), identity: { kind: 'email', value: 'a@x.org' } },
      { type: 'contact.created', at: at(5) },
    ] as TimelineEvent[];
    expect(recentEvents(events).map((e) => e.type)).toEqual(['note.added', 'identity.added', 'contact.created']);
    expect(recentEvents(events, 2).map((e) => e.type)).toEqual(['note.added', 'identity.added']);
    expect(recentEvents([])).toEqual([]);
  });

  it('merges the running and waiting lists into open runs, each once, newest first', () => {
    const a = run('run_a', 'running', '2026-12-01T10:00:00.000Z');
    const b = run('run_b', 'waiting', '2026-12-01T11:00:00.000Z');
    const c = run('run_c', 'completed', '2026-12-01T12:00:00.000Z');
    expect(openRuns([a, c], [b, a]).map((r) => r.id)).toEqual(['run_b', 'run_a']);
    expect(openRuns()).toEqual([]);
  });

  it('links a run to its flow in the editor, and reads the link back', () => {
    const href = runHref({ id: 'run_x1', flowId: 'flw 2' });
    expect(href).toBe('/flows/flw%202?run=run_x1');
    expect(linkedRunId(new URL(href, 'http://h').search)).toBe('run_x1');
    expect(linkedRunId('')).toBeNull();
    expect(linkedRunId('?run=')).toBeNull();
  });
});
