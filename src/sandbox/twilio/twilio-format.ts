import type { StoredMessage } from '../sandbox.store';

// Pure formatting for the sandbox's Twilio API: message JSON, errors, dates, form fields.

export const API_VERSION = '2010-04-01';

export interface TwilioReply {
  status: number;
  body: unknown;
}

/** A Message resource as Twilio returns it (snake_case; num_segments and num_media are strings). */
export function renderTwilioMessage(m: StoredMessage): Record<string, unknown> {
  const uri = `/${API_VERSION}/Accounts/${m.account}/Messages/${m.id}`;
  return {
    account_sid: m.account,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.receivedAt),
    date_sent: m.sentAt === undefined ? null : rfc2822(m.sentAt),
    date_updated: rfc2822(m.updatedAt),
    direction: 'outbound-api',
    error_code: m.errorCode === undefined ? null : Number(m.errorCode),
    error_message: null,
    from: m.from || null,
    messaging_service_sid: m.messagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(m.segments),
    price: m.sentAt === undefined ? null : (-0.0079 * m.segments).toFixed(5),
    price_unit: 'USD',
    sid: m.id,
    status: m.status,
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: m.to,
    uri: `${uri}.json`,
  };
}

/** Twilio's error body; twilio-node turns it into RestException with .status and .code. */
export function twilioError(status: number, code: number, message: string): TwilioReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export function field(form: Record<string, unknown>, key: string): string | undefined {
  const value = form[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

export function basicCredentials(header: string | undefined): [string?, string?] {
  if (!header?.startsWith('Basic ')) return [];
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? [] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** `Thu, 24 Aug 2023 05:01:45 +0000`, the form twilio-node parses. */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** RawDlrDoneDate: YYMMDDhhmm, as carriers report it. */
export function rawDlrDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\D/g, '').slice(2, 12);
}

/** `2024-01-31` (a whole day) or an ISO timestamp (twilio-node sends `2024-01-31T10:00:00Z`). */
export function parseDateFilter(
  value: string | undefined,
): { at: number; dayStart: number } | undefined | null {
  if (value === undefined) return undefined;
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at)) return null;
  return { at, dayStart: at - (at % 86_400_000) };
}
