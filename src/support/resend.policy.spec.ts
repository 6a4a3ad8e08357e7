import { contactRow } from '../contacts/testing/contact-row';
import type { ContactRow } from '../contacts/contacts.repository';
import { NotificationStatus } from '../notifications/notification-status';
import { isResendable, resendTarget } from './resend.policy';

const contact = (over: Partial<ContactRow> = {}): ContactRow =>
  contactRow({ version: '7', phone_e164: '+447700900123', ...over });

describe('resend policy', () => {
  it('allows only alerts that ended without reaching the handset', () => {
    const allowed = Object.values(NotificationStatus).filter(isResendable);
    expect(allowed.sort()).toEqual(['EXPIRED', 'FAILED', 'UNDELIVERED']);
  });

  it('sends to the contact as it is now, with its version', () => {
    expect(resendTarget(contact())).toEqual({ ok: true, phoneE164: '+447700900123', contactVersion: 7 });
  });

  it.each([
    ['missing', undefined, /no contact on record/],
    ['deleted', contact({ deleted: true }), /no contact on record/],
    ['alerts off', contact({ sms_alerts: false }), /turned SMS alerts off/],
    [
      'invalid number',
      contact({ phone_e164: null, phone_invalid_reason: 'NOT_MOBILE' }),
      /not a valid mobile number \(NOT_MOBILE\)/,
    ],
    [
      'flagged number',
      contact({ flagged_reason: 'twilio 21211' }),
      /flagged the contact's number \(twilio 21211\)/,
    ],
  ])('refuses a contact that is %s', (_, c, why) => {
    const target = resendTarget(c);
    expect(target.ok).toBe(false);
    expect(!target.ok && target.reason).toMatch(why);
  });
});
