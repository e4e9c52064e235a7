// The contact settings' merge rules: the shared-delivery rule (on by default) and the auto-merge score for duplicate
// suggestions (off by default). They apply to deliveries and upserts from the moment they are saved.
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { ContactSettings } from '../api/types.js';
import { SaveFooter, useSave } from './SaveFooter.js';

export function MergeSettingsForm({
  api,
  settings,
  onSaved,
}: {
  api: Api;
  settings: ContactSettings;
  onSaved: (s: ContactSettings) => void;
}) {
  const [shared, setShared] = useState(settings.mergeOnSharedDelivery);
  const [auto, setAuto] = useState(settings.autoMergeScore !== null);
  const [score, setScore] = useState(String(settings.autoMergeScore ?? 80));
  const saveState = useSave();
  const n = Number(score);
  const scoreOk = Number.isInteger(n) && n >= 1 && n <= 100;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (auto && !scoreOk)
      return saveState.setStatus({ error: true, text: 'The score is a whole number from 1 to 100.' });
    await saveState.run(async () =>
      onSaved(await api.updateContactSettings({ mergeOnSharedDelivery: shared, autoMergeScore: auto ? n : null })),
    );
  };

  return (
    <form className="merge-settings" aria-label="Merge rules" onSubmit={(e) => void save(e)}>
      <h2>Merge rules</h2>
      <label className="check">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
        Merge contacts one delivery links: a message or upsert carries identities already on two contacts whose names
        fit
      </label>
      <p className="muted">Off: such pairs wait in Possible duplicates instead.</p>
      <label className="check">
        <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} />
        Merge duplicate suggestions automatically
      </label>
      {auto && (
        <label>
          when their score is at least{' '}
          <input
            type="number"
            min={1}
            max={100}
            step={1}
            aria-label="Auto-merge score"
            value={score}
            onChange={(e) => setScore(e.target.value)}
          />
        </label>
      )}
      <p className="muted">
        Scores: an identifier a household shares 40 (each more +10), a delivery linking two contacts 60 and more, weaker
        hints (a +tag, a misspelt domain, the same name and city) 25–55. Every automatic merge can be undone.
      </p>
      <SaveFooter state={saveState} label="Save merge rules" />
    </form>
  );
}
