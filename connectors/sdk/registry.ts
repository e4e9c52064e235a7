// The set of connectors a server or worker knows, looked up by full action id (`<connector>.<action>`).
import type { ActionDefinition, Connector, ConnectorManifest, JsonSchema } from './types.js';

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
  return {
    connectors: [...connectors],
    manifests: () => connectors.map((c) => c.manifest),
    getAction: (fullId) => actions.get(fullId),
    get: (id) => byId.get(id),
    actionInputs: () => Object.fromEntries([...actions].map(([id, { action }]) => [id, { input: action.input }])),
    channelNames: () => [...channels.keys()],
  };
}
