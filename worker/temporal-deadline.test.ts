// withinDeadline against a real client whose Temporal is unreachable (a closed local port): it settles at the
// deadline as TemporalUnavailableError, where the SDK alone retries for ~20 s; Temporal's own answers pass through.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/ports.js';
import { isTemporalUnavailable, TemporalUnavailableError, withinDeadline } from './temporal-deadline.js';

let connection: Connection;
let client: Client;

beforeAll(async () => {
  connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  client = new Client({ connection });
});
afterAll(async () => connection?.close());

const grpcError = (code: number) => Object.assign(new Error(`grpc ${code}`), { code, details: 'x', metadata: {} });

describe('withinDeadline', () => {
  it('fails an unreachable Temporal as TemporalUnavailableError at the deadline, not after the retries', async () => {
    const started = Date.now();
    const err = await withinDeadline(client, 300, () =>
      client.workflowService.listWorkflowExecutions({ namespace: 'default' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalUnavailableError);
    // Loose: the SDK's own retries take ~20 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('settles at the deadline even when the call never does', async () => {
    const err = await withinDeadline(client, 50, () => new Promise(() => {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalUnavailableError);
  });

  it("passes Temporal's own answers and other errors through", async () => {
    const invalid = grpcError(3);
    await expect(withinDeadline(client, 1000, () => Promise.reject(invalid))).rejects.toBe(invalid);
    await expect(withinDeadline(client, 1000, async () => 'ok')).resolves.toBe('ok');
  });
});

describe('isTemporalUnavailable', () => {
  it('is UNAVAILABLE or DEADLINE_EXCEEDED, bare or as a cause', () => {
    expect(isTemporalUnavailable(grpcError(14))).toBe(true);
    expect(isTemporalUnavailable(grpcError(4))).toBe(true);
    expect(isTemporalUnavailable(new Error('wrapped', { cause: grpcError(14) }))).toBe(true);
    expect(isTemporalUnavailable(new TemporalUnavailableError('x'))).toBe(true);
    for (const other of [grpcError(3), grpcError(5), grpcError(2), new Error('x'), { code: 14 }, undefined])
      expect(isTemporalUnavailable(other)).toBe(false);
  });
});
