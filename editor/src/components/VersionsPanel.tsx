import { useState } from 'react';
import type { FlowDetail } from '../api/types.js';
import { isPlatformEventType } from '../flow/platform-trigger.js';
import { TRIGGER_LABELS, type TriggerType } from '../flow/trigger.js';

/** Published versions, and the webhook URL to copy when the flow starts on a webhook. */
export function VersionsPanel({
  flow,
  trigger,
  onView,
}: {
  flow: FlowDetail;
  trigger: TriggerType;
  onView: (version: number) => void;
}) {
  const [copied, setCopied] = useState(false);
  const webhook = trigger === 'webhook';
  return (
    <div className="panel">
      <h2>Versions</h2>
      {!webhook ? (
        <p className="muted">
          This flow starts on{' '}
          {trigger === 'channel.message'
            ? 'inbound channel messages'
            : trigger === 'schedule'
              ? 'its schedule'
              : isPlatformEventType(trigger)
                ? `${TRIGGER_LABELS[trigger].toLowerCase()} events`
                : 'contact events'}
          , not on a webhook.
        </p>
      ) : flow.webhookUrl ? (
        <div className="field">
          <label htmlFor="webhook-url">Webhook URL</label>
          <div className="row">
            <input
              id="webhook-url"
              readOnly
              value={flow.webhookUrl}
              className="mono grow"
              onFocus={(e) => e.target.select()}
            />
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(flow.webhookUrl!).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <small className="muted">Requests to this URL run the latest published version.</small>
        </div>
      ) : (
        <p className="empty">Not published yet. Publish to get a webhook URL.</p>
      )}
      <ul className="versions" aria-label="Published versions">
        {[...flow.versions].reverse().map((v) => (
          <li key={v.version}>
            <button type="button" className="link" onClick={() => onView(v.version)}>
              Version {v.version}
            </button>{' '}
            <span className="muted">{new Date(v.createdAt).toLocaleString()}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
