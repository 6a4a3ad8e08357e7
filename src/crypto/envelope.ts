import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES } from '../config/data-protection.settings';

// AES-256-GCM throughout: a 96-bit random IV (NIST SP 800-38D's recommended size; one data key seals at
// most the few values of one row, far below the 2^32 messages per key random IVs allow) and the full
// 128-bit tag. node:crypto is OpenSSL's implementation, AES-NI accelerated, kept with Node itself.
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The first byte of every sealed value: its format, so a later format can be read beside this one. */
const FORMAT_V1 = 1;

/** A value or wrapped key that does not authenticate: altered, truncated, moved to another row or column. */
export class DataTamperedError extends Error {
  override readonly name = 'DataTamperedError';
}

/** A value sealed under a key id this process is not configured with (retired too early, or a typo). */
export class DataKeyUnknownError extends Error {
  override readonly name = 'DataKeyUnknownError';
}

// randomBytes costs a call into OpenSSL's generator each time (as much as the encryption of a value):
// drawn 4 KB at a time, one draw serves some sixty rows. Each pool is used once, front to back, and
// replaced, never refilled in place, so no two values share bytes.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

export function newDataKey(): Buffer {
  return random(DATA_KEY_BYTES);
}

function seal(key: Buffer, aad: string, plaintext: Buffer): Buffer {
  const iv = random(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, aad: string, sealed: Buffer, what: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) {
    throw new DataTamperedError(`${what}: not a sealed value (format or length)`);
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DataTamperedError(`${what}: authentication failed (altered, or sealed for another place)`);
  }
}

// The key id is authenticated with the wrapped key: relabelling a row with another key id fails.
const wrapAad = (keyId: string) => `alertline/data-key/v1/${keyId}`;

/** A row's data key sealed under the key-encryption key `keyId`. */
export function wrapDataKey(kek: Buffer, keyId: string, dataKey: Buffer): Buffer {
  return seal(kek, wrapAad(keyId), dataKey);
}

export function unwrapDataKey(kek: Buffer, keyId: string, wrapped: Buffer): Buffer {
  const key = open(kek, wrapAad(keyId), wrapped, `data key under ${keyId}`);
  if (key.length !== DATA_KEY_BYTES) throw new DataTamperedError(`data key under ${keyId}: wrong length`);
  return key;
}

/** `place` (table, column, row id) is the additional data: a value copied elsewhere does not open. */
export function encryptValue(dataKey: Buffer, place: string, plaintext: string): Buffer {
  return seal(dataKey, place, Buffer.from(plaintext, 'utf8'));
}

export function decryptValue(dataKey: Buffer, place: string, sealed: Buffer): string {
  return open(dataKey, place, sealed, place.split(':')[0]).toString('utf8');
}
