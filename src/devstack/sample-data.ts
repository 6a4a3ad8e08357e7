import { randomUUID } from 'node:crypto';

export interface ContactEvent {
  cardholderId: string;
  phoneNumber: string;
  region?: string;
  smsAlerts: boolean;
  locale: string;
  minAmountMinor?: number | null;
  version: number;
}

export interface TransactionEventInput {
  eventId: string;
  transactionId: string;
  cardholderId: string;
  cardId: string;
  cardLast4: string;
  amountMinor: number;
  currency: string;
  merchantName: string;
  merchantCity?: string;
  channel?: string;
  authorisedAt: string;
}

export function makeContact(overrides: Partial<ContactEvent> = {}): ContactEvent {
  return {
    cardholderId: `ch-${randomUUID()}`,
    phoneNumber: ukMobile(Math.floor(Math.random() * 100_000_000)),
    smsAlerts: true,
    locale: 'en-GB',
    version: 1,
    ...overrides,
  };
}

export function makeTransaction(
  cardholderId: string,
  overrides: Partial<TransactionEventInput> = {},
): TransactionEventInput {
  const id = randomUUID();
  return {
    eventId: `evt-${id}`,
    transactionId: `txn-${id}`,
    cardholderId,
    cardId: `card-${cardholderId}`,
    cardLast4: '4242',
    amountMinor: 1999,
    currency: 'GBP',
    merchantName: 'CORNER SHOP',
    merchantCity: 'London',
    channel: 'CONTACTLESS',
    authorisedAt: new Date().toISOString(),
    ...overrides,
  };
}

export interface ReversalEventInput {
  eventId: string;
  reversalId: string;
  transactionId: string;
  cardholderId: string;
  cardId: string;
  cardLast4: string;
  kind: 'REVERSAL' | 'PARTIAL_REVERSAL' | 'REFUND' | 'PARTIAL_REFUND';
  amountMinor: number;
  currency: string;
  merchantName: string;
  merchantCity?: string;
  reversedAt: string;
}

/** A reversal of `original` (in full unless `overrides` says otherwise), as card.transactions.reversed carries it. */
export function makeReversal(
  original: TransactionEventInput,
  overrides: Partial<ReversalEventInput> = {},
): ReversalEventInput {
  const id = randomUUID();
  return {
    eventId: `rev-evt-${id}`,
    reversalId: `rev-${id}`,
    transactionId: original.transactionId,
    cardholderId: original.cardholderId,
    cardId: original.cardId,
    cardLast4: original.cardLast4,
    kind: 'REVERSAL',
    amountMinor: original.amountMinor,
    currency: original.currency,
    merchantName: original.merchantName,
    merchantCity: original.merchantCity,
    reversedAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * A mobile number distinct per index (for many cardholders). 074xx xxxxxx is wholly a valid UK mobile
 * range in libphonenumber's metadata (parts of 079xx are not, which made ~1% of contacts INVALID_PHONE).
 */
export function ukMobile(i: number): string {
  return `+4474${String(i % 100_000_000).padStart(8, '0')}`;
}
