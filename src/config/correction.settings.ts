import { z } from 'zod';

/** Correction alerts (docs/design.md, "Correction alerts"; docs/contracts.md). */
export const correctionSettings = {
  KAFKA_TOPIC_REVERSALS: z.string().min(1).default('card.transactions.reversed'),
  // Its own group: a reversal backlog never holds up the transactions' consumer, nor the reverse.
  KAFKA_REVERSALS_GROUP_ID: z.string().min(1).default('alertline-reversals'),
  // A reversal whose original alert has not arrived waits this long, then is SKIPPED NO_ORIGINAL (a
  // correction for a charge the cardholder never heard of would only confuse). Upstream sends the
  // authorisation first; an hour covers a late or replayed original topic.
  CORRECTION_ORIGINAL_WAIT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .default(3600),
  // Original transactions whose waiting reversals one sweeper run decides.
  CORRECTION_SWEEP_LIMIT: z.coerce.number().int().min(1).max(100000).default(1000),
};
