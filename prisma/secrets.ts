// Secrets at rest (channel-account credentials): AES-256-GCM under one 32-byte key, CONFLUO_SECRET_KEY. It lives in
// prisma/, not server/, because the worker decrypts too (connector actions get the credentials) and the worker may
// import prisma/ but never server/.
//
// Stored bytes: version (1) ‖ IV (12, random per encryption) ‖ ciphertext ‖ tag (16). The caller's `aad` (a row id) is
// authenticated, so a ciphertext copied into another row does not decrypt there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_KEY_VAR = 'CONFLUO_SECRET_KEY';
export const SECRET_KEY_FILE = 'secret.key';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A missing or malformed key: a configuration problem the operator fixes (the message says how). */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** Bytes that do not decrypt: wrong key, altered bytes, or a ciphertext of another row. Never garbage instead. */
export class DecryptError extends Error {
  override name = 'DecryptError';
}

/** 64 hex characters or base64 (standard or URL-safe, padding optional) of exactly 32 bytes. */
export function parseSecretKey(raw: string, source = SECRET_KEY_VAR): Buffer {
  const s = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  // Node's base64 decoder skips characters it does not know, so check the alphabet first.
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    const key = Buffer.from(s, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new SecretKeyError(
    `${source} must be 32 random bytes as 64 hex characters or base64 (e.g. \`openssl rand -base64 32\`); ` +
      `got ${s.length} characters that are neither`,
  );
}

export interface SecretKeyOptions {
  /** The key from CONFLUO_SECRET_KEY, already parsed. */
  configured?: Buffer;
  dataDir: string;
  /** Embedded database (no DATABASE_URL): one process, so a generated key kept under dataDir is safe. */
  embedded: boolean;
}

/**
 * The key to use: the configured one; else, embedded, the one kept in `<dataDir>/secret.key` (created, mode 0600, on
 * first start). With an external database there is no safe default (each replica would generate its own and could
 * not read what the others wrote): no key, and a warning to say so; credential storage then answers 503 until
 * CONFLUO_SECRET_KEY is set, while everything else works.
 */
export function loadSecretKey(
  opts: SecretKeyOptions,
):
  | { key: Buffer; source: 'env' | 'file' | 'generated'; path?: string }
  | { key?: undefined; source: 'none'; warning: string } {
  if (opts.configured) return { key: opts.configured, source: 'env' };
  if (!opts.embedded) {
    return {
      source: 'none',
      warning:
        `${SECRET_KEY_VAR} is not set, so channel accounts (stored credentials) are unavailable: set it (e.g. ` +
        '`openssl rand -base64 32`), the same on every server and worker; with DATABASE_URL set, a key generated per ' +
        'process would leave the other replicas unable to decrypt stored credentials',
    };
  }
  const path = join(opts.dataDir, SECRET_KEY_FILE);
  mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // `wx`: never overwrite a key that exists (that would orphan every stored credential).
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, source: 'generated', path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { key: parseSecretKey(readFileSync(path, 'utf8'), path), source: 'file', path };
}

export function encryptJson(key: Buffer, aad: string, value: unknown): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]);
}

export function decryptJson<T = unknown>(key: Buffer, aad: string, bytes: Uint8Array): T {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 1 + IV_BYTES + TAG_BYTES) throw new DecryptError('encrypted value is truncated');
  if (buf[0] !== VERSION) throw new DecryptError(`encrypted value has unknown format version ${buf[0]}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptError(
      `cannot decrypt: not encrypted with this ${SECRET_KEY_VAR}, altered, or belonging to another record`,
    );
  }
  return JSON.parse(plain.toString('utf8')) as T;
}
