import {
  PermanentRecipientError,
  ProviderTimeoutError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';
import { ProviderMessageStatus as P } from '../provider.interface';
import {
  mapTencentCode,
  mapTencentError,
  mapTencentReportStatus,
  mapTencentSendRecordStatus,
} from './tencent.codes';

describe('tencent code mapping', () => {
  it.each([
    'InvalidParameterValue.IncorrectPhoneNumber',
    'FailedOperation.PhoneNumberParseFail',
    'FailedOperation.PhoneNumberInBlacklist',
  ])('%s blames the number', (code) => {
    const err = mapTencentCode(code, 'x');
    expect(err).toBeInstanceOf(PermanentRecipientError);
    expect(err).toMatchObject({ provider: 'tencent', code, message: `${code}: x` });
  });

  it.each([
    'LimitExceeded.PhoneNumberThirtySecondLimit',
    'LimitExceeded.PhoneNumberOneHourLimit',
    'LimitExceeded.PhoneNumberDailyLimit',
    'LimitExceeded.PhoneNumberSameContentDailyLimit',
    'LimitExceeded.DeliveryFrequencyLimit',
    'LimitExceeded.AppDailyLimit',
    'LimitExceeded.DailyLimit',
    'RequestLimitExceeded',
  ])('%s is a rate limit', (code) => {
    expect(mapTencentCode(code)).toBeInstanceOf(RateLimitedError);
  });

  it.each([
    'InternalError.Timeout',
    'InternalError.OtherError',
    'AuthFailure.SignatureFailure',
    'FailedOperation.TemplateIncorrectOrUnapproved',
    'FailedOperation.SignatureIncorrectOrUnapproved',
    'FailedOperation.InsufficientBalanceInSmsPackage',
    'UnauthorizedOperation.SmsSdkAppIdVerifyFail',
    'LimitExceeded.AppCountryOrRegionInBlacklist',
    'SomethingNew.NeverSeen',
  ])('%s is about our account or Tencent: transient', (code) => {
    const err = mapTencentCode(code);
    expect(err).toBeInstanceOf(TransientProviderError);
    expect(err).not.toBeInstanceOf(PermanentRecipientError);
  });

  it('reads the SDK exception: a request-level code, an HTTP status, a socket error, our abort', () => {
    const withCode = Object.assign(new Error('单个手机号30秒内下发短信条数超过设定的上限'), {
      code: 'LimitExceeded.PhoneNumberThirtySecondLimit',
    });
    expect(mapTencentError(withCode, false)).toBeInstanceOf(RateLimitedError);
    expect(
      mapTencentError(Object.assign(new Error('Too Many Requests'), { httpCode: 429 }), false),
    ).toMatchObject({
      kind: 'rate-limited',
      code: 'HTTP_429',
    });
    expect(
      mapTencentError(Object.assign(new Error('Internal Server Error'), { httpCode: 503 }), false),
    ).toMatchObject({ kind: 'transient', code: 'HTTP_503' });
    const reset = new Error('request to http://127.0.0.1:1/tencent/ failed, reason: read ECONNRESET');
    expect(mapTencentError(reset, false)).toMatchObject({ kind: 'transient', code: 'NETWORK' });
    expect(mapTencentError(reset, false)).not.toBeInstanceOf(ProviderTimeoutError);
    // Whatever the SDK made of it, our own abort is a timeout: Tencent may have the message.
    expect(mapTencentError(new Error('The user aborted a request.'), true)).toBeInstanceOf(
      ProviderTimeoutError,
    );
    expect(mapTencentError(withCode, true)).toBeInstanceOf(ProviderTimeoutError);
  });

  it('masks a phone number the vendor quotes in its message', () => {
    const err = mapTencentCode('InvalidParameterValue.IncorrectPhoneNumber', 'phone +8613800138000 is wrong');
    expect(err.message).not.toContain('13800138000');
  });

  it('maps report and record statuses', () => {
    expect(mapTencentReportStatus('SUCCESS')).toBe(P.DELIVERED);
    expect(mapTencentReportStatus('FAIL')).toBe(P.UNDELIVERED);
    expect(mapTencentReportStatus('')).toBe(P.SENT);
    expect(mapTencentSendRecordStatus(1)).toBe(P.FAILED);
    expect(mapTencentSendRecordStatus(2)).toBe(P.DELIVERED);
    expect(mapTencentSendRecordStatus(3)).toBe(P.SENT);
    expect(mapTencentSendRecordStatus(4)).toBe(P.UNDELIVERED);
    expect(mapTencentSendRecordStatus(undefined)).toBe(P.SENT);
  });
});
