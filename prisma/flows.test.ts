// The flow store over the real PostgreSQL: publish's transaction (check inside it, nothing written on refusal, one
// token, concurrent publishes serialized), the version cache, webhook tokens, the channel flows a message starts and
// the flows a schedule or poll trigger was published in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, testPrisma } from '../test/env.js';
import { newId } from './ids.js';
import { createFlowPollStore } from './flow-polls.js';
import { createFlowStore } from './flows.js';

const prisma = testPrisma();
const flows = createFlowStore(prisma);
let ws: string;
beforeAll(async () => {
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const webhookDraft = { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] };
const channelDraft = (trigger: Record<string, unknown>) => ({
  schemaVersion: 1,
  trigger: { type: 'channel.message', ...trigger },
  nodes: [],
  edges: [],
});
const accept = () => undefined;

describe('flow store', () => {
  it('creates, reads, updates, pages and removes drafts within their workspace', async () => {
    const other = await createWorkspace(prisma, 'other');
    const a = await flows.createDraft(ws, { name: 'a', definition: webhookDraft });
    const b = await flows.createDraft(ws, { name: 'b', definition: webhookDraft });
    expect(a).toMatchObject({ workspaceId: ws, name: 'a', latestVersion: 0, versions: [], webhookToken: null });
    expect(await flows.get(other, a.id)).toBeNull();
    expect(await flows.update(other, a.id, { name: 'x' })).toBeNull();
    expect((await flows.update(ws, a.id, { name: 'a2' }))?.name).toBe('a2');

    const first = await flows.list(ws, { limit: 1 });
    expect(first.items.map((f) => f.id)).toEqual([b.id]);
    expect(first.next).toEqual({ at: b.createdAt, id: b.id });
    const second = await flows.list(ws, { limit: 1, ...(first.next && { cursor: first.next }) });
    expect(second.items.map((f) => f.id)).toContain(a.id);

    expect(await flows.remove(other, b.id)).toBe(false);
    expect(await flows.remove(ws, b.id)).toBe(true);
    expect(await flows.get(ws, b.id)).toBeNull();
  });

  it('publishes inside one transaction: the check sees the draft and reads accounts through it', async () => {
    const accountId = newId('cha');
    await prisma.channelAccount.create({
      data: { id: accountId, workspaceId: ws, connector: 'sms', name: 's', credentials: new Uint8Array([1]) },
    });
    const draft = channelDraft({ accounts: [accountId] });
    const flow = await flows.createDraft(ws, { name: 'p', definition: draft });
    const seen: unknown[] = [];
    const one = await flows.publish(ws, flow.id, async (d, accounts) => {
      seen.push(d, await accounts([accountId, 'cha_missing']));
    });
    expect(seen).toEqual([draft, [{ id: accountId, connector: 'sms' }]]);
    const two = await flows.publish(ws, flow.id, accept);
    expect(one?.version).toBe(1);
    expect(two?.version).toBe(2);
    // One token for the flow, kept across publishes.
    expect(two?.token).toBe(one?.token);
    expect(await flows.byWebhookToken(one!.token)).toEqual({ id: flow.id, workspaceId: ws, latestVersion: 2 });
    expect(await flows.byWebhookToken('no-such-token')).toBeNull();
  });

  it('writes nothing when the check refuses, and nothing for another workspace', async () => {
    const flow = await flows.createDraft(ws, { name: 'r', definition: webhookDraft });
    const refusal = new Error('not runnable');
    await expect(
      flows.publish(ws, flow.id, () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    const after = await flows.get(ws, flow.id);
    expect(after).toMatchObject({ latestVersion: 0, versions: [], webhookToken: null });
    const other = await createWorkspace(prisma, 'other');
    let checked = false;
    expect(await flows.publish(other, flow.id, () => void (checked = true))).toBeNull();
    expect(checked).toBe(false);
  });

  it('serializes concurrent publishes: each gets its own version', async () => {
    const flow = await flows.createDraft(ws, { name: 'c', definition: webhookDraft });
    const results = await Promise.all([1, 2, 3].map(() => flows.publish(ws, flow.id, accept)));
    expect(results.map((r) => r?.version).sort()).toEqual([1, 2, 3]);
    expect(new Set(results.map((r) => r?.token)).size).toBe(1);
    expect((await flows.get(ws, flow.id))?.versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('keeps published versions in memory, least recently used out first', async () => {
    const store = createFlowStore(prisma, { versionCacheSize: 2 });
    const flow = await flows.createDraft(ws, { name: 'v', definition: webhookDraft });
    for (let i = 0; i < 3; i++) await flows.publish(ws, flow.id, accept);
    expect(await store.version(flow.id, 9)).toBeUndefined();
    const v1 = await store.version(flow.id, 1);
    expect(v1).toMatchObject({ flowId: flow.id, version: 1, definition: webhookDraft });
    await store.version(flow.id, 2);
    // The rows go; what the cache holds stays readable.
    await prisma.flowVersion.deleteMany({ where: { flowId: flow.id } });
    expect(await store.version(flow.id, 1)).toBe(v1);
    expect(await store.version(flow.id, 2)).toMatchObject({ version: 2 });
    // A third version (a miss, now not found) evicts nothing; a found one would evict the least recent.
    expect(await store.version(flow.id, 3)).toBeUndefined();
    expect(await store.version(flow.id, 1)).toBe(v1);
  });

  it('evicts the least recently used version past its capacity', async () => {
    const store = createFlowStore(prisma, { versionCacheSize: 1 });
    const flow = await flows.createDraft(ws, { name: 'e', definition: webhookDraft });
    for (let i = 0; i < 2; i++) await flows.publish(ws, flow.id, accept);
    await store.version(flow.id, 1);
    await store.version(flow.id, 2);
    await prisma.flowVersion.deleteMany({ where: { flowId: flow.id } });
    expect(await store.version(flow.id, 2)).toMatchObject({ version: 2 });
    expect(await store.version(flow.id, 1)).toBeUndefined();
  });

  it("finds the published channel flows whose trigger names the message's channel and account", async () => {
    const cws = await createWorkspace(prisma, 'channels');
    const publish = async (name: string, definition: unknown) => {
      const f = await flows.createDraft(cws, { name, definition });
      await flows.publish(cws, f.id, accept);
      return f.id;
    };
    const any = await publish('any', channelDraft({}));
    const sms = await publish('sms', channelDraft({ channels: ['sms'] }));
    await publish('whatsapp', channelDraft({ channels: ['whatsapp'] }));
    const account = await publish('account', channelDraft({ accounts: ['cha_1'] }));
    await publish('other account', channelDraft({ accounts: ['cha_2'] }));
    await publish('webhook', webhookDraft);
    await flows.createDraft(cws, { name: 'draft only', definition: channelDraft({}) });

    const found = await flows.channelFlows(cws, 'sms', 'cha_1');
    expect(found.map((f) => f.flowId)).toEqual([any, sms, account]);
    expect(found[0]).toEqual({ flowId: any, version: 1, definition: channelDraft({}) });
  });

  it('finds the flows a schedule or poll trigger was ever published in, at their latest version', async () => {
    const tws = await createWorkspace(prisma, 'triggers');
    const published = async (name: string, ...definitions: unknown[]) => {
      const f = await flows.createDraft(tws, { name, definition: definitions[0] });
      for (const definition of definitions) {
        await flows.update(tws, f.id, { definition });
        await flows.publish(tws, f.id, accept);
      }
      return f.id;
    };
    const trigger = (t: object) => ({ ...webhookDraft, trigger: t });
    const schedule = trigger({ type: 'schedule', every: 'PT1H' });
    const poll = trigger({ type: 'poll', source: 'http.poll', every: 'PT1H' });
    const scheduled = await published('scheduled', schedule);
    const wasScheduled = await published('was scheduled', schedule, webhookDraft);
    const polled = await published('polled', poll);
    await published('webhook', webhookDraft);
    await flows.createDraft(tws, { name: 'draft only', definition: schedule });
    const mine = async (found: Promise<Array<{ workspaceId: string }>>) =>
      (await found).filter((f) => f.workspaceId === tws);

    expect(await mine(flows.scheduleFlows())).toEqual([
      { flowId: scheduled, workspaceId: tws, version: 1, definition: schedule },
      { flowId: wasScheduled, workspaceId: tws, version: 2, definition: webhookDraft },
    ]);
    expect(await mine(createFlowPollStore(prisma).pollFlows())).toEqual([
      { flowId: polled, workspaceId: tws, version: 1, definition: poll },
    ]);
  });
});
