// The process configuration from the environment: what start-up refuses, naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('takes allowlist entries with and without ports', () => {
    expect(() =>
      loadConfig({ CONFLUO_HTTP_ALLOWLIST: 'db.internal, db.internal:8080, 10.0.0.0/8, [fd00::1]:80, ::1' }),
    ).not.toThrow();
  });

  it('refuses allowlist entries that mean nothing, naming each', () => {
    const load = () => loadConfig({ CONFLUO_HTTP_ALLOWLIST: 'ok.host, http://x.test, host:99999' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CONFLUO_HTTP_ALLOWLIST: "http:\/\/x.test", "host:99999" is not a host/);
  });

  it('reads the Temporal deadline, 2 s by default, and refuses one that means nothing', () => {
    expect(loadConfig({}).temporalDeadlineMs).toBe(2000);
    expect(loadConfig({ CONFLUO_TEMPORAL_DEADLINE_MS: '750' }).temporalDeadlineMs).toBe(750);
    for (const bad of ['0', '50', '2s', '-1'])
      expect(() => loadConfig({ CONFLUO_TEMPORAL_DEADLINE_MS: bad })).toThrow(/CONFLUO_TEMPORAL_DEADLINE_MS must be/);
  });
});
