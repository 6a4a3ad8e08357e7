import { z } from 'zod';
import { CorrectionRefusal, CorrectionSkipReason } from '../corrections/correction-decision';
import { ReversalState } from '../corrections/corrections.types';
import { REVERSAL_KINDS } from '../corrections/reversal-event.schema';
import { AttemptStatus } from '../notifications/notification.types';
import { NotificationStatus, SkipReason } from '../notifications/notification-status';
import { CATEGORIES } from '../reconciliation/reconciliation.report';

// Response shapes of the api role, as zod schemas only so that z.toJSONSchema writes the OpenAPI
// components; openapi.spec.ts checks their fields against what notification.view.ts really returns.
const dateTime = z.string().meta({ format: 'date-time' });
const text = z.string().nullable();

export const notificationViewSchema = z
  .object({
    id: z.uuid(),
    kind: z
      .enum(['ALERT', 'CORRECTION'])
      .describe('CORRECTION: the SMS for a reversal or refund of an alert'),
    originalNotificationId: z.uuid().nullable().describe('a correction: the alert it corrects'),
    transactionId: z.string().describe('a correction has its own, correction:<id>'),
    eventId: z.string(),
    cardholderId: z.string(),
    cardLast4: z.string().regex(/^\d{4}$/),
    amountMinor: z.int().min(0).describe('amount in the currency minor units'),
    currency: z.string().length(3),
    merchantName: z.string(),
    merchantCity: text,
    channel: text,
    authorisedAt: dateTime,
    receivedAt: dateTime,
    status: z.enum(NotificationStatus),
    skipReason: z.enum({ ...SkipReason, ...CorrectionSkipReason, ...CorrectionRefusal }).nullable(),
    overdue: z.boolean().describe('SENT with no final receipt past the receipt SLA'),
    phone: text.describe('E.164; masked for the support role, whole for supervisors'),
    contactVersion: z.int().nullable(),
    locale: text,
    text: text.describe('the SMS text as sent'),
    segments: z.int().nullable(),
    encoding: text,
    provider: text,
    providerMessageId: text,
    lastErrorCode: text,
    lastErrorDetail: text,
    deadlineAt: dateTime.nullable(),
    acceptedAt: dateTime.nullable(),
    finalAt: dateTime.nullable(),
    updatedAt: dateTime,
    purged: z
      .boolean()
      .describe(
        'true once the retention purge (PERSONAL_DATA_RETENTION_DAYS) removed the number, the text and error texts',
      ),
    purgedAt: dateTime.nullable(),
    purgedNotice: text.describe('says in words what purged means; null while the details are kept'),
  })
  .meta({ description: 'One alert: one per transactionId, ever; or one correction per reversalId.' });

export const reversalLinkSchema = z
  .object({
    reversalId: z.string(),
    originalTransactionId: z.string(),
    reversalKind: z.enum(REVERSAL_KINDS),
    amountMinor: z.int().min(1),
    currency: z.string().length(3),
    reversedAt: dateTime,
    state: z.enum(ReversalState),
    reason: text,
    correctionId: z.uuid(),
    correctionStatus: z.enum(NotificationStatus),
    originalId: z.uuid().nullable(),
    originalStatus: z.enum(NotificationStatus).nullable(),
  })
  .meta({ description: 'A reversal event, its correction alert and the original alert it corrects.' });

export const replySchema = z
  .object({
    replyId: z.uuid(),
    provider: z.string(),
    from: text.describe(
      "the cardholder's number: masked to its last 3 digits for support, whole for a supervisor",
    ),
    text: z.string().describe('as received; numbers in it masked for support'),
    classification: z.enum(['NOT_RECOGNISED', 'OTHER']),
    keyword: text.describe('the unrecognised-transaction keyword it began with'),
    alertSentAt: dateTime.nullable().describe('when a provider accepted the alert replied to'),
    receivedAt: dateTime,
  })
  .meta({
    description: 'A cardholder\'s reply to the alert (docs/contracts.md, "The cardholder\'s reply").',
  });

export const attemptSchema = z
  .object({
    attemptNo: z.int().min(1),
    provider: z.string(),
    status: z.enum(AttemptStatus),
    providerMessageId: text,
    errorCode: text,
    errorDetail: text,
    segments: z.int().nullable(),
    handsetText: text.describe(
      'what the handset displayed when it differs from the alert text (a template vendor’s 【signature】 and template); numbers masked for support',
    ),
    startedAt: dateTime,
    finishedAt: dateTime.nullable(),
  })
  .meta({ description: 'One call to a provider; IN_FLIGHT until the provider answered.' });

export const timelineEventSchema = z.object({
  at: dateTime,
  type: z
    .string()
    .describe('a status it moved to, or a history event such as RECEIPT, FAILOVER, RESEND_REQUESTED'),
  status: z.enum(NotificationStatus).nullable(),
  provider: text,
  providerMessageId: text,
  errorCode: text,
  detail: text,
});

export const notificationDetailSchema = notificationViewSchema
  .extend({
    attempts: z.array(attemptSchema),
    timeline: z.array(timelineEventSchema),
    corrections: z.array(reversalLinkSchema).describe('an alert: the reversals of its transaction'),
    correctionOf: reversalLinkSchema.nullable().describe('a correction: its reversal and original'),
    replies: z.array(replySchema).describe("the cardholder's replies linked to it, oldest first"),
  })
  .meta({ description: 'The alert, its attempts and its event timeline.' });

export const searchResultSchema = z
  .object({
    items: z.array(notificationViewSchema),
    nextCursor: z
      .string()
      .nullable()
      .describe('pass as ?cursor= with the same search for the next page; null on the last page'),
  })
  .meta({ description: 'One page, newest authorisation first.' });

const idList = z
  .object({ count: z.int().min(0), transactionIds: z.array(z.string()) })
  .meta({ description: 'The exact count and at most listLimit of the ids.' });

export const reconciliationReportSchema = z.object({
  window: z.object({ from: dateTime, to: dateTime }),
  listed: z.int(),
  distinct: z.int(),
  duplicates: z.int(),
  invalid: z.int(),
  listLimit: z.int(),
  truncated: z.boolean(),
  skippedByReason: z.record(z.string(), idList),
  unexpected: idList,
  outsideWindow: idList,
  reversalsWithoutCorrection: z
    .record(z.string(), idList)
    .describe(
      'reversals dated in the window with no correction on its way, by why (WAITING_FOR_ORIGINAL, a skip or refusal reason, or FAILED/EXPIRED/UNDELIVERED); the original transactionIds',
    ),
  elapsedMs: z.number(),
  ...Object.fromEntries(CATEGORIES.map((c) => [c, idList])),
});

export const reconciliationRequestSchema = z
  .object({ from: dateTime, to: dateTime, transactionIds: z.array(z.string().max(200)) })
  .meta({ description: 'JSON form, for short lists (RECONCILIATION_JSON_MAX_BYTES, default 100 kB).' });

export const sessionSchema = z
  .object({
    principal: z.string().describe('key-<fingerprint>, never the key'),
    role: z.enum(['support', 'supervisor']),
  })
  .meta({ description: 'The principal and role of the presented API key.' });

export const errorSchema = z.object({
  statusCode: z.int(),
  error: z.string().optional(),
  message: z.union([z.string(), z.array(z.string())]).describe('400 lists every failing field'),
});

/** The names under components/schemas; a shape used inside another is written there as a $ref. */
export const COMPONENTS = {
  Notification: notificationViewSchema,
  Attempt: attemptSchema,
  TimelineEvent: timelineEventSchema,
  NotificationDetail: notificationDetailSchema,
  NotificationList: searchResultSchema,
  IdList: idList,
  ReconciliationReport: reconciliationReportSchema,
  ReconciliationRequest: reconciliationRequestSchema,
  Session: sessionSchema,
  Error: errorSchema,
} satisfies Record<string, z.ZodType>;
export type ComponentName = keyof typeof COMPONENTS;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) for every shape above, referring to each other by $ref. */
export function componentSchemas(): Record<string, object> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(out).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as object]),
  );
}
