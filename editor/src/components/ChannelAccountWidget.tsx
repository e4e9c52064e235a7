import type { WidgetProps } from '@rjsf/utils';
import { useState } from 'react';
import type { AccountsState } from '../screens/use-channel-accounts.js';

/** What the action form lends its widgets: the workspace's accounts and the action's connector. */
export interface FormContext {
  accounts: AccountsState;
  connector: string;
}

const OTHER = '\u0000other';

/**
 * `x-ui: { widget: 'channel-account' }`: a choice among the workspace's accounts of the action's connector, or a
 * typed value (a `{{ template }}`, or the id of an account this list does not show).
 */
export function ChannelAccountWidget(props: WidgetProps) {
  const { accounts, connector } = props.registry.formContext as FormContext;
  const mine = accounts.items.filter((a) => a.connector === connector);
  const value = typeof props.value === 'string' ? props.value : '';
  const listed = mine.some((a) => a.id === value);
  const [typing, setTyping] = useState(() => value !== '' && !listed);
  const other = typing || (value !== '' && !listed);
  const set = (v: string) => props.onChange(v === '' ? undefined : v);
  return (
    <div className="account-widget">
      <select
        id={props.id}
        value={other ? OTHER : value}
        disabled={props.disabled || props.readonly}
        onChange={(e) => {
          const v = e.target.value;
          setTyping(v === OTHER);
          if (v !== OTHER) set(v);
        }}
      >
        <option value="">{accounts.loading ? 'Loading accounts…' : 'Choose an account…'}</option>
        {mine.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
        <option value={OTHER}>Another id or a template…</option>
      </select>
      {other && (
        <input
          id={`${props.id}-typed`}
          type="text"
          className="mono"
          aria-label={`${props.label || 'Channel account'} (id or template)`}
          placeholder="{{ trigger.accountId }}"
          value={value}
          disabled={props.disabled || props.readonly}
          onChange={(e) => set(e.target.value)}
        />
      )}
      {accounts.error ? (
        <small className="error">Channel accounts could not be loaded: {accounts.error}</small>
      ) : (
        !accounts.loading &&
        mine.length === 0 && (
          <small className="muted">This workspace has no {connector} account yet: connect one under Channels.</small>
        )
      )}
    </div>
  );
}
