import { besidePlace, DataTamperedError } from './data-cipher';
import { testCipher } from './testing/test-cipher';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const K1 = { DATA_KEYS: `k1:${key(1)}` };
const K1K2 = { DATA_KEYS: `k1:${key(1)},k2:${key(2)}`, DATA_KEY_CURRENT: 'k2' };

describe('DataCipher: values sealed beside an alert, under its data key', () => {
  const alert = { phone: '+447911123456', body: 'Card ending 1234 used at CAFE', params: '[{"name":"m"}]' };

  it('opens a handset text under the alert’s key, and only in its own place', () => {
    const cipher = testCipher(K1);
    const sealed = cipher.seal('notifications', 'n1', alert);
    const owner = { data_key_id: sealed.keyId, wrapped_key: sealed.wrappedKey };
    const enc = cipher.sealBeside(owner, besidePlace.handsetText('a1'), '【Sign】text');
    expect(cipher.openBeside(owner, besidePlace.handsetText('a1'), enc)).toBe('【Sign】text');
    expect(() => cipher.openBeside(owner, besidePlace.handsetText('a2'), enc)).toThrow(DataTamperedError);
    expect(() => cipher.openBeside(owner, besidePlace.reversalTemplate('a1'), enc)).toThrow(
      DataTamperedError,
    );
    const other = cipher.seal('notifications', 'n2', alert);
    const otherOwner = { data_key_id: other.keyId, wrapped_key: other.wrappedKey };
    expect(() => cipher.openBeside(otherOwner, besidePlace.handsetText('a1'), enc)).toThrow(
      DataTamperedError,
    );
  });

  it('keeps them readable through a re-wrap and a resend (sealAgain keeps the data key, under the current key)', () => {
    const k1 = testCipher(K1);
    const sealed = k1.seal('notifications', 'n1', alert);
    const owner = { data_key_id: sealed.keyId, wrapped_key: sealed.wrappedKey };
    const enc = k1.sealBeside(owner, besidePlace.handsetText('a1'), 'handset');

    const k2 = testCipher(K1K2);
    const rewrapped = k2.rewrap(owner.data_key_id, owner.wrapped_key);
    const afterWalk = { data_key_id: rewrapped.keyId, wrapped_key: rewrapped.wrappedKey };
    expect(k2.openBeside(afterWalk, besidePlace.handsetText('a1'), enc)).toBe('handset');

    const resent = k2.sealAgain('notifications', 'n1', afterWalk, { ...alert, phone: '+447700900123' });
    expect(resent.keyId).toBe('k2');
    const afterResend = { data_key_id: resent.keyId, wrapped_key: resent.wrappedKey };
    expect(k2.openBeside(afterResend, besidePlace.handsetText('a1'), enc)).toBe('handset');
    const row = {
      ...afterResend,
      phone_enc: resent.phone,
      body_enc: resent.body,
      template_params_enc: resent.params,
      phone_e164: null,
    };
    expect(k2.open('notifications', 'n1', row)).toEqual({ ...alert, phone: '+447700900123' });
  });

  it('opens template params, plain on a row from before they were sealed, and leaves them out where none', () => {
    const cipher = testCipher(K1);
    const plain = { data_key_id: null, wrapped_key: null, phone_enc: null, phone_e164: '+447911123456' };
    expect(
      cipher.open('notifications', 'n', { ...plain, body: 'b', template_params: [{ name: 'm' }] }),
    ).toEqual({
      phone: '+447911123456',
      body: 'b',
      params: '[{"name":"m"}]',
    });
    expect(cipher.open('contacts', 'ch', plain)).toEqual({ phone: '+447911123456', body: null });
    expect(() => cipher.sealBeside(plain, besidePlace.handsetText('a'), 'x')).toThrow(DataTamperedError);
  });
});
