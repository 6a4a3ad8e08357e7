import { createHash, createHmac } from 'node:crypto';
import type { AlgorithmTypes } from '@vonage/auth';
import { SMS } from '@vonage/sms';
import {
  signVonageParams,
  VONAGE_SIGNATURE_METHODS,
  VonageSignatureMethod,
  verifyVonageSignature,
  vonageSignatureBase,
} from './vonage-signature';

const SECRET = 'signature-secret-123';
const dlr = {
  msisdn: '447700900000',
  to: 'AlertlineBk',
  'network-code': '23410',
  messageId: '0A0000001234ABCD',
  price: '0.03330000',
  status: 'delivered',
  scts: '2401011200',
  'err-code': '0',
  'client-ref': 'attempt=1&x',
  'message-timestamp': '2024-01-01 12:00:00',
  timestamp: '1704110400',
  nonce: 'a1b2c3',
};

const SDK_ALGORITHMS: Record<VonageSignatureMethod, AlgorithmTypes> = {
  md5hash: 'MD5HASH' as AlgorithmTypes.md5hash,
  md5: 'MD5HMAC' as AlgorithmTypes.md5hmac,
  sha1: 'SHA1HMAC' as AlgorithmTypes.sha1hmac,
  sha256: 'SHA256HMAC' as AlgorithmTypes.sha256hmac,
  sha512: 'SHA512HMAC' as AlgorithmTypes.sha512hmac,
};
const sdk = new SMS({ apiKey: 'k', apiSecret: 's', privateKey: '' });

describe('vonage signature', () => {
  it('builds the base string from sorted keys, without sig, with & and = in values replaced', () => {
    const base = vonageSignatureBase({ b: 'x=y', a: '1&2', sig: 'ignored', c: undefined });
    expect(base).toBe('&a=1_2&b=x_y');
  });

  it('matches a hand-computed HMAC-SHA256 and MD5 hash', () => {
    const base = vonageSignatureBase(dlr);
    expect(signVonageParams(dlr, SECRET, 'sha256')).toBe(
      createHmac('sha256', SECRET).update(base).digest('hex'),
    );
    expect(signVonageParams(dlr, SECRET, 'md5hash')).toBe(
      createHash('md5')
        .update(base + SECRET)
        .digest('hex'),
    );
  });

  it.each(VONAGE_SIGNATURE_METHODS)('%s: the @vonage/sms verifier accepts it, and so do we', (method) => {
    const sig = signVonageParams(dlr, SECRET, method);
    expect(sdk.verifySignature(sig, dlr, SECRET, SDK_ALGORITHMS[method])).toBe(true);
    expect(verifyVonageSignature({ ...dlr, sig }, SECRET, method)).toBe(true);
    expect(verifyVonageSignature({ ...dlr, sig: sig.toUpperCase() }, SECRET, method)).toBe(true);
  });

  it('rejects a tampered field, a wrong secret, a wrong method and a missing sig', () => {
    const sig = signVonageParams(dlr, SECRET, 'sha256');
    expect(verifyVonageSignature({ ...dlr, status: 'failed', sig }, SECRET, 'sha256')).toBe(false);
    expect(verifyVonageSignature({ ...dlr, sig }, 'other-secret', 'sha256')).toBe(false);
    expect(verifyVonageSignature({ ...dlr, sig }, SECRET, 'sha512')).toBe(false);
    expect(verifyVonageSignature({ ...dlr }, SECRET, 'sha256')).toBe(false);
    expect(verifyVonageSignature({ ...dlr, sig: 'zz' }, SECRET, 'sha256')).toBe(false);
  });
});
