// The merge preview's pure parts: clusterView (the one definition of a merged view) over hand-made rows, the
// annotations of a result (sides, what is set aside, identities on both sides, CRM conflicts), and crmMergePlan.
import { describe, expect, it } from 'vitest';
import { annotateMerge, type PreviewRow } from './contact-merges.js';
import { byCreated, clusterView, type ContactRow } from './contacts.js';
import { crmMergePlan } from './crm-sync.js';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n));

function row(
  id: string,
  n: number,
  opts: {
    name?: string;
    attributes?: Record<string, string>;
    tags?: string[];
    identities?: { kind: string; value: string; key?: string; source?: object }[];
  } = {},
): ContactRow {
  return {
    id,
    workspaceId: 'ws',
    name: opts.name ?? null,
    attributes: opts.attributes ?? {},
    createdAt: at(n),
    updatedAt: at(n),
    mergedIntoId: null,
    mergedAt: null,
    tags: opts.tags ?? [],
    identities: (opts.identities ?? []).map((i, k) => ({
      id: `${id}_i${k}`,
      workspaceId: 'ws',
      contactId: id,
      kind: i.kind,
      value: i.value,
      key: i.key ?? i.value,
      valid: true,
      verified: false,
      shared: false,
      detachedAt: null,
      detachedBy: null,
      source: i.source ?? { type: 'api' },
      createdAt: at(n),
    })),
  };
}

const previewRow = (side: PreviewRow['side'], r: ContactRow): PreviewRow => ({
  side,
  name: r.name,
  attributes: r.attributes as Record<string, string>,
  identities: r.identities.map((i) => ({ id: i.id, kind: i.kind, key: i.key, valid: i.valid })),
});

describe('clusterView', () => {
  it("overlays the members' attributes (oldest first) with the root's, the root's name else the oldest member's", () => {
    const root = row('ct_root', 5, { attributes: { a: 'root' }, tags: ['x'] });
    const older = row('ct_old', 1, { name: 'Old', attributes: { a: 'old', b: 'old' }, tags: ['y', 'x'] });
    const newer = row('ct_new', 9, { name: 'New', attributes: { b: 'new', c: 'new' } });
    const view = clusterView(root, [newer, older].sort(byCreated), new Map([['ct_old', 'mrg_1']]));
    expect(view).toMatchObject({
      id: 'ct_root',
      name: 'Old',
      attributes: { a: 'root', b: 'new', c: 'new' },
      tags: ['x', 'y'],
      members: [
        { id: 'ct_old', mergeId: 'mrg_1' },
        { id: 'ct_new', mergeId: null },
      ],
    });
    expect(clusterView(root, [], new Map()).members).toBeUndefined();
  });
});

describe('annotateMerge', () => {
  const email = (value: string) => ({ kind: 'email', value });
  const crm = (value: string, accountId: string) => ({ kind: 'hubspot', value, source: { type: 'crm', accountId } });

  it('names the side of each value and what each side showed instead', () => {
    const s = row('ct_s', 1, {
      name: 'Ann',
      attributes: { city: 'Paris', plan: 'pro' },
      tags: ['vip'],
      identities: [email('ann@example.com'), { kind: 'phone', value: '+1415' }, crm('p:1', 'cha_a')],
    });
    const m = row('ct_m', 2, {
      name: 'Annie',
      attributes: { city: 'Lyon', lang: 'fr', plan: 'pro' },
      tags: ['vip', 'lead'],
      identities: [{ kind: 'phone', value: '+1415' }, crm('p:2', 'cha_a'), crm('q:9', 'cha_b')],
    });
    const none = new Map<string, string>();
    const survivor = clusterView(s, [], none);
    const merged = clusterView(m, [], none);
    const result = clusterView(s, [m], none);
    const a = annotateMerge(survivor, merged, result, [previewRow('survivor', s), previewRow('merged', m)]);
    expect(a.name).toEqual({ value: 'Ann', from: 'survivor', setAside: [{ from: 'merged', value: 'Annie' }] });
    expect(a.attributes).toEqual([
      { key: 'city', value: 'Paris', from: 'survivor', setAside: [{ from: 'merged', value: 'Lyon' }] },
      { key: 'lang', value: 'fr', from: 'merged', setAside: [] },
      { key: 'plan', value: 'pro', from: 'both', setAside: [] },
    ]);
    expect(a.tags).toEqual([
      { tag: 'vip', from: 'both' },
      { tag: 'lead', from: 'merged' },
    ]);
    expect(a.identities.map((i) => [i.identity.value, i.from, i.conflict])).toEqual([
      ['ann@example.com', 'survivor', false],
      ['p:1', 'survivor', true],
      ['+1415', 'both', false],
      ['p:2', 'merged', true],
      ['q:9', 'merged', false],
    ]);
  });

  it("credits a merged root's value to its side when the survivor has none, though its own view showed another", () => {
    // The merged side's view: root M's `tier` over its older member's. Merged into S, M is a member like the other
    // rows, newest last: M's value still wins, and the older member's stays hidden (set aside by nobody).
    const s = row('ct_s', 1, { name: 'S' });
    const mOld = row('ct_mo', 2, { attributes: { tier: 'gold' } });
    const m = row('ct_m', 3, { attributes: { tier: 'silver' } });
    const mNew = row('ct_mn', 4, { attributes: { tier: 'bronze' } });
    const none = new Map<string, string>();
    const merged = clusterView(m, [mOld, mNew], none);
    expect(merged.attributes).toEqual({ tier: 'silver' });
    const result = clusterView(s, [mOld, m, mNew], none);
    const a = annotateMerge(clusterView(s, [], none), merged, result, [
      previewRow('survivor', s),
      ...[mOld, m, mNew].map((r) => previewRow('merged', r)),
    ]);
    expect(a.attributes).toEqual([
      { key: 'tier', value: 'bronze', from: 'merged', setAside: [{ from: 'merged', value: 'silver' }] },
    ]);
  });
});

describe('crmMergePlan', () => {
  it('merges several records into the first where the CRM can, else keeps each', () => {
    expect(crmMergePlan(['a', 'b', 'c'], true)).toEqual({ keep: ['a'], mergeAway: ['b', 'c'] });
    expect(crmMergePlan(['a', 'b'], false)).toEqual({ keep: ['a', 'b'], mergeAway: [] });
    expect(crmMergePlan(['a'], true)).toEqual({ keep: ['a'], mergeAway: [] });
    expect(crmMergePlan([], true)).toEqual({ keep: [], mergeAway: [] });
  });
});
