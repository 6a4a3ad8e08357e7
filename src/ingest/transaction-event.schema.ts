import { z } from 'zod';
import { cardEventFields, EventParse, parseEventValue } from '../kafka/event-value';

// The contract of card.transactions.authorised (ARCHITECTURE.md). Unknown fields are ignored.
export const CHANNELS = ['POS', 'ECOMMERCE', 'ATM', 'CONTACTLESS', 'OTHER'] as const;

export const transactionEventSchema = z.object({
  ...cardEventFields,
  transactionId: z.string().min(1).max(64),
  amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  channel: z.enum(CHANNELS).optional(),
  authorisedAt: z.iso.datetime({ offset: true }),
});

export type TransactionEvent = z.infer<typeof transactionEventSchema>;

export type ParseOutcome = EventParse<TransactionEvent>;

/** Decides, for one Kafka value, whether it is a valid event or which DLQ reason applies. */
export function parseTransactionEvent(value: Buffer | null): ParseOutcome {
  return parseEventValue(value, transactionEventSchema);
}
