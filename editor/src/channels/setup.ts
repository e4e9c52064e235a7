// What a channel account's owner does with it: where its inbound URL goes (one line per channel or CRM), and for web
// chat the snippet that embeds the widget. Plain text: the UI renders it as text.
import type { ChannelAccount, ChannelManifest, ConnectorManifest, CrmManifest } from '../api/types.js';
import { toFriendly } from '../flow/duration.js';

export type ChannelConnector = ConnectorManifest & { channel: ChannelManifest };
/** A CRM the platform keeps the workspace's contacts in step with; its accounts live beside the channel accounts. */
export type CrmConnector = ConnectorManifest & { crm: CrmManifest };
/** What the Channels screen connects accounts of: a messaging channel or a CRM. */
export type AccountConnector = ChannelConnector | CrmConnector;

const byName = (a: ConnectorManifest, b: ConnectorManifest) => a.name.localeCompare(b.name);

/** The connectors that are messaging channels, by name. */
export function channelConnectors(manifests: readonly ConnectorManifest[]): ChannelConnector[] {
  return manifests.filter((m): m is ChannelConnector => m.channel !== undefined).sort(byName);
}

/** The CRM connectors (a `crm` part and no `channel`), by name. */
export function crmConnectors(manifests: readonly ConnectorManifest[]): CrmConnector[] {
  return manifests.filter((m): m is CrmConnector => m.crm !== undefined && m.channel === undefined).sort(byName);
}

export const isCrm = (c: AccountConnector | undefined): c is CrmConnector =>
  c !== undefined && c.channel === undefined && c.crm !== undefined;

/** The JSON Schema of an account's settings: the channel's, or the CRM's (the server checks them the same way). */
export const settingsSchemaOf = (c: AccountConnector): CrmManifest['settings'] =>
  c.channel?.settings ?? c.crm?.settings;

export function inboundLabel(kind: ChannelManifest['inbound'] | undefined): string {
  if (kind === 'webhook') return 'webhook';
  if (kind === 'poll') return 'polling';
  if (kind === 'none') return 'send only';
  return 'unknown channel';
}

/**
 * The server's public URL, which `inboundUrl` starts with (`<public URL>/hooks/channels/<id>`); the page's origin when
 * the account carries no inbound URL.
 */
export function publicBase(
  account: Pick<ChannelAccount, 'id'> & Partial<Pick<ChannelAccount, 'inboundUrl'>>,
  fallback: string,
): string {
  const suffix = `/hooks/channels/${account.id}`;
  const url = account.inboundUrl;
  if (url?.endsWith(suffix)) return url.slice(0, -suffix.length);
  return fallback.replace(/\/+$/, '');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The HTML a website puts before `</body>` to show the account's chat bubble. */
export const webchatSnippet = (base: string, accountId: string) =>
  `<script src="${attr(`${base}/webchat/widget.js`)}" data-account="${attr(accountId)}" async></script>`;

/** A plain page with the widget on it, to try the account out. */
export const webchatDemoUrl = (base: string, accountId: string) =>
  `${base}/webchat/${encodeURIComponent(accountId)}/demo`;

/** `every minute`, `every 30 seconds`, from an ISO-8601 duration (the email poll interval). */
export function everyText(iso: string): string {
  const f = toFriendly(iso);
  if (!f) return `every ${iso}`;
  return f.amount === 1 ? `every ${f.unit.slice(0, -1)}` : `every ${f.amount} ${f.unit}`;
}

/** Where the inbound URL goes, in one line: the provider's screen to paste it into, or why nothing is to be pasted. */
export function setupHint(
  account: Pick<ChannelAccount, 'connector'> & Partial<Pick<ChannelAccount, 'settings' | 'credentialKeys'>>,
  connector: { channel?: ChannelManifest; crm?: CrmManifest } | undefined,
): string {
  const has = (key: string) => !account.credentialKeys || account.credentialKeys.includes(key);
  switch (account.connector) {
    case 'sms':
      return 'Paste into Twilio → Phone Numbers → your number → Messaging → “A message comes in”: Webhook, HTTP POST.';
    case 'whatsapp':
      return "Paste into your Meta app → WhatsApp → Configuration → Callback URL, with this account's verify token; subscribe to “messages”.";
    case 'messenger':
      return "Paste into your Meta app → Messenger → Webhooks → Callback URL, with this account's verify token; subscribe the Page to “messages”.";
    case 'instagram':
      return "Paste into your Meta app → Instagram → Webhooks → Callback URL, with this account's verify token; subscribe to “messages”.";
    case 'slack':
      return 'Paste into your Slack app → Event Subscriptions → Request URL, and subscribe to the bot events message.im (and message.channels as needed).';
    case 'telegram':
      return 'Nothing to paste: the webhook was registered with Telegram automatically (Telegram needs an HTTPS URL).';
    case 'webchat':
      return 'Nothing to paste: put the embed snippet below on your website, before </body>.';
    case 'email': {
      if (account.credentialKeys && !account.credentialKeys.includes('imap'))
        return 'Sends only: add IMAP credentials (Edit) to receive mail.';
      const every =
        typeof account.settings?.pollInterval === 'string' ? everyText(account.settings.pollInterval) : 'every minute';
      return `Nothing to paste: Confluo polls the IMAP mailbox ${every}.`;
    }
    // CRMs (connectors/hubspot/README.md, connectors/pipedrive/README.md "Setup in …"). Without the secret that
    // verifies them every webhook is refused: then only the catch-up poll sees the CRM's changes.
    case 'hubspot':
      if (!has('clientSecret'))
        return 'Add the client secret (Edit) first: without it HubSpot’s webhooks are refused, and only a periodic check sees changes made there.';
      return 'Paste into your HubSpot private app → Webhooks → Target URL, and subscribe to contact creation, deletion, merge, restore and property changes.';
    case 'pipedrive':
      if (!has('webhookUser') || !has('webhookPassword'))
        return 'Add a webhook user and password (Edit) first: without them Pipedrive’s webhooks are refused, and only a periodic check sees changes made there.';
      return "Paste into Pipedrive → Settings → Tools and apps → Webhooks: a webhook v2 on person events, with this account's webhook user and password as HTTP auth.";
  }
  const channel = connector?.channel;
  if (!channel && connector?.crm)
    return connector.crm.inbound
      ? "Paste into the CRM's webhook settings."
      : 'Nothing to paste: Confluo checks the CRM for changes periodically.';
  if (channel?.inbound === 'poll') return 'Nothing to paste: Confluo polls the provider for new messages.';
  if (channel?.inbound === 'none') return 'Send only: this channel receives no messages.';
  if (channel?.inbound === 'webhook') return "Paste into the provider's webhook settings.";
  return 'This connector is not installed on the server any more.';
}

/**
 * A CRM account's sync in one line: stopped (with the CRM's reason, tried again every minute), or running with how
 * many contacts wait to be written and when the CRM was last asked for its changes.
 */
export function crmSyncText(
  state: NonNullable<ChannelAccount['crmSync']>,
  crmName: string,
  ago: (iso: string) => string,
): { stopped: boolean; text: string } {
  if (state.error)
    return {
      stopped: true,
      text:
        `Sync stopped ${ago(state.error.at)}: ${crmName} answered “${state.error.message}”. Check the credentials ` +
        'and settings with Edit; it is tried again every minute.',
    };
  const waiting =
    state.pending === 0
      ? 'every contact written'
      : `${state.pending} contact${state.pending === 1 ? '' : 's'} waiting to be written`;
  const polled = state.polledAt ? `, changes in ${crmName} last read ${ago(state.polledAt)}` : '';
  return { stopped: false, text: `Syncing: ${waiting}${polled}.` };
}
