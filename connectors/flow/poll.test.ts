import { describe, expect, it } from 'vitest';
import { pathProblem, pollIntervalProblem, valueAtPath } from './poll.js';
import { validateFlow } from './validate.js';

const flow = (trigger: Record<string, unknown>) => ({ schemaVersion: 1, trigger, nodes: [], edges: [] });
const sources = {
  'http.poll': {
    input: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      properties: { url: { type: 'string', format: 'uri' }, key: { type: 'string' } },
    },
  },
};
const issuesOf = (trigger: Record<string, unknown>, pollSources: typeof sources | null = sources) =>
  validateFlow(flow({ type: 'poll', ...trigger }), { actions: {}, ...(pollSources && { pollSources }) }).map(
    ({ path, code }) => ({ path, code }),
  );

describe('dotted paths', () => {
  const answer = { data: { items: [{ id: 7, tags: ['a'] }] }, 'x.y': 1, top: null };
  it('reads objects and array indexes, $ and empty for the whole value', () => {
    expect(valueAtPath(answer, 'data.items')).toEqual([{ id: 7, tags: ['a'] }]);
    expect(valueAtPath(answer, '$.data.items.0.id')).toBe(7);
    expect(valueAtPath(answer, 'data.items.0.tags.0')).toBe('a');
    expect(valueAtPath(answer, '')).toBe(answer);
    expect(valueAtPath(answer, '$')).toBe(answer);
    expect(valueAtPath([1, 2], '1')).toBe(2);
  });
  it('is undefined where a step is missing, and never reads inherited properties', () => {
    expect(valueAtPath(answer, 'data.nope')).toBeUndefined();
    expect(valueAtPath(answer, 'top.more')).toBeUndefined();
    expect(valueAtPath(answer, 'data.items.first')).toBeUndefined();
    expect(valueAtPath(answer, 'data.constructor')).toBeUndefined();
    expect(valueAtPath(answer, 'x.y')).toBeUndefined();
  });
  it('says when a path has an empty step', () => {
    expect(pathProblem('data..items')).toMatch(/empty step/);
    expect(pathProblem('data.items.')).toMatch(/empty step/);
    expect(pathProblem('$.data.items')).toBeNull();
  });
});

describe('poll trigger validation', () => {
  it('accepts a known source with a valid input and an interval of a minute or more', () => {
    expect(issuesOf({ source: 'http.poll', input: { url: 'https://example.com/feed' }, every: 'PT1M' })).toEqual([]);
    expect(issuesOf({ source: 'http.poll', input: { url: 'https://x.test' }, every: 'P1D', firstPoll: 'run' })).toEqual(
      [],
    );
    expect(pollIntervalProblem('PT5M')).toBeNull();
  });

  it('refuses an unknown source, naming the installed ones', () => {
    const issues = validateFlow(flow({ type: 'poll', source: 'hubspot.nope', every: 'PT5M' }), {
      actions: {},
      pollSources: sources,
    });
    expect(issues).toEqual([
      {
        path: '/trigger/source',
        code: 'unknown_source',
        message: 'no connector provides poll trigger "hubspot.nope" (installed: http.poll)',
      },
    ]);
  });

  it('refuses a short or malformed interval, and a missing one', () => {
    expect(issuesOf({ source: 'http.poll', input: { url: 'https://x.test' }, every: 'PT30S' })).toEqual([
      { path: '/trigger/every', code: 'invalid_interval' },
    ]);
    expect(pollIntervalProblem('PT30S')).toMatch(/PT1M/);
    expect(pollIntervalProblem('5 minutes')).toMatch(/ISO-8601/);
    expect(issuesOf({ source: 'http.poll', input: { url: 'https://x.test' } })).toEqual([
      { path: '/trigger/every', code: 'schema' },
    ]);
  });

  it("checks the input against the source's schema, every issue on its field", () => {
    expect(issuesOf({ source: 'http.poll', input: { url: 'not a url', extra: 1 }, every: 'PT1M' })).toEqual([
      { path: '/trigger/input/extra', code: 'poll_input' },
      { path: '/trigger/input/url', code: 'poll_input' },
    ]);
    expect(issuesOf({ source: 'http.poll', every: 'PT1M' })).toEqual([
      { path: '/trigger/input/url', code: 'poll_input' },
    ]);
  });

  it('refuses templates in the input: a poll has no run to fill them from', () => {
    expect(
      issuesOf({ source: 'http.poll', input: { url: '{{ trigger.body.url }}', key: { $logic: 1 } }, every: 'PT1M' }),
    ).toEqual([
      { path: '/trigger/input/url', code: 'poll_template' },
      { path: '/trigger/input/key', code: 'poll_template' },
    ]);
  });

  it('without the installed sources only the shape and the interval are checked; unknown fields are schema issues', () => {
    expect(issuesOf({ source: 'any.thing', every: 'PT1M' }, null)).toEqual([]);
    expect(issuesOf({ source: 'not-an-id', every: 'PT1M', cron: '* * * * *' }, null)).toEqual([
      { path: '/trigger/cron', code: 'schema' },
      { path: '/trigger/source', code: 'schema' },
    ]);
  });
});
