import { z } from 'zod';
import { containsCardNumber } from '../common/card-number';
import { cardEventFields, EventParse, parseEventValue } from '../kafka/event-value';

// The contract of card.transactions.reversed (docs/contracts.md, "Correction alerts"). Unknown fields are
// ignored; the checks before the schema (size, card numbers, depth, characters) are the transactions'.
export const REVERSAL_KINDS = ['REVERSAL', 'PARTIAL_REVERSAL', 'REFUND', 'PARTIAL_REFUND'] as const;
export type ReversalKind = (typeof REVERSAL_KINDS)[number];

export const reversalEventSchema = z.object({
  ...cardEventFields,
  /** The dedupe key: one correction per reversalId, ever. */
  reversalId: z.string().min(1).max(64),
  /** The original authorisation's transactionId (card.transactions.authorised). */
  transactionId: z.string().min(1).max(64),
  kind: z.enum(REVERSAL_KINDS),
  /** What this event gives back, in the currency's minor units; never more than the original. */
  amountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  reversedAt: z.iso.datetime({ offset: true }),
});

export type ReversalEvent = z.infer<typeof reversalEventSchema>;

/** Decides, for one Kafka value, whether it is a valid reversal or which DLQ reason applies. */
export function parseReversalEvent(
  value: Buffer | null,
):
  | EventParse<ReversalEvent>
  | { ok: false; code: 'CARD_NUMBER_DETECTED'; detail: string; withhold: string[] } {
  const parsed = parseEventValue(value, reversalEventSchema);
  if (!parsed.ok) return parsed;
  const { merchantName, merchantCity } = parsed.event;
  // Harmless alone, a card number joined as the SMS would show them ("SHOP 4111 1111 1111, 1111").
  if (merchantCity && containsCardNumber(`${merchantName}, ${merchantCity}`)) {
    return {
      ok: false,
      code: 'CARD_NUMBER_DETECTED',
      detail: 'merchantName, merchantCity: joined they make a full card number',
      withhold: ['merchantName', 'merchantCity'],
    };
  }
  return parsed;
}
