import fc from 'fast-check';
// The SDK's own signer, so the sandbox's check is held to exactly what tencentcloud-sdk-nodejs sends.
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';
import { sdkJson, tc3Problem } from './tencent-tc3';

const keys = { secretId: 'AKIDspec', secretKey: 'spec-secret-key' };
const NOW = Date.parse('2026-12-07T02:00:00Z');

function signed(payload: Record<string, unknown>, over: { timestamp?: number; secretKey?: string } = {}) {
  const timestamp = over.timestamp ?? Math.floor(NOW / 1000);
  const url = 'http://127.0.0.1:3010/tencent/';
  const headers = { 'Content-Type': 'application/json' };
  const authorization = Sign.sign3({
    method: 'POST',
    url,
    payload,
    timestamp,
    service: '127',
    secretId: keys.secretId,
    secretKey: over.secretKey ?? keys.secretKey,
    multipart: false,
    boundary: undefined,
    headers,
  } as never);
  return {
    method: 'POST',
    url: '/tencent/',
    headers: {
      host: '127.0.0.1:3010',
      'content-type': 'application/json',
      'x-tc-timestamp': String(timestamp),
      'x-tc-action': 'SendSms',
      authorization,
    },
    body: sdkJson(payload),
  };
}

describe('TC3-HMAC-SHA256 as the sandbox checks it', () => {
  const payload = {
    PhoneNumberSet: ['+8613800138000'],
    TemplateParamSet: ['4242', '星巴克'],
    SessionContext: 'a',
  };

  it('accepts what the SDK signs, body re-serialised as the SDK serialises it', () => {
    expect(tc3Problem(signed(payload), keys, NOW)).toBeNull();
    // json-bigint escapes these; JSON.stringify does not.
    expect(tc3Problem(signed({ t: '8:21\u202fPM\u2028\u00ad\ufeff\u0085' }), keys, NOW)).toBeNull();
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(text, fc.oneof(text, fc.integer(), fc.array(text))), (p) => {
        expect(tc3Problem(signed(p), keys, NOW)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('refuses another key, a changed body, a stale time, a missing header', () => {
    expect(tc3Problem(signed(payload, { secretKey: 'other' }), keys, NOW)?.code).toBe(
      'AuthFailure.SignatureFailure',
    );
    const tampered = { ...signed(payload), body: sdkJson({ ...payload, SessionContext: 'b' }) };
    expect(tc3Problem(tampered, keys, NOW)?.code).toBe('AuthFailure.SignatureFailure');
    const stale = signed(payload, { timestamp: Math.floor(NOW / 1000) - 301 });
    expect(tc3Problem(stale, keys, NOW)?.code).toBe('AuthFailure.SignatureExpire');
    expect(tc3Problem(signed(payload), { ...keys, secretId: 'AKIDother' }, NOW)?.code).toBe(
      'AuthFailure.SecretIdNotFound',
    );
    const bare = signed(payload);
    delete (bare.headers as Record<string, string>).authorization;
    expect(tc3Problem(bare, keys, NOW)?.code).toBe('AuthFailure.InvalidAuthorization');
  });
});
