import fc from 'fast-check';
import { contactRow } from '../contacts/testing/contact-row';
import { Metrics } from '../metrics/metrics.service';
import { NotificationStatus as S, SkipReason } from '../notifications/notification-status';
import {
  CorrectionRefusal,
  CorrectionSkipReason,
  decideCorrection,
  OriginalFacts,
} from './correction-decision';

const contact = contactRow();
const original = (over: Partial<OriginalFacts> = {}): OriginalFacts => ({
  status: S.DELIVERED,
  cardId: 'card-1',
  amountMinor: 10000,
  currency: 'EUR',
  ...over,
});
const reversal = {
  cardId: 'card-1',
  amountMinor: 10000,
  currency: 'EUR',
  waitedSeconds: 1,
  reversedBefore: 0,
};
const WAIT = 3600;

describe('decideCorrection: the decision table', () => {
  it.each([
    ['no original yet', null, contact, {}, 'wait', undefined],
    [
      'no original within the window',
      null,
      contact,
      { waitedSeconds: WAIT },
      'skip',
      CorrectionSkipReason.NO_ORIGINAL,
    ],
    ['original QUEUED', original({ status: S.QUEUED }), contact, {}, 'wait', undefined],
    ['original SENDING', original({ status: S.SENDING }), contact, {}, 'wait', undefined],
    ['original SENT', original({ status: S.SENT }), contact, {}, 'send', undefined],
    ['original DELIVERED', original(), contact, {}, 'send', undefined],
    ['original FAILED: self-contained', original({ status: S.FAILED }), contact, {}, 'send', undefined],
    ['original EXPIRED: self-contained', original({ status: S.EXPIRED }), contact, {}, 'send', undefined],
    ['original UNDELIVERED', original({ status: S.UNDELIVERED }), contact, {}, 'send', undefined],
    [
      'original SKIPPED, contact fine now',
      original({ status: S.SKIPPED }),
      contact,
      {},
      'skip',
      CorrectionSkipReason.ORIGINAL_SKIPPED,
    ],
    [
      'alerts disabled',
      original({ status: S.SKIPPED }),
      { ...contact, sms_alerts: false },
      {},
      'skip',
      SkipReason.ALERTS_DISABLED,
    ],
    ['no contact', original(), undefined, {}, 'skip', SkipReason.NO_CONTACT],
    ['deleted contact', original(), { ...contact, deleted: true }, {}, 'skip', SkipReason.NO_CONTACT],
    ['invalid phone', original(), { ...contact, phone_e164: null }, {}, 'skip', SkipReason.INVALID_PHONE],
    // The threshold is on the original amount: a small refund of a large purchase is told.
    [
      'threshold below the original',
      original(),
      { ...contact, min_amount_minor: '5000' },
      { amountMinor: 100 },
      'send',
      undefined,
    ],
    [
      'original below the threshold',
      original(),
      { ...contact, min_amount_minor: '20000' },
      {},
      'skip',
      SkipReason.BELOW_THRESHOLD,
    ],
    [
      'more than the original',
      original(),
      contact,
      { amountMinor: 10001 },
      'refuse',
      CorrectionRefusal.EXCEEDS_ORIGINAL,
    ],
    [
      'more than what is left',
      original(),
      contact,
      { amountMinor: 3000, reversedBefore: 8000 },
      'refuse',
      CorrectionRefusal.EXCEEDS_ORIGINAL,
    ],
    [
      'exceeding while the original is pending',
      original({ status: S.QUEUED }),
      contact,
      { amountMinor: 20000 },
      'refuse',
      CorrectionRefusal.EXCEEDS_ORIGINAL,
    ],
    [
      'another currency',
      original(),
      contact,
      { currency: 'USD' },
      'refuse',
      CorrectionRefusal.CURRENCY_MISMATCH,
    ],
    ['another card', original(), contact, { cardId: 'card-2' }, 'refuse', CorrectionRefusal.CARD_MISMATCH],
  ] as const)('%s', (_name, orig, who, over, action, reason) => {
    const d = decideCorrection({ ...reversal, ...over }, orig, who, WAIT);
    expect(d.action).toBe(action);
    if (reason) expect('reason' in d && d.reason).toBe(reason);
  });

  it('sends with the running total and names a self-contained correction', () => {
    expect(
      decideCorrection(
        { ...reversal, amountMinor: 2500, reversedBefore: 5000 },
        original({ status: S.FAILED }),
        contact,
        WAIT,
      ),
    ).toEqual({
      action: 'send',
      phoneE164: contact.phone_e164,
      reversedInAll: 7500,
      detail: 'self-contained: the original FAILED',
    });
  });

  it('partial reversals in order add up and never exceed the original', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100000 }),
        fc.array(fc.integer({ min: 1, max: 60000 }), { maxLength: 12 }),
        (total, parts) => {
          let before = 0;
          for (const amountMinor of parts) {
            const d = decideCorrection(
              { ...reversal, amountMinor, reversedBefore: before },
              original({ amountMinor: total }),
              contact,
              WAIT,
            );
            if (before + amountMinor > total) {
              expect(d).toMatchObject({ action: 'refuse', reason: CorrectionRefusal.EXCEEDS_ORIGINAL });
            } else {
              expect(d).toMatchObject({ action: 'send', reversedInAll: before + amountMinor });
              before += amountMinor;
            }
            expect(before).toBeLessThanOrEqual(total);
          }
        },
      ),
    );
  });
});

describe('alertline_corrections_total', () => {
  it('is exported at 0 from start for every outcome and reason the decision can give', async () => {
    const series = (await new Metrics().corrections.get()).values;
    const has = (status: string, reason: string) =>
      series.some((v) => v.labels.status === status && v.labels.reason === reason && v.value === 0);
    for (const reason of [...Object.values(SkipReason), ...Object.values(CorrectionSkipReason)]) {
      expect([reason, has('SKIPPED', reason)]).toEqual([reason, true]);
    }
    for (const reason of Object.values(CorrectionRefusal))
      expect([reason, has('REFUSED', reason)]).toEqual([reason, true]);
    expect(has('QUEUED', '')).toBe(true);
  });
});
