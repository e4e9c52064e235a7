// Helpers for testing a channel connector without Confluo's server: capture what a fake provider POSTs (as the
// gateway would see it), make an account, and run the connector's actions with a `channels` service that calls the
// connector's own `send` directly (no database, no consent or rate limit: those are the platform's, tested there).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../flow/types.js';
import type {
  ChannelAccount,
  ChannelsService,
  InboundContext,
  InboundRequest,
  OutboundMessage,
  SentMessage,
  AccountsService,
  ActionContext,
  Connector,
  ContactsService,
  Logger,
} from '../sdk/index.js';

export interface InboundCapture {
  /** `http://127.0.0.1:<port>`: give `${url}/hooks/channels/<id>` (or any path) to a fake as the webhook URL. */
  url: string;
  /** Every request received, as the gateway builds it (url from `url`, lower-case headers, raw body). */
  requests: InboundRequest[];
  /** The next request (or the n-th, 0-based, if already received). */
  next(): Promise<InboundRequest>;
  /** What the capture answers: default 200 with an empty body. */
  reply: { status: number; body?: string; contentType?: string };
  close(): Promise<void>;
}

/** A local HTTP server standing in for the gateway: records requests, answers `reply`. */
export async function startInboundCapture(): Promise<InboundCapture> {
  const requests: InboundRequest[] = [];
  const waiters: Array<(r: InboundRequest) => void> = [];
  let served = 0;
  const capture: InboundCapture = {
    url: '',
    requests,
    reply: { status: 200 },
    next: () =>
      new Promise((resolve) => {
        const r = requests[served];
        if (r) {
          served++;
          resolve(r);
        } else waiters.push(resolve);
      }),
    close: () =>
      new Promise<void>((res, rej) => {
        server.close((e) => (e ? rej(e) : res()));
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', capture.url);
      const r: InboundRequest = {
        method: req.method ?? 'GET',
        url: `${capture.url}${req.url ?? '/'}`,
        headers: { ...req.headers },
        query: Object.fromEntries(u.searchParams),
        rawBody: Buffer.concat(chunks),
      };
      requests.push(r);
      const w = waiters.shift();
      if (w) {
        served++;
        w(r);
      }
      res.writeHead(capture.reply.status, { 'content-type': capture.reply.contentType ?? 'text/plain' });
      res.end(capture.reply.body ?? '');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  capture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return capture;
}

/** A logger that keeps every line, so a test can check that no secret was logged. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; obj: unknown; msg?: string }> } {
  const lines: Array<{ level: string; obj: unknown; msg?: string }> = [];
  const at = (level: string) => (obj: object | string, msg?: string) =>
    void lines.push({ level, obj, ...(msg !== undefined && { msg }) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An account as the platform would hand it to connector code. */
export function testAccount(over: Partial<ChannelAccount> & { credentials: JsonObject }): ChannelAccount {
  const id = over.id ?? 'cha_test';
  return { id, workspaceId: 'ws_test', settings: {}, inboundUrl: `http://confluo.test/hooks/channels/${id}`, ...over };
}

export function inboundContext(account: ChannelAccount, now = Date.now()): InboundContext {
  return { account, now, logger: memoryLogger() };
}

/** A channels service that sends through `connector.channel.send` with the given accounts, recording each send. */
export function directChannels(
  connector: Connector,
  accounts: ChannelAccount[],
  opts: { idempotencyKey?: string } = {},
): ChannelsService & { sent: SentMessage[] } {
  const sent: SentMessage[] = [];
  const channel = connector.channel;
  if (!channel) throw new Error(`connector ${connector.id} is not a channel`);
  const service = {
    sent,
    async send(accountId: string, message: OutboundMessage): Promise<SentMessage> {
      const account = accounts.find((a) => a.id === accountId);
      if (!account) throw new Error(`no test account ${accountId}`);
      const result = await channel.send(
        {
          account,
          idempotencyKey: opts.idempotencyKey ?? 'run_test:step',
          signal: AbortSignal.timeout(10_000),
          logger: memoryLogger(),
        },
        message,
      );
      const out: SentMessage = {
        id: `msg_${sent.length + 1}`,
        conversationId: 'cnv_test',
        contactId: null,
        channel: channel.name,
        accountId,
        providerMessageId: result.providerMessageId,
        status: result.status ?? 'sent',
        to: message.to,
        ...(result.provider !== undefined && { provider: result.provider }),
      };
      sent.push(out);
      return out;
    },
    async reply(): Promise<SentMessage> {
      throw new Error('directChannels does not know conversations; use send');
    },
  };
  return service;
}

/** An ActionContext for running a connector's action in a test. */
export function actionContext(
  services: { channels?: ChannelsService; contacts?: ContactsService; accounts?: AccountsService },
  over: Partial<ActionContext> = {},
): ActionContext {
  const missing = (what: string) => async (): Promise<never> => {
    throw new Error(`no ${what} service in this test`);
  };
  return {
    workspaceId: 'ws_test',
    runId: 'run_test',
    nodeId: 'step',
    idempotencyKey: 'run_test:step',
    attempt: 1,
    logger: memoryLogger(),
    signal: AbortSignal.timeout(10_000),
    services: {
      channels: services.channels ?? { send: missing('channels'), reply: missing('channels') },
      contacts: services.contacts ?? { upsert: missing('contacts'), merge: missing('contacts') },
      accounts: services.accounts ?? { open: missing('accounts') },
    },
    ...over,
  };
}
