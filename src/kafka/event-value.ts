import { z } from 'zod';
import { containsCardNumber } from '../common/card-number';
import { findCardNumber, jsonDepth, MAX_JSON_DEPTH } from '../common/card-number-json';
import type { DlqErrorCode } from './dead-letter.record';
import { findTextProblem } from './message-text';

const currencies = new Set(Intl.supportedValuesOf('currency'));

/** The fields every card event carries, with the same rules on every topic (ARCHITECTURE.md). */
export const cardEventFields = {
  eventId: z.string().min(1).max(128),
  cardholderId: z.string().min(1).max(64),
  cardId: z.string().min(1).max(64),
  cardLast4: z.string().regex(/^\d{4}$/, 'must be exactly 4 digits'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 alpha-3 code')
    .refine((c) => currencies.has(c), 'is not an ISO 4217 currency'),
  merchantName: z.string().min(1).max(100),
  merchantCity: z.string().max(60).optional(),
};

/** A value larger than this is refused unread (the events' fields need well under 1 KiB). */
export const MAX_EVENT_BYTES = 64 * 1024;

export type EventParse<T> = { ok: true; event: T } | { ok: false; code: DlqErrorCode; detail: string };

/**
 * The checks every event topic shares (transactions, reversals), in order: size, a card number in the raw
 * text, JSON, an object, depth, a card number in any decoded key/string/number, the schema, then characters
 * PostgreSQL cannot store or that would break the SMS text. The first that fails names the DLQ reason.
 */
export function parseEventValue<S extends z.ZodType<Record<string, unknown>>>(
  value: Buffer | null,
  schema: S,
): EventParse<z.infer<S>> {
  if (value && value.length > MAX_EVENT_BYTES) {
    return {
      ok: false,
      code: 'TOO_LARGE',
      detail: `value is ${value.length} bytes, at most ${MAX_EVENT_BYTES}`,
    };
  }
  const text = value?.toString('utf8') ?? '';
  // Checked on the raw text first (as written and with its escapes undone): a PAN anywhere, even in a
  // field we ignore or in a value that is not JSON, must not travel further.
  if (containsCardNumber(text)) {
    return {
      ok: false,
      code: 'CARD_NUMBER_DETECTED',
      detail: 'value contains a full card number (Luhn-valid 13-19 digits)',
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      code: 'INVALID_JSON',
      detail: `value is not JSON: ${(err as Error).message}`.slice(0, 300),
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'NOT_AN_OBJECT', detail: 'value must be a JSON object' };
  }
  if (jsonDepth(json) > MAX_JSON_DEPTH) {
    return { ok: false, code: 'TOO_DEEP', detail: `value nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  // And on every decoded key, string and number: double escapes, 4.111111111111111e15.
  const panAt = findCardNumber(json);
  if (panAt) {
    return { ok: false, code: 'CARD_NUMBER_DETECTED', detail: `${panAt}: contains a full card number` };
  }
  const result = schema.safeParse(json);
  if (result.success) {
    const problem = findTextProblem(result.data);
    return problem ? { ok: false, ...problem } : { ok: true, event: result.data };
  }
  // A field that is absent is missing whatever zod calls it (invalid_type for a string, invalid_value for
  // an enum such as a reversal's kind).
  const missing = result.error.issues.filter(
    (i) => i.path.length > 0 && (json as Record<string, unknown>)[String(i.path[0])] === undefined,
  );
  const issues = missing.length > 0 ? missing : result.error.issues;
  const detail = issues
    .map((i) => `${i.path.join('.')}: ${missing.length > 0 ? 'is required' : i.message}`)
    .join('; ');
  return {
    ok: false,
    code: missing.length > 0 ? 'MISSING_FIELD' : 'INVALID_FIELD',
    detail: detail.slice(0, 500),
  };
}
