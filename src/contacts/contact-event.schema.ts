import { KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import { findTextProblem } from '../kafka/message-text';
import { normaliseMobile } from './phone-number';

/** A contact record is a few fields; a value larger than this is refused unread. */
export const MAX_CONTACT_BYTES = 16 * 1024;

export const contactEventSchema = z.object({
  cardholderId: z.string().min(1).max(64),
  phoneNumber: z.string().min(1).max(40),
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 alpha-2 region')
    .optional(),
  smsAlerts: z.boolean(),
  locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 tag'),
  minAmountMinor: z.number().int().min(0).nullish(),
  version: z.number().int().min(0),
});

export interface ContactUpsert {
  cardholderId: string;
  version: number;
  deleted: boolean;
  phoneE164: string | null;
  phoneInvalidReason: string | null;
  smsAlerts: boolean;
  locale: string;
  minAmountMinor: number | null;
}

export type ContactParse =
  | { ok: true; upsert: ContactUpsert }
  | { ok: true; tombstone: string }
  | { ok: false; code: string; detail: string };

/** A compacted-topic record: a value is an upsert, a null value (tombstone) removes the cardholder. */
export function parseContactMessage(message: Pick<KafkaMessage, 'key' | 'value'>): ContactParse {
  if (message.value === null || message.value.length === 0) {
    const key = message.key?.toString('utf8');
    if (!key) return { ok: false, code: 'MISSING_FIELD', detail: 'tombstone without a key' };
    if (key.length > 64) return { ok: false, code: 'INVALID_FIELD', detail: 'key: at most 64 characters' };
    const problem = findTextProblem({ key });
    return problem ? { ok: false, ...problem } : { ok: true, tombstone: key };
  }
  if (message.value.length > MAX_CONTACT_BYTES) {
    return {
      ok: false,
      code: 'TOO_LARGE',
      detail: `value is ${message.value.length} bytes, at most ${MAX_CONTACT_BYTES}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(message.value.toString('utf8'));
  } catch {
    return { ok: false, code: 'INVALID_JSON', detail: 'value is not JSON' };
  }
  const result = contactEventSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      code: 'INVALID_FIELD',
      detail: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  const c = result.data;
  const problem = findTextProblem(c);
  if (problem) return { ok: false, ...problem };
  // An invalid number is still projected: alerts for this cardholder are then SKIPPED INVALID_PHONE,
  // which support can see, instead of silently using an older number.
  const phone = normaliseMobile(c.phoneNumber, c.region);
  return {
    ok: true,
    upsert: {
      cardholderId: c.cardholderId,
      version: c.version,
      deleted: false,
      phoneE164: phone.ok ? phone.e164 : null,
      phoneInvalidReason: phone.ok ? null : phone.reason,
      smsAlerts: c.smsAlerts,
      locale: c.locale,
      minAmountMinor: c.minAmountMinor ?? null,
    },
  };
}
