import { mapDlrStat } from '../dlr-stat';
import { ProviderMessageStatus } from '../provider.interface';
import {
  PermanentRecipientError,
  ProviderError,
  ProviderTimeoutError,
  RateLimitedError,
  SendOutcomeUnknownError,
  TransientProviderError,
} from '../provider.errors';

// Vonage SMS API messages[].status codes (https://developer.vonage.com/en/messaging/sms/guides/troubleshooting-sms).
// The table in docs/providers.md mirrors these sets.
const PERMANENT_RECIPIENT = new Set([
  '6', // invalid message: the destination is unroutable / not a valid number
  '7', // number barred (blocked, or the recipient opted out)
  '33', // number de-activated
]);
const RATE_LIMITED = new Set([
  '1', // throttled: more than the account's allowed messages per second
]);
// Everything else (2 missing param, 3 invalid param, 4 bad credentials, 5 internal error, 8 account barred,
// 9 quota exceeded, 10 too many binds, 11 not enabled, 12 too long, 14 bad signature, 15 invalid sender,
// 22, 23, 29 not whitelisted, 32) is about our account or request, not the cardholder's number: transient,
// so the next provider is tried and the breaker counts it.

export interface VonageMessageStatus {
  status?: string;
  errorText?: string;
  messageId?: string;
}

/** A non-"0" messages[].status (the SDK throws MessageSendAllFailure with them) onto our typed errors. */
export function mapVonageStatusCode(m: VonageMessageStatus): ProviderError {
  const code = m.status ?? 'UNKNOWN';
  const detail = (m.errorText ?? `status ${code}`).slice(0, 300);
  if (PERMANENT_RECIPIENT.has(code)) return new PermanentRecipientError('vonage', code, detail);
  if (RATE_LIMITED.has(code)) return new RateLimitedError('vonage', code, detail);
  return new TransientProviderError('vonage', code, detail);
}

interface SdkError {
  name?: string;
  code?: unknown;
  message?: string;
  /** Node's fetch (the SDK's transport since @vonage/sms 1.23) puts the socket error here. */
  cause?: { code?: unknown; message?: string };
  response?: {
    status?: number;
    messages?: VonageMessageStatus[];
    headers?: { get?: (name: string) => string | null };
  };
}

/** Maps anything the @vonage/sms SDK throws: status-code failures, HTTP errors (VetchError), transport errors. */
const UNKNOWN_OUTCOME_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

export function mapVonageError(err: unknown): ProviderError {
  const e = (err ?? {}) as SdkError;
  const failed = e.response?.messages?.find((m) => m.status !== '0');
  if (failed) return mapVonageStatusCode(failed);
  const status = e.response?.status;
  if (typeof status === 'number') {
    const detail = `HTTP ${status}`;
    if (status === 429) return new RateLimitedError('vonage', 'HTTP_429', detail, retryAfterMs(e));
    return new TransientProviderError('vonage', `HTTP_${status}`, detail);
  }
  // fetch says only "fetch failed"; the reason (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET) is its cause.
  const cause = e.cause?.message ? `: ${e.cause.message}` : '';
  const detail = `${e.message ?? String(err)}${cause}`.slice(0, 300);
  // The SDK aborts the fetch on its timeout: Vonage may have taken the message.
  if (e.name === 'AbortError') return new ProviderTimeoutError('vonage', detail);
  const code = [e.code, e.cause?.code].find((c): c is string => typeof c === 'string') ?? 'NETWORK';
  // The socket went away under a request already sent (a refused connection is ECONNREFUSED): Vonage may
  // have read it and taken the message.
  if (UNKNOWN_OUTCOME_CODES.has(code)) return new SendOutcomeUnknownError('vonage', code, detail);
  return new TransientProviderError('vonage', code, detail);
}

function retryAfterMs(e: SdkError): number | undefined {
  const seconds = Number(e.response?.headers?.get?.('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** DLR `status` onto ours. */
export function mapVonageDlrStatus(status: string): ProviderMessageStatus {
  switch (status) {
    case 'delivered':
      return ProviderMessageStatus.DELIVERED;
    case 'expired':
    case 'failed':
      return ProviderMessageStatus.UNDELIVERED;
    case 'rejected':
      return ProviderMessageStatus.FAILED;
    case 'accepted':
    case 'buffered':
      return ProviderMessageStatus.SENT;
    default:
      return ProviderMessageStatus.ACCEPTED;
  }
}

/** Message Search `final-status` (SMPP receipt words) onto ours; none yet means still in transit. */
export function mapVonageFinalStatus(finalStatus: string | undefined): ProviderMessageStatus {
  return finalStatus ? mapDlrStat(finalStatus) : ProviderMessageStatus.SENT;
}
