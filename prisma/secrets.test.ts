// Secret key parsing and loading, and the AES-256-GCM format: what decrypts, and everything that must not.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DecryptError, decryptJson, encryptJson, loadSecretKey, parseSecretKey, SecretKeyError } from './secrets.js';

const KEY = randomBytes(32);

describe('parseSecretKey', () => {
  it('reads 64 hex characters and base64 (standard or URL-safe, padding optional), trimmed', () => {
    for (const raw of [
      KEY.toString('hex'),
      KEY.toString('hex').toUpperCase(),
      KEY.toString('base64'),
      KEY.toString('base64url'),
      `${KEY.toString('base64')}\n`,
    ]) {
      expect(parseSecretKey(raw).equals(KEY), raw).toBe(true);
    }
  });

  it('refuses anything that is not exactly 32 bytes, naming the variable', () => {
    const bad = [
      '',
      'secret',
      KEY.toString('hex').slice(1),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      `${KEY.toString('base64').slice(0, 40)}!!!!`,
    ];
    for (const raw of bad) expect(() => parseSecretKey(raw), raw).toThrow(SecretKeyError);
    expect(() => parseSecretKey('short')).toThrow(/CONFLUO_SECRET_KEY must be 32 random bytes/);
  });
});

describe('loadSecretKey', () => {
  let dir: string;
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'confluo-key-')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the configured key and writes nothing', () => {
    fresh();
    expect(loadSecretKey({ configured: KEY, dataDir: join(dir, 'data'), embedded: true })).toEqual({
      key: KEY,
      source: 'env',
    });
    expect(() => statSync(join(dir, 'data'))).toThrow();
  });

  it('embedded: generates a key into DATA_DIR/secret.key (0600) and reuses it on later starts', () => {
    fresh();
    const dataDir = join(dir, 'nested', 'data');
    const first = loadSecretKey({ dataDir, embedded: true });
    if (first.source === 'none') throw new Error('embedded mode must always have a key');
    expect(first.source).toBe('generated');
    expect(first.key).toHaveLength(32);
    const path = join(dataDir, 'secret.key');
    expect(first.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(path, 'utf8')).equals(first.key)).toBe(true);
    const again = loadSecretKey({ dataDir, embedded: true });
    expect(again.source).toBe('file');
    expect(again.key?.equals(first.key)).toBe(true);
  });

  it('embedded: a damaged key file is an error naming the file, and is not replaced', () => {
    fresh();
    writeFileSync(join(dir, 'secret.key'), 'garbage\n');
    expect(() => loadSecretKey({ dataDir: dir, embedded: true })).toThrow(
      new RegExp(`${join(dir, 'secret.key')} must be 32 random bytes`),
    );
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe('garbage\n');
  });

  it('external database without a key: no key, a warning saying to set CONFLUO_SECRET_KEY, and nothing generated', () => {
    fresh();
    const res = loadSecretKey({ dataDir: dir, embedded: false });
    expect(res.source).toBe('none');
    expect(res.key).toBeUndefined();
    expect(res.source === 'none' && res.warning).toMatch(
      /CONFLUO_SECRET_KEY is not set.*other replicas unable to decrypt/,
    );
    expect(() => statSync(join(dir, 'secret.key'))).toThrow();
  });
});

describe('encryptJson / decryptJson', () => {
  const value = { token: 'tok-123456789', nested: { n: 1, list: [true, null, 'é'] } };

  it('round-trips JSON as version ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag, with a fresh IV each time', () => {
    const a = encryptJson(KEY, 'cha_1', value);
    const b = encryptJson(KEY, 'cha_1', value);
    expect(a[0]).toBe(1);
    expect(a.length).toBe(1 + 12 + Buffer.byteLength(JSON.stringify(value)) + 16);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.includes('tok-123456789')).toBe(false);
    expect(decryptJson(KEY, 'cha_1', a)).toEqual(value);
    expect(decryptJson(KEY, 'cha_1', new Uint8Array(b))).toEqual(value);
  });

  it('refuses another key, another AAD, and any altered byte (version, IV, ciphertext, tag) or truncation', () => {
    const sealed = encryptJson(KEY, 'cha_1', value);
    expect(() => decryptJson(randomBytes(32), 'cha_1', sealed)).toThrow(DecryptError);
    expect(() => decryptJson(KEY, 'cha_2', sealed)).toThrow(/cannot decrypt/);
    for (const at of [0, 1, 12, 13, sealed.length - 17, sealed.length - 16, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      expect(() => decryptJson(KEY, 'cha_1', bad), `byte ${at}`).toThrow(DecryptError);
    }
    expect(() => decryptJson(KEY, 'cha_1', sealed.subarray(0, 28))).toThrow(/truncated/);
    expect(() => decryptJson(KEY, 'cha_1', sealed.subarray(0, sealed.length - 1))).toThrow(DecryptError);
  });
});
