import fc from 'fast-check';
import { testCipher } from './testing/test-cipher';
import {
  DataKeyUnknownError,
  DataTamperedError,
  decryptValue,
  encryptValue,
  newDataKey,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const rotated = { DATA_KEYS: `k1:${key(1)},k2:${key(2)}`, DATA_KEY_CURRENT: 'k2' };

describe('envelope encryption', () => {
  it('round-trips any text, also zh-CN and emoji, under a fresh data key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.uuid(), (text, id) => {
        const dek = newDataKey();
        const place = `notifications.body:${id}`;
        const sealed = encryptValue(dek, place, text);
        // A plain text of 8 bytes or more inside ~30+ random-looking bytes would be a leak, not chance (a
        // shorter one may turn up by chance: one byte does in about one sealed value in ten).
        if (Buffer.byteLength(text) >= 8) expect(sealed.includes(Buffer.from(text))).toBe(false);
        expect(decryptValue(dek, place, sealed)).toBe(text);
      }),
    );
  });

  it('detects any flipped bit, truncation, a value moved to another row or column, a wrong key', () => {
    const dek = newDataKey();
    const sealed = encryptValue(dek, 'notifications.phone:a', '+447700900123');
    fc.assert(
      fc.property(fc.nat(sealed.length * 8 - 1), (bit) => {
        const bad = Buffer.from(sealed);
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(() => decryptValue(dek, 'notifications.phone:a', bad)).toThrow(DataTamperedError);
      }),
    );
    expect(() => decryptValue(dek, 'notifications.phone:a', sealed.subarray(0, 20))).toThrow(
      DataTamperedError,
    );
    expect(() => decryptValue(dek, 'notifications.phone:b', sealed)).toThrow(DataTamperedError);
    expect(() => decryptValue(dek, 'notifications.body:a', sealed)).toThrow(DataTamperedError);
    expect(() => decryptValue(newDataKey(), 'notifications.phone:a', sealed)).toThrow(DataTamperedError);
  });

  it('binds a wrapped data key to its key id: relabelled, it does not open', () => {
    const kek = Buffer.alloc(32, 3);
    const dek = newDataKey();
    const wrapped = wrapDataKey(kek, 'k1', dek);
    expect(unwrapDataKey(kek, 'k1', wrapped).equals(dek)).toBe(true);
    expect(() => unwrapDataKey(kek, 'k2', wrapped)).toThrow(DataTamperedError);
  });
});

describe('DataCipher', () => {
  it('seals a row under the current key and opens it, the id stored beside it', () => {
    const cipher = testCipher(rotated);
    const sealed = cipher.seal('notifications', 'n1', { phone: '+8613800138000', body: '您尾号4242的卡' });
    expect(sealed.keyId).toBe('k2');
    const row = {
      data_key_id: sealed.keyId,
      wrapped_key: sealed.wrappedKey,
      phone_enc: sealed.phone,
      body_enc: sealed.body,
      phone_e164: null,
      body: null,
    };
    expect(cipher.open('notifications', 'n1', row)).toEqual({
      phone: '+8613800138000',
      body: '您尾号4242的卡',
    });
    expect(() => cipher.open('contacts', 'n1', row)).toThrow(DataTamperedError);
  });

  it('re-wraps a row of the old key with the current one; the values stay as they were sealed', () => {
    const before = testCipher({ DATA_KEYS: `k1:${key(1)}` });
    const sealed = before.seal('contacts', 'ch-1', { phone: '+447700900123', body: null });
    const after = testCipher(rotated);
    const { keyId, wrappedKey } = after.rewrap(sealed.keyId, sealed.wrappedKey);
    expect(keyId).toBe('k2');
    const row = { data_key_id: keyId, wrapped_key: wrappedKey, phone_enc: sealed.phone, phone_e164: null };
    expect(after.open('contacts', 'ch-1', row).phone).toBe('+447700900123');
    // k1 retired: a row still under it is reported, never opened as something else.
    expect(() => testCipher({ DATA_KEYS: `k2:${key(2)}` }).rewrap('k1', sealed.wrappedKey)).toThrow(
      DataKeyUnknownError,
    );
  });

  it('reads a row written before encryption at rest as it is', () => {
    const row = {
      data_key_id: null,
      wrapped_key: null,
      phone_enc: null,
      phone_e164: '+447700900123',
      body: 'x',
    };
    expect(testCipher().open('notifications', 'n', row)).toEqual({ phone: '+447700900123', body: 'x' });
  });

  it('hashes a number with the configured key: stable, and different under another key', () => {
    const a = testCipher();
    expect(a.phoneHash('+447700900123').equals(a.phoneHash('+447700900123'))).toBe(true);
    expect(a.phoneHash('+447700900123').equals(a.phoneHash('+447700900124'))).toBe(false);
    const b = testCipher({ DATA_HASH_KEY: key(9) });
    expect(b.phoneHash('+447700900123').equals(a.phoneHash('+447700900123'))).toBe(false);
  });
});
