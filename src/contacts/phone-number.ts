import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneCheck =
  { ok: true; e164: string } | { ok: false; reason: 'UNPARSEABLE' | 'INVALID_NUMBER' | 'NOT_MOBILE' };

// libphonenumber's full metadata ("max") knows number types, so a landline is caught here rather than
// by a provider error after the customer was charged.
export function normaliseMobile(raw: string, region?: string): PhoneCheck {
  const parsed = parsePhoneNumberFromString(raw, region ? (region.toUpperCase() as CountryCode) : undefined);
  if (!parsed) return { ok: false, reason: 'UNPARSEABLE' };
  if (!parsed.isValid()) return { ok: false, reason: 'INVALID_NUMBER' };
  const type = parsed.getType();
  // Numbering plans such as the US and China do not tell mobile from fixed line; those stay allowed.
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
    return { ok: false, reason: 'NOT_MOBILE' };
  }
  return { ok: true, e164: parsed.number };
}
