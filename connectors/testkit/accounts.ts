// An accounts service for testing a CRM connector's actions without Confluo's server: it opens the given accounts by
// id and, like the platform's, refuses any other with a not_found ConnectorError.
import { ConnectorError, type AccountsService, type CrmAccount } from '../sdk/index.js';

export function directAccounts(accounts: CrmAccount[]): AccountsService & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    async open(accountId) {
      opened.push(accountId);
      const account = accounts.find((a) => a.id === accountId);
      if (!account)
        throw new ConnectorError('not_found', `account ${accountId} is not in this workspace`, {
          code: 'ACCOUNT_NOT_FOUND',
          retryable: false,
        });
      return account;
    },
  };
}
