// definePollTrigger and what defineConnector and the registry make of poll triggers.
import { describe, expect, it } from 'vitest';
import { defineConnector, definePollTrigger } from './define.js';
import { createRegistry } from './registry.js';
import { Type } from 'typebox';

const feed = definePollTrigger({
  id: 'newItem',
  name: 'New item',
  description: 'A new item in the feed',
  input: Type.Object({ feed: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String() }),
  async poll(ctx, cursor) {
    // ctx.input is typed from the schema.
    const name: string = ctx.input.feed;
    return { items: [{ key: `${name}-1`, data: { id: '1' } }], cursor: { after: cursor ?? 0 } };
  },
});

describe('poll triggers in a connector', () => {
  it('are trigger manifests marked `poll`, with plain JSON Schemas and full ids', () => {
    const c = defineConnector({ id: 'feeds', name: 'Feeds', version: '1.0.0', actions: [], triggers: [feed] });
    expect(c.manifest.triggers).toEqual([
      {
        id: 'feeds.newItem',
        name: 'New item',
        description: 'A new item in the feed',
        input: {
          type: 'object',
          additionalProperties: false,
          required: ['feed'],
          properties: { feed: { type: 'string', minLength: 1 } },
        },
        output: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        poll: true,
      },
    ]);
    expect(JSON.parse(JSON.stringify(c.manifest))).toEqual(c.manifest);
  });

  it('are found by the registry by full id, with their input schemas for validation', async () => {
    const c = defineConnector({ id: 'feeds', name: 'Feeds', version: '1.0.0', actions: [], triggers: [feed] });
    const registry = createRegistry([c]);
    expect(Object.keys(registry.pollInputs())).toEqual(['feeds.newItem']);
    const found = registry.getPollSource('feeds.newItem');
    expect(found?.connector.id).toBe('feeds');
    expect(registry.getPollSource('feeds.other')).toBeUndefined();
    const out = await found!.trigger.poll({ input: { feed: 'news' } } as never, null);
    expect(out).toEqual({ items: [{ key: 'news-1', data: { id: '1' } }], cursor: { after: 0 } });
  });

  it('refuses a poll that is not a function', () => {
    expect(() =>
      defineConnector({
        id: 'feeds',
        name: 'Feeds',
        version: '1.0.0',
        actions: [],
        triggers: [{ ...feed, poll: 'soon' as never }],
      }),
    ).toThrow(/trigger "newItem": poll must be a function/);
  });
});
