import type { StoredMessage } from '../sandbox.store';
import { smppDate } from '../dlr-date';

// Pure formatting for the sandbox's Vonage SMS API: replies, DLR fields, Message Search items.

export const PRICE_PER_PART = 0.0333;
export const NETWORK = '23410';
// The search API's final-status for each final DLR status.
const FINAL_STATUS: Record<string, string> = {
  delivered: 'DELIVRD',
  failed: 'UNDELIV',
  expired: 'EXPIRED',
  rejected: 'REJECTD',
};

export interface VonageReply {
  status: number;
  body: unknown;
}

/**
 * A refused send: HTTP 200 with a non-"0" status, as Vonage answers (the SDK then throws SMSFailure). A
 * refusal of the recipient names it in `to` (digits, no "+"), as Vonage's own answers do.
 */
export function rejection(status: string, errorText: string, to?: string): VonageReply {
  const message = { ...(to !== undefined ? { to } : {}), status, 'error-text': errorText };
  return { status: 200, body: { 'message-count': '1', messages: [message] } };
}

/** The DLR's fields before signing; every value a string, as the signature needs. */
export function dlrParams(
  message: StoredMessage,
  partId: string,
  status: string,
  errCode: string,
  now: number,
  nonce: string,
): Record<string, string> {
  const params: Record<string, string> = {
    msisdn: message.to,
    to: message.from,
    'network-code': NETWORK,
    messageId: partId,
    price: PRICE_PER_PART.toFixed(8),
    status,
    scts: smppDate(now),
    'err-code': errCode,
    'api-key': message.account,
    'message-timestamp': vonageTime(now),
    timestamp: String(Math.floor(now / 1000)),
    nonce,
  };
  if (message.clientRef !== undefined) params['client-ref'] = message.clientRef;
  return params;
}

/** One Message Search item (one per part), with final-status once the message has a final DLR. */
export function renderSearchItem(m: StoredMessage, partId: string): Record<string, unknown> {
  const final = FINAL_STATUS[m.status];
  return {
    'message-id': partId,
    'account-id': m.account,
    network: NETWORK,
    from: m.from,
    to: m.to,
    body: m.body,
    price: PRICE_PER_PART.toFixed(8),
    'date-received': vonageTime(m.receivedAt),
    ...(final && m.finalAt !== undefined
      ? { 'final-status': final, 'date-closed': vonageTime(m.finalAt), latency: m.finalAt - m.receivedAt }
      : {}),
    type: 'MT',
    ...(m.clientRef !== undefined ? { 'client-ref': m.clientRef } : {}),
    status: m.status,
    'error-code': m.errorCode ?? '0',
  };
}

export function str(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  return typeof first === 'string' && first !== '' ? first : undefined;
}

export function basicCredentials(header: string | undefined): [string, string] | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** `2024-01-31 12:00:00` (UTC), Vonage's message-timestamp and search date format. */
export function vonageTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
