// What every HubSpot action test sets up: one fake HubSpot for the file (no rate limits: the tests are about the
// action), its recordings cleared before each test, and a step context whose `accounts` opens `crm_hs` on it.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ActionDefinition } from '../../sdk/index.js';
import { actionContext, directAccounts, startHubSpotFake, testAccount, type HubSpotFake } from '../../testkit/index.js';
import { hubspotConnector } from '../index.js';

const TOKEN = 'pat-na1-action-test-token';

export function useHubSpotFake(reset?: (hs: HubSpotFake) => void) {
  let hs: HubSpotFake;
  beforeAll(async () => {
    hs = await startHubSpotFake({ accessToken: TOKEN, rateLimit: false, searchPerSecond: false });
  });
  afterAll(() => hs.close());
  beforeEach(() => {
    hs.violations.length = 0;
    hs.requests.length = 0;
    reset?.(hs);
  });
  return {
    get hs() {
      return hs;
    },
    ctx: (attempt = 1) =>
      actionContext(
        {
          accounts: directAccounts([
            testAccount({ id: 'crm_hs', credentials: { accessToken: TOKEN }, settings: { apiBaseUrl: hs.url } }),
          ]),
        },
        { attempt },
      ),
    action: (id: string): ActionDefinition => hubspotConnector.actions.find((a) => a.id === id)!,
  };
}
