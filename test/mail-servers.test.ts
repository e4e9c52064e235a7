// The mail-server harness itself: a missing Dovecot fails loudly (CI must install it), never skips.
import { describe, expect, it } from 'vitest';
import { findDovecot, startDovecot } from './mail-servers.js';

describe('mail-server harness', () => {
  it('fails with an install hint when the dovecot binary is missing', async () => {
    const before = process.env.DOVECOT_BIN;
    process.env.DOVECOT_BIN = '/nonexistent/dovecot';
    try {
      expect(findDovecot()).toBeUndefined();
      await expect(startDovecot()).rejects.toThrow(/dovecot.*not found.*apt-get install -y dovecot-imapd/s);
    } finally {
      if (before === undefined) delete process.env.DOVECOT_BIN;
      else process.env.DOVECOT_BIN = before;
    }
  });

  it('finds the installed dovecot (CI installs dovecot-imapd)', () => {
    expect(findDovecot(), 'install dovecot-imapd (see .ci/run)').toMatch(/\/dovecot$/);
  });
});
