import { createHash } from 'node:crypto';
import { OpenApiUtil } from '@alicloud/openapi-core';
import fc from 'fast-check';
import { NonceMemory, verifyAcs3 } from './aliyun-signature';

// The request as @alicloud/openapi-core builds it for SendSms, signed by the SDK's own getAuthorization:
// the sandbox's check must agree with the real signer, byte for byte.
const account = { accessKeyId: 'LTAIkey', accessKeySecret: 'the-secret' };
const now = Date.parse('2026-12-07T02:00:00Z');

function sdkRequest(query: Record<string, string>, secret = account.accessKeySecret) {
  const headers: Record<string, string> = {
    host: '127.0.0.1:3010',
    'x-acs-version': '2017-05-25',
    'x-acs-action': 'SendSms',
    'user-agent': 'AlibabaCloud (linux; x64) Node.js/v24 Core/1.0.1 TeaDSL/2',
    'x-acs-date': '2026-12-07T02:00:00Z',
    'x-acs-signature-nonce': 'abc123',
    accept: 'application/json',
    'x-acs-content-sha256': createHash('sha256').update('').digest('hex'),
  };
  headers.authorization = OpenApiUtil.getAuthorization(
    { pathname: '/', method: 'POST', query, headers } as never,
    'ACS3-HMAC-SHA256',
    headers['x-acs-content-sha256'],
    account.accessKeyId,
    secret,
  );
  return { method: 'POST', path: '/', query: Object.entries(query), headers, body: Buffer.alloc(0) };
}

const sendSms = {
  PhoneNumbers: '13800138000',
  SignName: 'Alertline Bank',
  TemplateCode: 'SMS_900000001',
  TemplateParam: JSON.stringify({
    merchant: "星巴克 (上海)!'*~",
    amount: 'CNY 88.00',
    phone: '+44 20 7946 0000',
  }),
  OutId: 'c7b1f4b0-5d0e-4b35-9a55-4f7c0e0d2a11',
};

describe('ACS3-HMAC-SHA256 as the sandbox checks it', () => {
  it('accepts what the SDK signs, whatever the parameter values', () => {
    expect(verifyAcs3(sdkRequest(sendSms), account, now)).toMatchObject({ ok: true, nonce: 'abc123' });
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/), fc.string()), (query) => {
        expect(verifyAcs3(sdkRequest(query), account, now).ok).toBe(true);
      }),
    );
  });

  it('refuses another secret, a changed parameter, another key id, a stale date or a body', () => {
    expect(verifyAcs3(sdkRequest(sendSms, 'wrong'), account, now)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    const tampered = sdkRequest(sendSms);
    tampered.query = tampered.query.map(([k, v]) => [k, k === 'PhoneNumbers' ? '13900139000' : v]);
    expect(verifyAcs3(tampered, account, now)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifyAcs3(sdkRequest(sendSms), { ...account, accessKeyId: 'other' }, now)).toMatchObject({
      status: 404,
      code: 'InvalidAccessKeyId.NotFound',
    });
    expect(verifyAcs3(sdkRequest(sendSms), account, now + 16 * 60_000)).toMatchObject({
      code: 'InvalidTimeStamp.Expired',
    });
    expect(verifyAcs3({ ...sdkRequest(sendSms), body: Buffer.from('x') }, account, now)).toMatchObject({
      code: 'IncompleteSignature',
    });
    const unsigned = sdkRequest(sendSms);
    delete unsigned.headers.authorization;
    expect(verifyAcs3(unsigned, account, now)).toMatchObject({ status: 400, code: 'IncompleteSignature' });
  });

  it('remembers nonces for the date window', () => {
    const nonces = new NonceMemory(3);
    expect(nonces.remember('a', now)).toBe(true);
    expect(nonces.remember('a', now + 1000)).toBe(false);
    expect(nonces.remember('a', now + 16 * 60_000)).toBe(true);
    for (const n of ['b', 'c', 'd', 'e']) expect(nonces.remember(n, now + 16 * 60_000)).toBe(true);
  });
});
