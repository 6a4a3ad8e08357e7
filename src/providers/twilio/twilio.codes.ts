import { ProviderMessageStatus } from '../provider.interface';
import {
  PermanentRecipientError,
  ProviderError,
  ProviderTimeoutError,
  RateLimitedError,
  SendOutcomeUnknownError,
  TransientProviderError,
} from '../provider.errors';

// Twilio error codes (https://www.twilio.com/docs/api/errors). The table in docs/providers.md mirrors this.
const PERMANENT_RECIPIENT_CODES = new Set([
  21211, // invalid 'To' number
  21214, // 'To' number cannot be reached
  21610, // recipient replied STOP (unsubscribed)
  21612, // 'To' number not reachable through this route
  21614, // 'To' is not a mobile number
  30004, // message blocked
  30005, // unknown destination handset
  30006, // landline or unreachable carrier
]);
const RATE_LIMIT_CODES = new Set([20429, 14107, 30022]);
// Everything else, e.g. 21408 (our account may not send to that region), 20003 (authentication), 21606 (bad
// From), is about our account or request, not the cardholder's number: transient, so another provider is
// tried and the contact is not flagged.

/** Maps an error thrown by the twilio SDK (RestException, or a transport error) onto our typed errors. */
export function mapTwilioError(err: unknown): ProviderError {
  const e = err as { status?: number; code?: number | string; message?: string };
  const detail = (e.message ?? String(err)).slice(0, 300);
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const label = code !== undefined ? String(code) : `HTTP_${e.status}`;
    if (code !== undefined && PERMANENT_RECIPIENT_CODES.has(code))
      return new PermanentRecipientError('twilio', label, detail);
    if (e.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
      return new RateLimitedError('twilio', label, detail);
    }
    return new TransientProviderError('twilio', label, detail);
  }
  // No HTTP status: the request did not complete (timeout, reset, refused).
  const code = typeof e.code === 'string' ? e.code : 'NETWORK';
  // axios names its own timeout ECONNABORTED (ETIMEDOUT with clarifyTimeoutError): Twilio may have the message.
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return new ProviderTimeoutError('twilio', detail);
  // Reset or broken pipe on a connection the request went out on: Twilio may have read it and taken it.
  if (code === 'ECONNRESET' || code === 'EPIPE') return new SendOutcomeUnknownError('twilio', code, detail);
  return new TransientProviderError('twilio', code, detail);
}

/** Twilio message statuses onto ours; unknown words count as still in transit. */
export function mapTwilioStatus(status: string): ProviderMessageStatus {
  switch (status) {
    case 'delivered':
    case 'read':
      return ProviderMessageStatus.DELIVERED;
    case 'undelivered':
      return ProviderMessageStatus.UNDELIVERED;
    case 'failed':
    case 'canceled':
      return ProviderMessageStatus.FAILED;
    case 'sent':
    case 'sending':
      return ProviderMessageStatus.SENT;
    default:
      return ProviderMessageStatus.ACCEPTED;
  }
}
