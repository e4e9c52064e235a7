// The workspace's channel accounts, for the trigger's account choice and the send actions' account field. Loaded once
// per editor; `reload` after adding an account elsewhere. A server without a secret key answers 503: that is shown,
// and the fields still take an account id or a template by hand.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Api } from '../api/client.js';
import type { ChannelAccount } from '../api/types.js';

export interface AccountsState {
  items: ChannelAccount[];
  loading: boolean;
  error: string | null;
  reload(): void;
}

export function useChannelAccounts(api: Api): AccountsState {
  const [items, setItems] = useState<ChannelAccount[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    api.channelAccounts().then(
      (list) => live && (setItems(list), setError(null), setLoading(false)),
      (err: Error) => live && (setError(err.message), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [api, epoch]);
  const reload = useCallback(() => setEpoch((e) => e + 1), []);
  return useMemo(() => ({ items, loading, error, reload }), [items, loading, error, reload]);
}
