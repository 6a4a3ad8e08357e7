import type { CorrectionTextInput } from '../correction-text';

/** A correction's facts apart from the reversal itself (kind, amounts, locale), for the specs. */
export const CORRECTION_FACTS: Omit<
  CorrectionTextInput,
  'kind' | 'amountMinor' | 'reversedInAllMinor' | 'locale'
> = {
  bankName: 'Alertline Bank',
  bankPhone: '+44 20 7946 0000',
  cardLast4: '4242',
  originalAmountMinor: 12800,
  currency: 'CNY',
  merchantName: 'Starbucks',
  merchantCity: 'Shanghai',
  authorisedAt: new Date('2026-12-07T06:05:00Z'),
  timeZone: 'Asia/Shanghai',
};
