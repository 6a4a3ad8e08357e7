import { ProviderMessageStatus } from '../provider.interface';
import {
  PermanentRecipientError,
  ProviderError,
  ProviderTimeoutError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';

// Tencent Cloud SMS API 3.0 (sms 2021-01-11) answers HTTP 200 in both of its error styles: a request-level
// `Response.Error.Code` (the SDK throws TencentCloudSDKHttpException with `code`), or a per-number
// `SendStatusSet[].Code` other than "Ok". Codes from the SDK's own error list (tencentcloud-sdk-go
// sms/v20210111/errors.go) and the API 3.0 common error codes. docs/providers.md mirrors these sets.
const PERMANENT_RECIPIENT = new Set([
  'InvalidParameterValue.IncorrectPhoneNumber', // not a valid number
  'FailedOperation.PhoneNumberParseFail', // not E.164
  'FailedOperation.PhoneNumberInBlacklist', // unsubscribed, or on the carrier's do-not-disturb list
]);
const RATE_LIMITED = new Set([
  'LimitExceeded.PhoneNumberThirtySecondLimit',
  'LimitExceeded.PhoneNumberOneHourLimit',
  'LimitExceeded.PhoneNumberDailyLimit',
  'LimitExceeded.PhoneNumberSameContentDailyLimit',
  'LimitExceeded.DeliveryFrequencyLimit',
  'LimitExceeded.AppDailyLimit',
  'LimitExceeded.AppMainlandChinaDailyLimit',
  'LimitExceeded.AppGlobalDailyLimit',
  'LimitExceeded.AppCountryOrRegionDailyLimit',
  'LimitExceeded.DailyLimit',
  'RequestLimitExceeded', // API 3.0 common: too many API calls per second
]);
// Everything else is about our account, signature, template or Tencent itself, not the cardholder's
// number (InternalError.*, AuthFailure.*, UnauthorizedOperation.*, FailedOperation.TemplateIncorrectOrUnapproved,
// FailedOperation.SignatureIncorrectOrUnapproved, FailedOperation.InsufficientBalanceInSmsPackage,
// FailedOperation.ContainSensitiveWord, LimitExceeded.AppCountryOrRegionInBlacklist, UnsupportedOperation.*):
// transient, so the next provider is tried and the breaker counts it.

/** "Ok": the number was taken (SendStatus.Code). */
export const TENCENT_OK = 'Ok';

/** A SendStatusSet entry's or a request's error code onto our typed errors. */
export function mapTencentCode(code: string, message?: string): ProviderError {
  const detail = `${code}${message ? `: ${message}` : ''}`.slice(0, 300);
  if (PERMANENT_RECIPIENT.has(code)) return new PermanentRecipientError('tencent', code, detail);
  if (RATE_LIMITED.has(code)) return new RateLimitedError('tencent', code, detail);
  return new TransientProviderError('tencent', code, detail);
}

/** TencentCloudSDKHttpException as the common SDK builds it (tencentcloud-sdk-nodejs-common 4.1). */
interface SdkError {
  /** Response.Error.Code of an HTTP 200 answer. */
  code?: unknown;
  /** Set when the HTTP status was not 200; the message is then the status text. */
  httpCode?: unknown;
  message?: string;
}

/**
 * Anything the SDK throws. `aborted` is our own AbortSignal's state: the SDK wraps every transport error
 * (node-fetch's abort, ECONNRESET, ECONNREFUSED) into one exception class with only the message kept, so
 * whether it was our timeout is read from the signal, never from the text.
 */
export function mapTencentError(err: unknown, aborted: boolean): ProviderError {
  const e = (err ?? {}) as SdkError;
  const message = (e.message ?? String(err)).slice(0, 300);
  if (aborted) return new ProviderTimeoutError('tencent', `no answer in time: ${message}`);
  if (typeof e.code === 'string' && e.code !== '') return mapTencentCode(e.code, e.message);
  if (typeof e.httpCode === 'number') {
    const detail = `HTTP ${e.httpCode} ${message}`.trim();
    if (e.httpCode === 429) return new RateLimitedError('tencent', 'HTTP_429', detail);
    return new TransientProviderError('tencent', `HTTP_${e.httpCode}`, detail);
  }
  // A socket error (reset, refused, DNS): the SDK keeps only node-fetch's message.
  return new TransientProviderError('tencent', 'NETWORK', message);
}

/**
 * A status report's `report_status` (callback) / `ReportStatus` (PullSmsSendStatus*) onto ours. Tencent
 * reports only the carrier's final word: SUCCESS delivered, FAIL not delivered (the carrier's code is in
 * `errmsg`, kept as the receipt's error code). Anything else is not final.
 */
export function mapTencentReportStatus(status: string): ProviderMessageStatus {
  switch (status) {
    case 'SUCCESS':
      return ProviderMessageStatus.DELIVERED;
    case 'FAIL':
      return ProviderMessageStatus.UNDELIVERED;
    default:
      return ProviderMessageStatus.SENT;
  }
}

/**
 * DescribeSendRecordList's `SendStatus`: 1 submit failed, 2 delivered, 3 submitted (sending), 4 submitted,
 * not delivered.
 */
export function mapTencentSendRecordStatus(status: number | undefined): ProviderMessageStatus {
  switch (status) {
    case 1:
      return ProviderMessageStatus.FAILED;
    case 2:
      return ProviderMessageStatus.DELIVERED;
    case 4:
      return ProviderMessageStatus.UNDELIVERED;
    case undefined:
    default:
      return ProviderMessageStatus.SENT;
  }
}
