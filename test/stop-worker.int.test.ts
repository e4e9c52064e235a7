// A worker container being stopped: the worker role (`npm run worker`) gets SIGTERM, as from `docker stop`, and must
// shut its Temporal worker down once, drain, close its connections and exit 0, without logging a failed stop.
import { describe, expect, it } from 'vitest';
import { databaseUrl, temporalAddress, uniqueTaskQueue } from './env.js';
import { runRole, waitFor } from './processes.js';

describe('worker stopped with SIGTERM', () => {
  it('shuts down cleanly: exit code 0 and no failed stop in the log', async () => {
    const worker = runRole(
      'worker',
      {
        DATABASE_URL: databaseUrl(),
        TEMPORAL_ADDRESS: temporalAddress(),
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue('sigterm'),
        LOG_LEVEL: 'info',
      },
      'sigterm-worker',
    );
    let output = '';
    worker.child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    worker.child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    try {
      await waitFor('the worker polling', async () => output.includes('worker polling'), 120_000);
      await worker.stop();
      expect(await worker.exited).toBe(0);
      expect(output).toContain('shutting down');
      expect(output).not.toContain('stopping worker failed');
      expect(output).not.toContain('IllegalStateError');
    } finally {
      worker.kill9();
    }
  }, 180_000);
});
