// withinDeadline against a real client whose Temporal is unreachable (a closed local port): it settles at the
// deadline as TemporalUnavailableError, where the SDK alone retries for ~20 s; Temporal's own answers pass through; and
// closing the connection while the SDK's retries sleep raises nothing from their timer (temporal-config.ts).
import { Metadata, type InterceptorOptions, type StatusObject } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/ports.js';
import { clientConnectionOptions, closedChannelGuard } from './temporal-config.js';
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

describe('closing a connection while the retry interceptor sleeps', () => {
  it('raises nothing from the retry timer', async () => {
    // The server's connection options on a closed port: the call answers at the deadline while the SDK's retry
    // interceptor still sleeps before its next attempt; the connection closes during that sleep.
    const own = Connection.lazy(clientConnectionOptions({ address: `127.0.0.1:${await freePort()}` }));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const ownClient = new Client({ connection: own });
      const err = await withinDeadline(ownClient, 300, () =>
        ownClient.workflowService.listWorkflowExecutions({ namespace: 'default' }),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemporalUnavailableError);
      await own.close();
      // Past the longest sleep the retries could be in at 300 ms (their backoff starts at 100 ms, ×1.7).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('makes an attempt on a shut-down channel a call that sends nothing and never answers; other errors pass', async () => {
    const closed = () => {
      throw new Error('Channel has been shut down');
    };
    const call = closedChannelGuard({} as InterceptorOptions, closed as never);
    const heard: unknown[] = [];
    call.start(new Metadata(), {
      onReceiveStatus: (s: StatusObject) => void heard.push(s),
      onReceiveMessage: (m: unknown) => void heard.push(m),
    });
    call.sendMessage({});
    call.halfClose();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([]);
    const other = new Error('boom');
    expect(() =>
      closedChannelGuard(
        {} as InterceptorOptions,
        (() => {
          throw other;
        }) as never,
      ),
    ).toThrow(other);
  });
});
