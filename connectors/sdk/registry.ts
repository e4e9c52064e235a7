// The set of connectors a server or worker knows, looked up by full action id (`<connector>.<action>`).
import type { ActionDefinition, Connector, ConnectorManifest, JsonSchema, TriggerDefinition } from './types.js';

/** A connector's poll trigger (`TriggerDefinition.poll`), looked up by full id. */
export type PollSource = {
  connector: Connector;
  trigger: TriggerDefinition & Required<Pick<TriggerDefinition, 'poll'>>;
};

export interface Registry {
  connectors: readonly Connector[];
  manifests(): ConnectorManifest[];
  getAction(fullId: string): { connector: Connector; action: ActionDefinition } | undefined;
  /** A connector by id. */
  get(id: string): Connector | undefined;
  /** Input schema per full action id, for flow validation. */
  actionInputs(): Record<string, { input: JsonSchema }>;
  /** Connectors that are channels, by channel name (`sms`, `whatsapp`, ...). */
  channelNames(): string[];
  /** A poll trigger by full id (`http.poll`, `hubspot.newDeal`). */
  getPollSource(fullId: string): PollSource | undefined;
  /** Input schema per full poll trigger id, for flow validation. */
  pollInputs(): Record<string, { input: JsonSchema }>;
}

export function createRegistry(connectors: Connector[]): Registry {
  const byId = new Map<string, Connector>();
  const channels = new Map<string, Connector>();
  for (const c of connectors) {
    if (byId.has(c.id)) throw new Error(`connector ${JSON.stringify(c.id)} is registered twice`);
    byId.set(c.id, c);
    if (c.channel) {
      const other = channels.get(c.channel.name);
      if (other)
        throw new Error(
          `connectors ${JSON.stringify(other.id)} and ${JSON.stringify(c.id)} both declare channel ${JSON.stringify(c.channel.name)}`,
        );
      channels.set(c.channel.name, c);
    }
  }
  const actions = new Map<string, { connector: Connector; action: ActionDefinition }>();
  for (const connector of connectors)
    for (const action of connector.actions) actions.set(`${connector.id}.${action.id}`, { connector, action });
  const polls = new Map<string, PollSource>();
  for (const connector of connectors)
    for (const trigger of connector.triggers ?? [])
      if (typeof trigger.poll === 'function')
        polls.set(`${connector.id}.${trigger.id}`, { connector, trigger: trigger as PollSource['trigger'] });
  return {
    connectors: [...connectors],
    manifests: () => connectors.map((c) => c.manifest),
    getAction: (fullId) => actions.get(fullId),
    get: (id) => byId.get(id),
    actionInputs: () => Object.fromEntries([...actions].map(([id, { action }]) => [id, { input: action.input }])),
    channelNames: () => [...channels.keys()],
    getPollSource: (fullId) => polls.get(fullId),
    pollInputs: () =>
      Object.fromEntries(
        [...polls].map(([id, { trigger }]) => [id, { input: (trigger.input ?? { type: 'object' }) as JsonSchema }]),
      ),
  };
}
