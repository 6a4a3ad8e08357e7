/** A valid reversal event (card.transactions.reversed), for specs and the e2e; override what a test needs. */
export const baseReversal = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventId: 'rev-evt-1',
  reversalId: 'rev-1',
  transactionId: 'txn-1',
  cardholderId: 'ch-1',
  cardId: 'card-tok-1',
  cardLast4: '4242',
  kind: 'REVERSAL',
  amountMinor: 1250,
  currency: 'EUR',
  merchantName: 'ACME STORE',
  merchantCity: 'Berlin',
  reversedAt: '2026-11-22T14:09:00+01:00',
  ...over,
});
