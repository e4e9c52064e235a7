// An `accounts` service for running a CRM connector's actions in a test without Confluo's server: it opens the given
// accounts (as the platform would, credentials already in the clear) and refuses any other id as not_found.
import { ConnectorError, type AccountsService, type ChannelAccount } from '../sdk/index.js';

export function directAccounts(accounts: ChannelAccount[]): AccountsService & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    open: async (accountId) => {
      opened.push(accountId);
      const account = accounts.find((a) => a.id === accountId);
      if (!account)
        throw new ConnectorError('not_found', `account ${accountId} not found`, { code: 'ACCOUNT_NOT_FOUND' });
      return account;
    },
  };
}
