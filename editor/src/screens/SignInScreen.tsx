import { useState, type FormEvent } from 'react';
import { createApi } from '../api/client.js';
import { saveKey } from '../session.js';

/** Sign-in with an API key; the key is checked by listing flows before it is kept for the session. */
export function SignInScreen({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const k = key.trim();
    if (!k) return setError('Enter the API key printed when Confluo first started (or your CONFLUO_API_KEY).');
    setBusy(true);
    setError(null);
    try {
      await createApi(k).listFlows();
      saveKey(k);
      onSignedIn(k);
    } catch (err) {
      setError(
        (err as { status?: number }).status === 401
          ? 'That key was not accepted. Check it and try again.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form onSubmit={submit} className="card" aria-labelledby="signin-title">
        <h1 id="signin-title">Confluo</h1>
        <p>Sign in with your API key to build and run flows.</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={!!error}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        {error && (
          <p id="signin-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
