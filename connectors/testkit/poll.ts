// For plugin authors testing a poll trigger (README.md "Poll triggers"): the context the platform's poll hands
// `poll(ctx, cursor)`, with the trigger's input as given (run it through the input schema yourself to test defaults),
// the budget and a memory logger; `accounts` as in `actionContext`.
import type { AccountsService, PollTriggerContext } from '../sdk/index.js';
import { memoryLogger } from './channel.js';

export function pollContext<I>(
  input: I,
  over: Partial<Omit<PollTriggerContext<I>, 'input'>> & { accounts?: AccountsService } = {},
): PollTriggerContext<I> {
  const { accounts, ...rest } = over;
  return {
    workspaceId: 'ws_test',
    flowId: 'flow_test',
    input,
    limit: 100,
    firstPoll: false,
    baseline: false,
    logger: memoryLogger(),
    signal: AbortSignal.timeout(10_000),
    services: {
      accounts: accounts ?? {
        open: async () => {
          throw new Error('no accounts service in this test');
        },
      },
    },
    ...rest,
  };
}
