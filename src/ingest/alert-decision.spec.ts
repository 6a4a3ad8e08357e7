import { contactRow } from '../contacts/testing/contact-row';
import { SkipReason } from '../notifications/notification-status';
import { decide } from './alert-decision';
import type { TransactionEvent } from './transaction-event.schema';

const event = { amountMinor: 1000 } as TransactionEvent;
const contact = contactRow();

describe('decide', () => {
  it('sends to the registered mobile', () => {
    expect(decide(event, contact)).toEqual({ send: true, phoneE164: '+447911123456' });
  });
  it.each([
    ['no contact', undefined, SkipReason.NO_CONTACT],
    ['deleted contact', { ...contact, deleted: true }, SkipReason.NO_CONTACT],
    ['alerts off', { ...contact, sms_alerts: false }, SkipReason.ALERTS_DISABLED],
    [
      'invalid phone',
      { ...contact, phone_e164: null, phone_invalid_reason: 'NOT_MOBILE' },
      SkipReason.INVALID_PHONE,
    ],
    ['below threshold', { ...contact, min_amount_minor: '1001' }, SkipReason.BELOW_THRESHOLD],
  ])('skips: %s', (_name, c, reason) => {
    expect(decide(event, c)).toEqual({ send: false, reason });
  });
  it('sends at exactly the threshold', () => {
    expect(decide(event, { ...contact, min_amount_minor: '1000' })).toMatchObject({ send: true });
  });
});
