import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../api/types.js';
import {
  appendPage,
  changeText,
  channelFilters,
  eventTitle,
  sourceWords,
  TIMELINE_GROUPS,
  timelineChannels,
  timelineQuery,
} from './timeline.js';

const at = '2026-12-01T10:00:00.000Z';
const ev = (type: TimelineEvent['type'], over: Partial<TimelineEvent> = {}): TimelineEvent => ({
  id: `${type}:${over.id ?? 'x'}`,
  type,
  at,
  ...over,
});
const msg = (channel: string, id: string): TimelineEvent =>
  ev('message.received', { id, message: { id, channel, accountId: 'ca', text: 'hi', status: 'received' } });

describe('the type and channel filters', () => {
  it('sends each group as its event types, and the channel only where messages are', () => {
    expect(timelineQuery('all', '')).toEqual({});
    expect(timelineQuery('all', 'sms')).toEqual({ channel: 'sms' });
    expect(timelineQuery('messages', 'sms')).toEqual({ types: ['message.received', 'message.sent'], channel: 'sms' });
    expect(timelineQuery('merges', 'sms')).toEqual({ types: ['contact.merged', 'contact.unmerged'] });
    expect(timelineQuery('crm', '')).toEqual({ types: ['crm.updated', 'crm.synced', 'crm.sync_failed'] });
    expect(timelineQuery('nonsense', '')).toEqual({});
    expect(channelFilters('messages')).toBe(true);
    expect(channelFilters('notes')).toBe(false);
    // Every event type is in exactly one group.
    const grouped = TIMELINE_GROUPS.flatMap((g) => g.types ?? []);
    expect(new Set(grouped).size).toBe(grouped.length);
    expect(grouped).toHaveLength(12);
  });

  it('offers the channels Confluo knows and those on the timeline, once each, sorted', () => {
    const events = [msg('whatsapp', 'm1'), msg('sms', 'm2'), msg('whatsapp', 'm3'), ev('contact.created')];
    expect(timelineChannels(events)).toEqual(['sms', 'whatsapp']);
    expect(timelineChannels(events, ['telegram', 'sms'])).toEqual(['sms', 'telegram', 'whatsapp']);
  });

  it('appends an older page without showing an event twice', () => {
    const a = msg('sms', 'a');
    const b = msg('sms', 'b');
    const c = msg('sms', 'c');
    expect(appendPage([a, b], [b, c]).map((e) => e.id)).toEqual([a.id, b.id, c.id]);
  });
});

describe('events in words', () => {
  it('titles messages, notes, identities and the creation', () => {
    expect(eventTitle(msg('sms', 'm'))).toBe('Received on sms');
    expect(
      eventTitle(
        ev('message.sent', { message: { id: 'm', channel: 'email', accountId: 'a', text: null, status: 'sent' } }),
      ),
    ).toBe('Sent on email');
    expect(eventTitle(ev('note.added'))).toBe('Note added');
    expect(eventTitle(ev('identity.added', { identity: { kind: 'email', value: 'a@x.org' } }))).toBe(
      'Email a@x.org added',
    );
    expect(eventTitle(ev('identity.detached', { identity: { kind: 'phone', value: '+1' } }))).toBe('Phone +1 detached');
    expect(eventTitle(ev('contact.created', { contactId: 'ct_1' }), 'ct_1')).toBe('Contact created');
    expect(eventTitle(ev('contact.created', { contactId: 'ct_2' }), 'ct_1')).toBe(
      'Contact ct_2 created (merged into this one)',
    );
  });

  it('titles a change by the fields it touched, and says each change from → to', () => {
    const changes = [
      { field: 'name', from: 'Ann', to: 'Ann Lee' },
      { field: 'attributes.plan', from: null, to: 'pro' },
      { field: 'tags', from: ['old', 'vip'], to: ['vip', 'new'] },
    ];
    expect(eventTitle(ev('contact.updated', { changes }))).toBe('Changed name, plan and tags');
    expect(eventTitle(ev('contact.updated', { changes: changes.slice(1, 2) }))).toBe('Changed plan');
    expect(changes.map(changeText)).toEqual(['Name: Ann → Ann Lee', 'plan set to pro', 'Tags: added new; removed old']);
    expect(changeText({ field: 'attributes.vip', from: true, to: null })).toBe('vip removed (was true)');
    const refiled = { field: 'messages', from: '2 sms messages from +1415', to: 're-filed on ct_l (shared with Luis)' };
    expect(eventTitle(ev('contact.updated', { changes: [refiled] }))).toBe('Messages re-filed: a shared line');
    expect(changeText(refiled)).toBe('2 sms messages from +1415 → re-filed on ct_l (shared with Luis)');
    expect(changeText({ field: 'attributes.n', from: 1, to: { a: 2 } })).toBe('n: 1 → {"a":2}');
    expect(
      eventTitle(ev('crm.updated', { changes: changes.slice(0, 1), source: 'crm:cha_1:501' }), '', (id) =>
        id === 'cha_1' ? 'HubSpot (hubspot)' : undefined,
      ),
    ).toBe('Changed in HubSpot (hubspot): name');
    expect(eventTitle(ev('crm.updated', { changes: changes.slice(0, 1), source: 'crm:cha_9:501' }))).toBe(
      'Changed in the CRM: name',
    );
  });

  it('titles a merge and its undo from the side whose page it is', () => {
    const merge = {
      id: 'mrg_1',
      survivor: { id: 'ct_a', name: 'Ann' },
      merged: { id: 'ct_b', name: null },
      members: ['ct_b'],
      undoneAt: null,
    };
    expect(eventTitle(ev('contact.merged', { merge }), 'ct_a')).toBe('Merged with ct_b');
    expect(eventTitle(ev('contact.merged', { merge }), 'ct_b')).toBe('Merged into Ann');
    expect(eventTitle(ev('contact.merged', { merge }), 'ct_c')).toBe('ct_b merged into Ann');
    expect(eventTitle(ev('contact.unmerged', { merge }), 'ct_a')).toBe('Merge with ct_b undone');
    expect(eventTitle(ev('contact.unmerged', { merge }), 'ct_b')).toBe('Merge into Ann undone');
  });

  it('titles the CRM sync and its failure', () => {
    const crm = { accountId: 'cha_1', connector: 'hubspot', accountName: 'Sales', recordId: '501' };
    expect(eventTitle(ev('crm.synced', { crm }))).toBe('Synced with Sales (record 501)');
    expect(
      eventTitle(
        ev('crm.sync_failed', { crm: { ...crm, error: { code: 'UPSTREAM', message: '503', retrying: true } } }),
      ),
    ).toBe('Sales sync failed, retrying: 503');
    expect(
      eventTitle(
        ev('crm.sync_failed', { crm: { ...crm, error: { code: 'VALIDATION', message: 'bad', retrying: false } } }),
      ),
    ).toBe('Sales sync failed: bad');
  });

  it('says who or what did it', () => {
    const names = (id: string) => (id === 'cha_1' ? 'HubSpot' : undefined);
    expect(sourceWords(ev('note.added', { source: 'run:run_1:save', runId: 'run_1', nodeId: 'save' }))).toBe(
      'run run_1, step save',
    );
    expect(sourceWords(ev('note.added', { source: 'api' }))).toBe('by the API');
    expect(sourceWords(ev('note.added', { source: 'person:ana' }))).toBe('by ana');
    expect(sourceWords(ev('contact.merged', { source: 'rule' }))).toBe('by a workspace rule');
    expect(sourceWords(ev('crm.updated', { source: 'crm:cha_1:501' }), names)).toBe('from HubSpot record 501');
    expect(sourceWords(ev('identity.added', { source: 'channel:cha_2:SM1' }), names)).toBe('from a message on cha_2');
    expect(sourceWords(ev('note.added'))).toBe('');
  });
});
