'use strict';
// Plain words for the codes a support agent sees, so "SKIPPED ALERTS_DISABLED" or "UNDELIVERED 30003"
// can be read out to a caller. Codes not listed here are shown as they are, never guessed at.

const SKIP_WHY = {
  NO_CONTACT: 'the bank has no phone number on file for this cardholder (or the contact was deleted)',
  ALERTS_DISABLED: 'the cardholder has turned SMS alerts off',
  BELOW_THRESHOLD: 'the amount is below the alert threshold the cardholder chose',
  INVALID_PHONE: 'the phone number on file is not a valid mobile number',
};

// Twilio's codes and our own; Vonage answers with small status numbers, looked up apart below.
const ERROR_WHY = {
  21211: 'the number is not a valid phone number',
  21214: 'the number cannot be reached',
  21610: 'the cardholder replied STOP to this sender (unsubscribed)',
  21612: 'the number cannot receive SMS on this route',
  21614: 'the number is not a mobile number',
  30003: 'the phone was switched off or out of coverage',
  30004: 'the message was blocked by the handset or the carrier',
  30005: 'the number is unknown to its network (it may no longer exist)',
  30006: 'the number is a landline or its carrier cannot receive SMS',
  30007: 'the carrier filtered the message',
  30008: 'the phone network reported an unknown error',
  TIMEOUT: 'the provider did not answer in time',
  OUTCOME_UNKNOWN: 'the provider lost its answer and cannot be asked whether it sent the alert',
  CIRCUIT_OPEN: 'the provider was paused after repeated errors',
  NO_PROVIDER: 'no SMS provider was available',
  NOT_FOUND_AT_PROVIDER: 'the provider has no record of the message',
  CANNOT_SEND: 'no provider on its route can carry this message (no approved template for it)',
  NO_TEMPLATE: 'the provider sends approved templates only and this message has none',
  NO_TEMPLATE_CODE: 'the provider has no approved template for this message',
  NO_TEMPLATE_ID: 'the provider has no approved template for this message',
  ESME_RINVDSTADR: 'the SMS centre refused the destination number',
  ESME_RTHROTTLED: 'the SMS centre asked us to slow down',
};
const VONAGE_WHY = {
  1: 'the provider asked us to slow down',
  6: 'the number is invalid or cannot be routed',
  7: 'the number is barred',
  33: 'the number has been de-activated',
};

const EVENT_LABEL = {
  RECEIVED: 'Received from the bank',
  SKIPPED: 'Not sent (skipped)',
  QUEUED: 'Queued for sending',
  SENDING: 'Handing to a provider',
  SENT: 'Accepted by the provider',
  DELIVERED: 'Delivered to the phone',
  UNDELIVERED: 'Not delivered',
  FAILED: 'Failed',
  EXPIRED: 'Given up (deadline passed)',
  ATTEMPT_FAILED: 'Attempt failed',
  CANNOT_SEND: 'Provider cannot send this message',
  FAILOVER: 'Switched to another provider',
  RECOVERED_IN_FLIGHT: 'Checked an interrupted send',
  RECEIPT: 'Receipt from the network',
  CIRCUIT_OPEN: 'Provider paused',
  CIRCUIT_HALF_OPEN: 'Provider being retried',
  CIRCUIT_CLOSED: 'Provider back',
  OVERDUE: 'No receipt in time (overdue)',
  REQUEUED: 'Queued again',
  OUTCOME_UNKNOWN: 'Provider cannot say whether it sent',
  RESEND_REQUESTED: 'Resend requested',
  ROUTED_PAST: 'Provider passed over (poor delivery)',
  ROUTE_TRIAL: 'Trial on a passed-over provider',
  ROUTE_RESTORED: 'Provider back in its place',
};

/** "30003: the phone was switched off or out of coverage", or the bare code when it is not known. */
function errorWhy(code, provider) {
  if (!code) return '';
  const known = (provider === 'vonage' && VONAGE_WHY[code]) || ERROR_WHY[code];
  if (known) return `${known} (code ${code})`;
  if (/^HTTP_5\d\d$/.test(code)) return `the provider had a server error (${code.slice(5)})`;
  return `code ${code}`;
}

/** One or two sentences on where the alert stands and why, as an agent would say it to the cardholder. */
function explain(n) {
  const error = errorWhy(n.lastErrorCode, n.provider);
  const because = error ? `: ${error}.` : '.';
  const deadline = n.deadlineAt ? ` (deadline ${when(n.deadlineAt)})` : '';
  switch (n.status) {
    case 'SKIPPED':
      return `No SMS was sent because ${SKIP_WHY[n.skipReason] ?? `of ${n.skipReason}`}. This is expected; nothing will be retried.`;
    case 'DELIVERED':
      return `Delivered: the phone network confirmed the SMS reached the cardholder's phone at ${when(n.finalAt)}.`;
    case 'SENT':
      return n.overdue
        ? `Sent through ${n.provider}, but no delivery receipt came within the expected time (overdue). The provider is asked again; the SMS may still arrive, or may never have reached the phone.`
        : `Sent through ${n.provider}; waiting for the phone network's delivery receipt.`;
    case 'UNDELIVERED':
      return `The provider took the SMS but the phone network could not deliver it${because} A supervisor can resend it.`;
    case 'FAILED':
      return `Not sent: the provider refused it for good${because} It is not retried; check the number with the cardholder.`;
    case 'EXPIRED':
      return `Not sent in time, so it was given up: a late alert would confuse the cardholder${deadline}.${error ? ` Last problem: ${error}.` : ''}`;
    case 'QUEUED':
      return error
        ? `Waiting to be sent again; the last try failed${because} It is retried until its deadline${deadline}.`
        : `Waiting to be sent${deadline}.`;
    case 'SENDING':
      return 'Being handed to an SMS provider right now.';
    default:
      return `Received from the bank; deciding whether to send.`;
  }
}
