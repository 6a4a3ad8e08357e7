import { z } from 'zod';

/** The cardholder's reply (docs/design.md, "The cardholder's reply"; docs/contracts.md). */
export const replySettings = {
  // Every reply is published here for the bank's fraud system, at least once, keyed by cardholder.
  KAFKA_TOPIC_REPLIES: z.string().min(1).default('card.alerts.replies'),
  // A reply is linked to the latest alert accepted for its number within this many hours before it came.
  // 72 h is the three working days within which RBI's 2017 circular gives the cardholder zero liability:
  // a reply within it is the report of that alert. Beyond a week which alert a reply means is a guess, so
  // a later reply is kept and published unlinked instead.
  REPLY_LINK_WINDOW_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(72),
  // The outbox publisher: how often one dispatcher looks for unpublished replies, and at most how many it
  // publishes per round (one Kafka request; a backlog drains in rounds, never one unbounded send).
  REPLY_PUBLISH_INTERVAL_MS: z.coerce.number().int().min(50).max(60000).default(500),
  REPLY_PUBLISH_BATCH: z.coerce.number().int().min(1).max(1000).default(200),
};
