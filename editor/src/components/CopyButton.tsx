// A Copy button for a URL or a snippet. The async clipboard exists only on secure pages (HTTPS, localhost); a
// self-hosted Confluo on plain HTTP falls back to the older copy command.
import { useEffect, useState } from 'react';

async function copyText(text: string): Promise<boolean> {
  try {
    if (window.isSecureContext && navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // denied: try the older way
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <>
      <button
        type="button"
        aria-label={label}
        onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
      >
        {state === 'copied' ? 'Copied ✓' : 'Copy'}
      </button>
      <span role="status" className={state === 'failed' ? 'error copy-status' : 'sr-only'}>
        {state === 'copied'
          ? 'Copied'
          : state === 'failed'
            ? 'Copying failed: select the text and copy it by hand.'
            : ''}
      </span>
    </>
  );
}
