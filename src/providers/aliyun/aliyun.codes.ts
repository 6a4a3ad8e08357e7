import { ProviderMessageStatus } from '../provider.interface';
import {
  CannotSendMessageError,
  PermanentRecipientError,
  ProviderError,
  ProviderTimeoutError,
  RateLimitedError,
  SendOutcomeUnknownError,
  TransientProviderError,
} from '../provider.errors';

// Aliyun SMS (dysmsapi 2017-05-25) API codes, from its error code list (help.aliyun.com/document_detail/
// 101347). Business errors come back HTTP 200 with `Code` other than "OK"; the table in docs/providers.md
// mirrors these sets.
const PERMANENT_RECIPIENT = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL', // not a valid mobile number
  'isv.CUSTOMER_REFUSED', // the subscriber unsubscribed (退订)
]);
const RATE_LIMITED = new Set([
  'isv.BUSINESS_LIMIT_CONTROL', // flow control per number (per minute / hour / day)
  'isv.DAY_LIMIT_CONTROL', // the account's daily quota set in the console
  'isv.MONTH_LIMIT_CONTROL', // the account's monthly quota
]);
// This message cannot go through Aliyun as it is: the template or a variable's content is refused, not the
// number nor Aliyun's health. Sources (search, 2026-12): Aliyun's API error code list
// (help.aliyun.com/document_detail/101347) and its Alidayu-era table (mirrored at jmcad.top/forum.php?
// tid=4028): isv.BLACK_KEY_CONTROL_LIMIT is "模板变量中存在黑名单关键字" (a blacklisted keyword in a template
// variable, e.g. a merchant name), not a blacklisted number, so it is not permanent for the cardholder;
// isv.MOBILE_NUMBER_ILLEGAL (非法手机号) is the number. No API code for an unsubscribed or blacklisted number
// was found in those lists (that shows in the receipt's err_code, which maps to UNDELIVERED).
const CANNOT_SEND = new Set([
  'isv.BLACK_KEY_CONTROL_LIMIT', // a blacklisted keyword in a variable
  'isv.PARAM_NOT_SUPPORT_URL', // a URL in a variable
  'isv.PARAM_LENGTH_LIMIT', // a variable longer than the template allows
  'isv.TEMPLATE_PARAMS_ILLEGAL', // an illegal keyword in a variable
  'isv.TEMPLATE_MISSING_PARAMETERS', // params do not match the approved template
  'isv.SMS_TEMPLATE_ILLEGAL', // the template code is not approved (or not this account's)
]);
// Everything else is about our account, signature or request, not the cardholder's number
// (isp.SYSTEM_ERROR, isv.OUT_OF_SERVICE, isv.AMOUNT_NOT_ENOUGH, isv.SMS_SIGNATURE_ILLEGAL,
// isv.INVALID_JSON_PARAM, isp.RAM_PERMISSION_DENY, SignatureDoesNotMatch, InvalidAccessKeyId.NotFound ...):
// transient, so the next provider is tried and the breaker counts it.

/** A SendSms / QuerySendDetails body `Code` other than "OK" onto our typed errors. */
export function mapAliyunCode(code: string, message: string | undefined): ProviderError {
  const detail = `${code}: ${message ?? ''}`.slice(0, 300);
  if (PERMANENT_RECIPIENT.has(code)) return new PermanentRecipientError('aliyun', code, detail);
  if (RATE_LIMITED.has(code)) return new RateLimitedError('aliyun', code, detail);
  if (CANNOT_SEND.has(code)) return new CannotSendMessageError('aliyun', code, detail);
  return new TransientProviderError('aliyun', code, detail);
}

interface SdkError {
  name?: string;
  code?: unknown;
  statusCode?: unknown;
  message?: string;
  retryAfter?: unknown;
}

const MAX_RETRY_AFTER_MS = 600_000;

/**
 * Anything @alicloud/openapi-core throws: ThrottlingError (a code with "Throttling", HTTP 4xx/5xx),
 * ClientError (4xx), ServerError (5xx), httpx's RequestTimeoutError (connect or read timeout) and socket
 * errors. A timeout may have reached Aliyun, so it is the type that makes the dispatcher ask first.
 */
export function mapAliyunError(err: unknown): ProviderError {
  const e = (err ?? {}) as SdkError;
  const detail = (e.message ?? String(err)).slice(0, 300);
  if (e.name === 'RequestTimeoutError') return new ProviderTimeoutError('aliyun', detail);
  // A reset under a request already written: Aliyun may have taken it (QuerySendDetails will say).
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE')
    return new SendOutcomeUnknownError('aliyun', e.code, detail);
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' && e.code !== 'undefined' ? e.code : undefined;
  if (e.name === 'ThrottlingError' || status === 429 || code?.includes('Throttling')) {
    const after = Number(e.retryAfter);
    const retryAfterMs =
      Number.isFinite(after) && after > 0 ? Math.min(after, MAX_RETRY_AFTER_MS) : undefined;
    return new RateLimitedError('aliyun', code ?? 'HTTP_429', detail, retryAfterMs);
  }
  if (code && PERMANENT_RECIPIENT.has(code)) return new PermanentRecipientError('aliyun', code, detail);
  if (code && RATE_LIMITED.has(code)) return new RateLimitedError('aliyun', code, detail);
  if (code && CANNOT_SEND.has(code)) return new CannotSendMessageError('aliyun', code, detail);
  if (status !== undefined) return new TransientProviderError('aliyun', code ?? `HTTP_${status}`, detail);
  const sys = typeof e.code === 'string' ? e.code : 'NETWORK';
  return new TransientProviderError('aliyun', sys, detail);
}

/**
 * A receipt's or QuerySendDetails' result onto ours. SmsReport says `success` and `err_code` (DELIVERED on
 * success, the carrier's code otherwise); QuerySendDetails says SendStatus 1 waiting for the receipt,
 * 2 failed, 3 delivered.
 */
export function mapAliyunReport(success: boolean, errCode: string | undefined): ProviderMessageStatus {
  if (success) return ProviderMessageStatus.DELIVERED;
  return errCode ? ProviderMessageStatus.UNDELIVERED : ProviderMessageStatus.FAILED;
}

export function mapAliyunSendStatus(sendStatus: number | undefined): ProviderMessageStatus {
  if (sendStatus === 3) return ProviderMessageStatus.DELIVERED;
  if (sendStatus === 2) return ProviderMessageStatus.UNDELIVERED;
  return ProviderMessageStatus.SENT;
}

/**
 * Parts Aliyun bills for a mainland message: the whole text with its 【signature】, every character one
 * (Chinese, Latin, digit or punctuation alike), at most 70 in one SMS, else 67 per part.
 */
export function aliyunSegments(handsetText: string): number {
  const chars = [...handsetText].length;
  return chars <= 70 ? 1 : Math.ceil(chars / 67);
}
