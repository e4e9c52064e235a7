// What every Pipedrive action test sets up: one fake Pipedrive for the file (a burst limit no test reaches: the tests
// are about the action), its recordings cleared before each test, and a step context whose `accounts` opens `crm_pd`.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ActionDefinition } from '../../sdk/index.js';
import {
  actionContext,
  directAccounts,
  startPipedriveFake,
  testAccount,
  type PipedriveFake,
} from '../../testkit/index.js';
import { pipedriveConnector } from '../index.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';

export function usePipedriveFake(reset?: (pd: PipedriveFake) => void) {
  let pd: PipedriveFake;
  beforeAll(async () => {
    pd = await startPipedriveFake({ apiToken: TOKEN, burst: { limit: 10_000 } });
  });
  afterAll(() => pd.close());
  beforeEach(() => {
    pd.violations.length = 0;
    pd.requests.length = 0;
    reset?.(pd);
  });
  return {
    get pd() {
      return pd;
    },
    ctx: (attempt = 1) =>
      actionContext(
        {
          accounts: directAccounts([
            testAccount({ id: 'crm_pd', credentials: { apiToken: TOKEN }, settings: { apiBaseUrl: pd.url } }),
          ]),
        },
        { attempt },
      ),
    action: (id: string): ActionDefinition => pipedriveConnector.actions.find((a) => a.id === id)!,
  };
}
