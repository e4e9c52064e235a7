// The Channels screen's routes: the list, the channel picker, the connect form of one channel, an account's edit form.
export type ChannelsRoute =
  { view: 'list' } | { view: 'pick' } | { view: 'connect'; connector: string } | { view: 'edit'; accountId: string };

export function channelsRoute(path: string): ChannelsRoute | null {
  const m = /^\/channels(?:\/(.*?))?\/?$/.exec(path);
  if (!m) return null;
  const rest = (m[1] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  if (rest.length === 0) return { view: 'list' };
  if (rest[0] === 'new') return rest[1] ? { view: 'connect', connector: rest[1] } : { view: 'pick' };
  if (rest.length === 2 && rest[1] === 'edit') return { view: 'edit', accountId: rest[0]! };
  return { view: 'list' };
}

export const channelsPath = {
  list: '/channels',
  pick: '/channels/new',
  connect: (connector: string) => `/channels/new/${encodeURIComponent(connector)}`,
  edit: (accountId: string) => `/channels/${encodeURIComponent(accountId)}/edit`,
};
