// The API's runs page token (pure): Temporal's token behind a check bound to the query it pages.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.js';
import { decodePageToken, encodePageToken } from './runs.js';

const query = 'WorkflowType = "runFlow" AND ConfluoWorkspaceId = "ws_a"';
const temporalToken = Buffer.from('{"LastStartTime":"2025-01-01T00:00:00Z","LastRunID":"abc"}');

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return { status: (err as HttpError).statusCode, issues: (err as HttpError).issues };
  }
  throw new Error('accepted');
}

describe('page tokens', () => {
  it("hand Temporal's own token back for the query they were made for", () => {
    const token = encodePageToken(query, temporalToken);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(query, token)).toEqual(temporalToken);
  });

  it('refuse, on /query/pageToken, a token of another query, a truncated, altered or made-up one', () => {
    const token = encodePageToken(query, temporalToken);
    const flipped = Buffer.from(token, 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    const bad = {
      'another workspace': [query.replace('ws_a', 'ws_b'), token],
      'another status filter': [`${query} AND (ExecutionStatus = "Completed")`, token],
      truncated: [query, token.slice(0, -4)],
      'altered byte': [query, flipped.toString('base64url')],
      'check only': [query, token.slice(0, 11)],
      'not base64url': [query, `${token}!`],
      'non-canonical base64url': [query, `${token}A`],
      'made up': [query, 'AAAAAAAAAAAAAAAAAAAAAAAA'],
      empty: [query, ''],
    };
    for (const [what, [q, t]] of Object.entries(bad)) {
      const r = refusal(() => decodePageToken(q!, t!));
      expect(r.status, what).toBe(400);
      expect(r.issues?.[0]).toMatchObject({ path: '/query/pageToken', code: 'page_token' });
    }
  });
});
