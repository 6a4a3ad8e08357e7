import type { ContactRow } from '../contacts.repository';

/** A cardholder who gets alerts (en, a valid UK mobile, no threshold); override what a spec needs. */
export const contactRow = (over: Partial<ContactRow> = {}): ContactRow => ({
  cardholder_id: 'ch-1',
  version: '1',
  deleted: false,
  phone_e164: '+447911123456',
  phone_invalid_reason: null,
  sms_alerts: true,
  locale: 'en',
  min_amount_minor: null,
  flagged_reason: null,
  ...over,
});
