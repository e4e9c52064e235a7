// One conversation: its header, its messages (newest page first, "load older" from the cursor, a poll of the newest
// page so replies and status changes show), and sending a reply.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Conversation, ReplyResult } from '../api/types.js';
import { withNewest, withOlder, type ThreadState } from '../inbox/thread.js';
import { usePoll } from './use-poll.js';

const PAGE = 30;
export const THREAD_POLL_MS = 3000;

/** Mount once per conversation (key it by id): nothing here is reset when the id changes. */
export function useThread(api: Api, conversationId: string) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [thread, setThread] = useState<ThreadState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    try {
      const page = await api.listMessages(conversationId, { limit: PAGE });
      if (!live.current) return;
      setThread((cur) => withNewest(cur ?? { messages: [], olderCursor: undefined }, page));
      setError(null);
    } catch (err) {
      if (!live.current) return;
      if ((err as { status?: number }).status === 404) setNotFound(true);
      else setError((err as Error).message);
    }
  }, [api, conversationId]);

  useEffect(() => {
    api.getConversation(conversationId).then(
      (c) => live.current && setConversation(c),
      (err: { status?: number; message: string }) => {
        if (!live.current) return;
        if (err.status === 404) setNotFound(true);
        else setError(err.message);
      },
    );
    void refresh();
  }, [api, conversationId, refresh]);
  usePoll(refresh, THREAD_POLL_MS, !notFound);

  const loadOlder = useCallback(async () => {
    const cursor = thread?.olderCursor;
    if (!cursor) return;
    setLoadingOlder(true);
    try {
      const page = await api.listMessages(conversationId, { limit: PAGE, cursor });
      if (live.current) setThread((cur) => withOlder(cur ?? { messages: [], olderCursor: undefined }, page));
    } catch (err) {
      if (live.current) setError((err as Error).message);
    } finally {
      if (live.current) setLoadingOlder(false);
    }
  }, [api, conversationId, thread?.olderCursor]);

  /** Sends, then shows the newest page (the reply with its status). Errors (a 422 `send_failed`) are the caller's. */
  const send = useCallback(
    async (text: string): Promise<ReplyResult> => {
      const result = await api.reply(conversationId, text);
      await refresh();
      return result;
    },
    [api, conversationId, refresh],
  );

  return { conversation, thread, error, notFound, loadingOlder, loadOlder, send };
}
