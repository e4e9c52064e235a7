import { describe, expect, it } from 'vitest';
import type { ChannelManifest, ConnectorManifest, CrmManifest } from '../api/types.js';
import { channelsPath, channelsRoute } from './route.js';
import {
  channelConnectors,
  crmConnectors,
  crmSyncText,
  everyText,
  isCrm,
  settingsSchemaOf,
  inboundLabel,
  publicBase,
  setupHint,
  webchatDemoUrl,
  webchatSnippet,
} from './setup.js';

const channelPart = (inbound: ChannelManifest['inbound']): ChannelManifest => ({
  name: 'x',
  addressKinds: [],
  inbound,
  handshake: false,
});
const channel = (inbound: ChannelManifest['inbound']) => ({ channel: channelPart(inbound) });
const crm = (inbound = true): CrmManifest => ({ inbound, merge: true });

describe('channel setup', () => {
  it('builds the embed snippet and the demo link from the public URL the inbound URL starts with', () => {
    const account = { id: 'cha_1', inboundUrl: 'https://confluo.example/base/hooks/channels/cha_1' };
    const base = publicBase(account, 'http://localhost:5173');
    expect(base).toBe('https://confluo.example/base');
    expect(webchatSnippet(base, 'cha_1')).toBe(
      '<script src="https://confluo.example/base/webchat/widget.js" data-account="cha_1" async></script>',
    );
    expect(webchatDemoUrl(base, 'cha_1')).toBe('https://confluo.example/base/webchat/cha_1/demo');
    expect(publicBase({ id: 'cha_2' }, 'http://localhost:5173/')).toBe('http://localhost:5173');
    expect(webchatSnippet('https://a.example/?x=1&y="2"', 'id"<')).toBe(
      '<script src="https://a.example/?x=1&amp;y=&quot;2&quot;/webchat/widget.js" data-account="id&quot;&lt;" async></script>',
    );
  });

  it('says in one line where the inbound URL goes, per channel', () => {
    expect(setupHint({ connector: 'sms' }, channel('webhook'))).toMatch(
      /^Paste into Twilio → .*A message comes in.*HTTP POST/,
    );
    expect(setupHint({ connector: 'telegram' }, channel('webhook'))).toMatch(/registered with Telegram automatically/);
    expect(setupHint({ connector: 'webchat' }, channel('webhook'))).toMatch(/embed snippet/);
    expect(setupHint({ connector: 'email', credentialKeys: ['imap', 'smtp'] }, channel('poll'))).toBe(
      'Nothing to paste: Confluo polls the IMAP mailbox every minute.',
    );
    expect(
      setupHint(
        { connector: 'email', credentialKeys: ['imap', 'smtp'], settings: { pollInterval: 'PT30S' } },
        channel('poll'),
      ),
    ).toMatch(/every 30 seconds\.$/);
    expect(setupHint({ connector: 'email', credentialKeys: ['smtp'] }, channel('poll'))).toMatch(/^Sends only/);
    expect(setupHint({ connector: 'acme' }, channel('webhook'))).toBe("Paste into the provider's webhook settings.");
    expect(setupHint({ connector: 'acme' }, channel('none'))).toMatch(/^Send only/);
    expect(setupHint({ connector: 'acme' }, undefined)).toMatch(/not installed/);
    expect(everyText('PT5M')).toBe('every 5 minutes');
    expect(everyText('nonsense')).toBe('every nonsense');
    expect([inboundLabel('webhook'), inboundLabel('poll'), inboundLabel('none'), inboundLabel(undefined)]).toEqual([
      'webhook',
      'polling',
      'send only',
      'unknown channel',
    ]);
  });

  it('says where a CRM account’s inbound URL goes, or which webhook secret is missing first', () => {
    expect(setupHint({ connector: 'hubspot', credentialKeys: ['accessToken', 'clientSecret'] }, { crm: crm() })).toBe(
      'Paste into your HubSpot private app → Webhooks → Target URL, and subscribe to contact creation, deletion, merge, restore and property changes.',
    );
    expect(setupHint({ connector: 'hubspot', credentialKeys: ['accessToken'] }, { crm: crm() })).toMatch(
      /^Add the client secret \(Edit\) first: without it HubSpot’s webhooks are refused/,
    );
    expect(
      setupHint(
        { connector: 'pipedrive', credentialKeys: ['apiToken', 'webhookPassword', 'webhookUser'] },
        {
          crm: crm(),
        },
      ),
    ).toBe(
      "Paste into Pipedrive → Settings → Tools and apps → Webhooks: a webhook v2 on person events, with this account's webhook user and password as HTTP auth.",
    );
    expect(setupHint({ connector: 'pipedrive', credentialKeys: ['apiToken', 'webhookUser'] }, { crm: crm() })).toMatch(
      /^Add a webhook user and password \(Edit\) first/,
    );
    // Before the account exists (no credential keys known): the setup step itself.
    expect(setupHint({ connector: 'hubspot' }, { crm: crm() })).toMatch(/^Paste into your HubSpot private app/);
    expect(setupHint({ connector: 'acme-crm' }, { crm: crm(true) })).toBe("Paste into the CRM's webhook settings.");
    expect(setupHint({ connector: 'acme-crm' }, { crm: crm(false) })).toMatch(/^Nothing to paste: Confluo checks/);
  });

  it('offers the channel connectors and, apart, the CRM connectors, by name', () => {
    const m = (id: string, name: string, part: Partial<ConnectorManifest> = {}): ConnectorManifest => ({
      id,
      name,
      version: '1.0.0',
      actions: [],
      triggers: [],
      ...part,
    });
    const settings = { type: 'object', properties: { apiBaseUrl: { type: 'string' } } };
    const manifests = [
      m('http', 'HTTP'),
      m('webchat', 'Web chat', channel('webhook')),
      m('pipedrive', 'Pipedrive', { crm: crm() }),
      m('email', 'Email', channel('poll')),
      m('hubspot', 'HubSpot', { crm: { ...crm(), settings } }),
    ];
    expect(channelConnectors(manifests).map((c) => c.id)).toEqual(['email', 'webchat']);
    const crms = crmConnectors(manifests);
    expect(crms.map((c) => c.id)).toEqual(['hubspot', 'pipedrive']);
    expect(crms.map(isCrm)).toEqual([true, true]);
    expect(channelConnectors(manifests).map(isCrm)).toEqual([false, false]);
    expect(isCrm(undefined)).toBe(false);
    expect(settingsSchemaOf(crms[0]!)).toBe(settings);
    expect(settingsSchemaOf(crms[1]!)).toBeUndefined();
    const sms = m('sms', 'SMS', { channel: { ...channelPart('webhook'), settings } });
    expect(settingsSchemaOf(channelConnectors([sms])[0]!)).toBe(settings);
  });

  it('routes /channels, the picker, a channel’s connect form and an account’s edit form', () => {
    expect(channelsRoute('/channels')).toEqual({ view: 'list' });
    expect(channelsRoute('/channels/')).toEqual({ view: 'list' });
    expect(channelsRoute(channelsPath.pick)).toEqual({ view: 'pick' });
    expect(channelsRoute(channelsPath.connect('sms'))).toEqual({ view: 'connect', connector: 'sms' });
    expect(channelsRoute(channelsPath.edit('cha 1'))).toEqual({ view: 'edit', accountId: 'cha 1' });
    expect(channelsRoute('/channelsx')).toBeNull();
    expect(channelsRoute('/inbox')).toBeNull();
  });

  it('says whether a CRM sync runs, how much waits, or why it stopped', () => {
    const ago = (iso: string) => `at ${iso.slice(11, 16)}`;
    expect(crmSyncText({ error: null, polledAt: null, pending: 0 }, 'HubSpot', ago)).toEqual({
      stopped: false,
      text: 'Syncing: every contact written.',
    });
    expect(crmSyncText({ error: null, polledAt: '2026-12-04T10:15:00.000Z', pending: 3 }, 'HubSpot', ago).text).toBe(
      'Syncing: 3 contacts waiting to be written, changes in HubSpot last read at 10:15.',
    );
    expect(crmSyncText({ error: null, polledAt: null, pending: 1 }, 'Pipedrive', ago).text).toBe(
      'Syncing: 1 contact waiting to be written.',
    );
    const stopped = crmSyncText(
      {
        error: { code: 'UNAUTHORIZED', message: 'the token is invalid', at: '2026-12-04T09:00:00.000Z' },
        polledAt: null,
        pending: 2,
      },
      'HubSpot',
      ago,
    );
    expect(stopped.stopped).toBe(true);
    expect(stopped.text).toMatch(/^Sync stopped at 09:00: HubSpot answered “the token is invalid”\. Check/);
  });
});
