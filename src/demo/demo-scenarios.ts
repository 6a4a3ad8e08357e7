import { randomBytes } from 'node:crypto';
import { ContactEvent, makeContact, makeTransaction, TransactionEventInput } from '../devstack/sample-data';

export interface Expected {
  status: string;
  reason?: string;
  provider?: string;
  /** Said in the table when this alternative is the one that happened. */
  note?: string;
}

export interface Scenario {
  name: string;
  expected: Expected;
  /** Another acceptable end, where the route may go either way (routing by delivery health, trials). */
  or?: Expected;
  transaction: TransactionEventInput;
}

/** A mixed set of cardholders and transactions: what a bank sees on an ordinary day. */
export function demoScenarios(): { contacts: ContactEvent[]; scenarios: Scenario[] } {
  const run = randomBytes(3).toString('hex');
  const id = (s: string) => `demo-${run}-${s}`;
  const en = makeContact({ cardholderId: id('alice'), phoneNumber: '+447911123456', locale: 'en-GB' });
  const zh = makeContact({
    cardholderId: id('wei'),
    phoneNumber: '13800138000',
    region: 'CN',
    locale: 'zh-CN',
  });
  const off = makeContact({ cardholderId: id('bob'), phoneNumber: '+447911654321', smsAlerts: false });
  const landline = makeContact({ cardholderId: id('carol'), phoneNumber: '+442079460000' });
  const big = makeContact({
    cardholderId: id('dan'),
    phoneNumber: '+4915123456789',
    locale: 'de-DE',
    minAmountMinor: 5000,
  });
  const t = (c: string, o: Partial<TransactionEventInput> = {}) =>
    makeTransaction(c, {
      transactionId: `${id(o.merchantName ?? 'txn')}-${randomBytes(2).toString('hex')}`,
      ...o,
    });
  const scenarios: Scenario[] = [
    {
      name: 'normal (en)',
      expected: { status: 'DELIVERED', provider: 'twilio' },
      transaction: t(en.cardholderId, {
        amountMinor: 2350,
        currency: 'GBP',
        merchantName: 'TESCO',
        merchantCity: 'London',
      }),
    },
    {
      name: 'normal (zh-CN)',
      expected: { status: 'DELIVERED', provider: 'twilio' },
      transaction: t(zh.cardholderId, {
        amountMinor: 12800,
        currency: 'CNY',
        merchantName: 'LUCKIN COFFEE',
        merchantCity: 'Shanghai',
      }),
    },
    {
      name: 'e-commerce, large amount',
      expected: { status: 'DELIVERED', provider: 'twilio' },
      transaction: t(big.cardholderId, {
        amountMinor: 129900,
        currency: 'EUR',
        merchantName: 'ELECTRONICS ONLINE',
        channel: 'ECOMMERCE',
      }),
    },
    {
      name: 'below threshold',
      expected: { status: 'SKIPPED', reason: 'BELOW_THRESHOLD' },
      transaction: t(big.cardholderId, { amountMinor: 450, currency: 'EUR', merchantName: 'BAKERY' }),
    },
    {
      name: 'alerts disabled',
      expected: { status: 'SKIPPED', reason: 'ALERTS_DISABLED' },
      transaction: t(off.cardholderId, { merchantName: 'CINEMA' }),
    },
    {
      name: 'no contact',
      expected: { status: 'SKIPPED', reason: 'NO_CONTACT' },
      transaction: t(id('nobody'), { merchantName: 'PETROL STATION' }),
    },
    {
      name: 'invalid number (landline)',
      expected: { status: 'SKIPPED', reason: 'INVALID_PHONE' },
      transaction: t(landline.cardholderId, { merchantName: 'BOOKSHOP' }),
    },
  ];
  return { contacts: [en, zh, off, landline, big], scenarios };
}
