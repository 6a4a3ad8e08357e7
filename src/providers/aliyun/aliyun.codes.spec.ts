import {
  CannotSendMessageError,
  PermanentRecipientError,
  ProviderTimeoutError,
  SendOutcomeUnknownError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';
import { ProviderMessageStatus as P } from '../provider.interface';
import {
  aliyunSegments,
  mapAliyunCode,
  mapAliyunError,
  mapAliyunReport,
  mapAliyunSendStatus,
} from './aliyun.codes';

describe('Aliyun codes', () => {
  it.each(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.CUSTOMER_REFUSED'])('%s is permanent', (code) => {
    const err = mapAliyunCode(code, 'no');
    expect(err).toBeInstanceOf(PermanentRecipientError);
    expect(err).toMatchObject({ provider: 'aliyun', code });
  });

  it.each(['isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL', 'isv.MONTH_LIMIT_CONTROL'])(
    '%s is rate limited',
    (code) => expect(mapAliyunCode(code, 'limit')).toBeInstanceOf(RateLimitedError),
  );

  it.each([
    'isp.SYSTEM_ERROR',
    'isv.OUT_OF_SERVICE',
    'isv.AMOUNT_NOT_ENOUGH',
    'isv.SMS_SIGNATURE_ILLEGAL',
    'isp.RAM_PERMISSION_DENY',
    'something.new',
  ])('%s is transient (our account or request, not the number)', (code) => {
    const err = mapAliyunCode(code, 'x');
    expect(err).toBeInstanceOf(TransientProviderError);
    expect(err).not.toBeInstanceOf(ProviderTimeoutError);
  });

  // help.aliyun.com/document_detail/101347: a blacklisted keyword / URL / over-long value in a variable, or
  // a template Aliyun has not approved. The message, not the number nor Aliyun's health: next provider, no
  // breaker count, the contact is not flagged.
  it.each([
    'isv.BLACK_KEY_CONTROL_LIMIT',
    'isv.PARAM_NOT_SUPPORT_URL',
    'isv.PARAM_LENGTH_LIMIT',
    'isv.TEMPLATE_PARAMS_ILLEGAL',
    'isv.TEMPLATE_MISSING_PARAMETERS',
    'isv.SMS_TEMPLATE_ILLEGAL',
  ])('%s: Aliyun cannot send this message (not the number)', (code) => {
    const err = mapAliyunCode(code, '模板变量中存在黑名单关键字');
    expect(err).toBeInstanceOf(CannotSendMessageError);
    expect(err).not.toBeInstanceOf(PermanentRecipientError);
    expect(err).toMatchObject({ provider: 'aliyun', code, kind: 'cannot-send' });
    // The SDK's ClientError for the same code (an HTTP 4xx answer) means the same.
    const thrown = Object.assign(new Error(`${code}: x`), { name: 'ClientError', code, statusCode: 400 });
    expect(mapAliyunError(thrown)).toBeInstanceOf(CannotSendMessageError);
  });

  it('masks the number in the vendor text', () => {
    expect(mapAliyunCode('isv.MOBILE_NUMBER_ILLEGAL', 'bad number 13800138000').message).not.toContain(
      '13800138000',
    );
  });

  it('maps what the SDK throws', () => {
    const timeout = Object.assign(new Error('ReadTimeout(5000)'), { name: 'RequestTimeoutError' });
    expect(mapAliyunError(timeout)).toBeInstanceOf(ProviderTimeoutError);
    const throttled = mapAliyunError({
      name: 'ThrottlingError',
      code: 'Throttling.User',
      statusCode: 400,
      retryAfter: 1500,
    });
    expect(throttled).toBeInstanceOf(RateLimitedError);
    expect((throttled as RateLimitedError).retryAfterMs).toBe(1500);
    expect(
      mapAliyunError({ name: 'ServerError', code: 'ServiceUnavailable', statusCode: 503 }),
    ).toMatchObject({
      kind: 'transient',
      code: 'ServiceUnavailable',
    });
    expect(mapAliyunError({ name: 'ClientError', code: 'undefined', statusCode: 429 })).toBeInstanceOf(
      RateLimitedError,
    );
    expect(
      mapAliyunError({ name: 'ClientError', code: 'SignatureDoesNotMatch', statusCode: 400 }),
    ).toMatchObject({
      kind: 'transient',
      code: 'SignatureDoesNotMatch',
    });
    const reset = mapAliyunError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(reset).toMatchObject({ kind: 'transient', code: 'ECONNRESET' });
    // Aliyun may have read the request before the reset: asked before any resend.
    expect(reset).toBeInstanceOf(SendOutcomeUnknownError);
  });

  it('maps receipts and lookups onto our statuses', () => {
    expect(mapAliyunReport(true, 'DELIVERED')).toBe(P.DELIVERED);
    expect(mapAliyunReport(false, 'MK:0001')).toBe(P.UNDELIVERED);
    expect(mapAliyunSendStatus(3)).toBe(P.DELIVERED);
    expect(mapAliyunSendStatus(2)).toBe(P.UNDELIVERED);
    expect(mapAliyunSendStatus(1)).toBe(P.SENT);
  });

  it('counts parts the way Aliyun bills them: 70 characters in one, else 67 each', () => {
    expect(aliyunSegments('字'.repeat(70))).toBe(1);
    expect(aliyunSegments('字'.repeat(71))).toBe(2);
    expect(aliyunSegments('字'.repeat(134))).toBe(2);
    expect(aliyunSegments('字'.repeat(135))).toBe(3);
    // Latin letters count one each too: Aliyun does not bill mainland SMS as GSM-7.
    expect(aliyunSegments('a'.repeat(71))).toBe(2);
  });
});
