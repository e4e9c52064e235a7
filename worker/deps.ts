// Everything the worker's activities run with, built from the database, the connectors and the secret key: the one
// place that wires the stores together (the launcher, tests and benchmarks all use it).
import type { Registry } from '../connectors/sdk/registry.js';
import { AccountUnavailable, createChannelAccountStore } from '../prisma/channel-accounts.js';
import type { PrismaClient } from '../prisma/client.js';
import { createContactEventStore } from '../prisma/contact-events.js';
import { createContactsService } from '../prisma/contacts.js';
import { createConversationStore, openConversation } from '../prisma/conversations.js';
import { createFlowStore } from '../prisma/flows.js';
import { createFlowPollStore } from '../prisma/flow-polls.js';
import { createRateLimiter } from '../prisma/rate-limits.js';
import type { ActivityDeps, WorkerLogger } from './activities.js';
import { accountError, createChannelRuntime } from './channels.js';
import type { CrmSyncDeps } from './crm-sync.js';

export interface WorkerDepsOptions {
  prisma: PrismaClient;
  registry: Registry;
  logger: WorkerLogger;
  /** Decrypts channel-account credentials; without it channel sends and polls fail, saying so. */
  secretKey?: Buffer;
  /** The server's public base URL (accounts' inbound URLs, e.g. Twilio's StatusCallback). */
  publicUrl: string;
  /** CRM sync timings (tests and benchmarks shorten them). */
  crmSync?: Pick<CrmSyncDeps, 'debounceMs' | 'catchUpMs' | 'roundMs' | 'idleMs'>;
}

export function createWorkerDeps(opts: WorkerDepsOptions): ActivityDeps {
  const contacts = createContactsService(opts.prisma);
  const store = createConversationStore(opts.prisma, contacts);
  const accounts = createChannelAccountStore(opts.prisma, {
    secretKey: opts.secretKey,
    publicUrl: opts.publicUrl,
    registry: opts.registry,
  });
  const rateLimiter = createRateLimiter(opts.prisma);
  const channels = createChannelRuntime({ accounts, contacts, store, rateLimiter });
  return {
    registry: opts.registry,
    logger: opts.logger,
    services: {
      contacts,
      channels,
      conversations: {
        listOpen: async (workspaceId, { limit }) => (await store.listOpen(workspaceId, limit)).map(openConversation),
        setConsent: (workspaceId, c) => store.setConsent(workspaceId, c.contactId, c.channel, c.status, c.source),
      },
      accounts: {
        async open(accountId, where) {
          try {
            return (await accounts.open(accountId, where)).account;
          } catch (err) {
            throw err instanceof AccountUnavailable ? accountError(err) : err;
          }
        },
      },
    },
    inbox: { store, flows: createFlowStore(opts.prisma), accounts, logger: opts.logger },
    events: createContactEventStore(opts.prisma),
    polls: createFlowPollStore(opts.prisma),
    crm: {
      prisma: opts.prisma,
      accounts,
      contacts,
      rateLimiter,
      defaultCountry: process.env.CONFLUO_DEFAULT_COUNTRY,
      logger: opts.logger,
      ...opts.crmSync,
    },
  };
}
