// The inbox list: the first page, "load more" from its cursor, and a poll of the first page that brings newly active
// conversations to the top.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Conversation } from '../api/types.js';
import { mergeConversations } from '../inbox/thread.js';
import { usePoll } from './use-poll.js';

const PAGE = 30;
export const LIST_POLL_MS = 4000;

export function useConversations(api: Api) {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Relative times ("5m") move on with each poll even when nothing else changed.
  const [now, setNow] = useState(() => Date.now());
  const live = useRef(true);
  const started = useRef(false);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    try {
      const r = await api.listConversations({ limit: PAGE });
      if (!live.current) return;
      // Until the list shows something, the page's cursor is where "load more" starts; after that, polls leave the
      // cursor where "load more" got to.
      if (!started.current) {
        setCursor(r.nextCursor);
        started.current = r.items.length > 0;
      }
      setItems((cur) => mergeConversations(cur ?? [], r.items));
      setError(null);
    } catch (err) {
      if (live.current) setError((err as Error).message);
    } finally {
      if (live.current) setNow(Date.now());
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  usePoll(refresh, LIST_POLL_MS);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const r = await api.listConversations({ limit: PAGE, cursor });
      if (!live.current) return;
      setItems((cur) => mergeConversations(cur ?? [], r.items));
      setCursor(r.nextCursor);
    } catch (err) {
      if (live.current) setError((err as Error).message);
    } finally {
      if (live.current) setLoadingMore(false);
    }
  }, [api, cursor]);

  return { items, hasMore: cursor !== undefined, loadMore, loadingMore, error, now, refresh };
}
