// Keeps the server in step with the store: validation (debounced) and autosave of the draft (debounced, with a copy
// in localStorage until the save succeeds).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { ActionManifest } from '../api/types.js';
import { anyOfFields, friendlyIssues } from '../flow/issues.js';
import type { FlowDefinition } from '../flow/model.js';
import { dropDraft, keepDraft } from '../store/draft-cache.js';
import { flowStore, useFlow } from '../store/flow-store.js';

export type SaveState = { state: 'saved' | 'pending' | 'saving' } | { state: 'error'; message: string };

const SAVE_DELAY = 800;
const VALIDATE_DELAY = 350;

export function useFlowSync(api: Api, flowId: string, ready: boolean, actions: ReadonlyMap<string, ActionManifest>) {
  const revision = useFlow((s) => s.revision);
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  const [save, setSave] = useState<SaveState>({ state: 'saved' });
  const [validating, setValidating] = useState(false);
  const savedJson = useRef<string | null>(null);
  const saving = useRef<Promise<void> | null>(null);
  const validateSeq = useRef(0);
  // Read when issues arrive; a change of the manifests alone need not validate again.
  const actionsRef = useRef(actions);
  actionsRef.current = actions;

  /** Saves the store's draft now if it differs from the last saved one. */
  const flush = useCallback(async (): Promise<boolean> => {
    const { definition, readOnlyVersion } = flowStore.getState();
    if (readOnlyVersion !== null) return true;
    const json = JSON.stringify(definition);
    if (json === savedJson.current) return true;
    await saving.current;
    setSave({ state: 'saving' });
    const p = api.updateFlow(flowId, { definition }).then(
      () => {
        savedJson.current = json;
        if (JSON.stringify(flowStore.getState().definition) === json) {
          dropDraft(flowId);
          setSave({ state: 'saved' });
        } else setSave({ state: 'pending' });
      },
      (err: Error) => setSave({ state: 'error', message: err.message }),
    );
    saving.current = p;
    await p;
    return savedJson.current === json;
  }, [api, flowId]);

  const markSaved = useCallback((def: FlowDefinition) => {
    savedJson.current = JSON.stringify(def);
  }, []);

  useEffect(() => {
    if (!ready || readOnly) return;
    const { definition } = flowStore.getState();
    if (JSON.stringify(definition) === savedJson.current) return;
    keepDraft(flowId, definition);
    setSave({ state: 'pending' });
    const t = setTimeout(() => void flush(), SAVE_DELAY);
    return () => clearTimeout(t);
  }, [revision, ready, readOnly, flowId, flush]);

  // After a failed save, try again every few seconds (the connection may come back).
  useEffect(() => {
    if (save.state !== 'error') return;
    const t = setTimeout(() => void flush(), 5000);
    return () => clearTimeout(t);
  }, [save, flush]);

  useEffect(() => {
    if (!ready) return;
    const seq = ++validateSeq.current;
    const t = setTimeout(() => {
      setValidating(true);
      const definition = flowStore.getState().definition;
      api.validate(definition, flowId).then(
        (r) =>
          seq === validateSeq.current &&
          (flowStore.getState().setIssues(friendlyIssues(r.issues, anyOfFields(definition, actionsRef.current))),
          setValidating(false)),
        () => seq === validateSeq.current && setValidating(false),
      );
    }, VALIDATE_DELAY);
    return () => clearTimeout(t);
  }, [revision, ready, api, flowId]);

  return { save, validating, flush, markSaved };
}
