import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ProviderMessageStatus } from '../provider.interface';
import { mapAliyunReport } from './aliyun.codes';
import { parseAliyunTime } from './aliyun.wire';

/** One receipt of an SmsReport push, as the vendor-neutral receipt path applies it. */
export interface AliyunReceipt {
  /** OutId: our attempt id, the message id the adapter reported (aliyun.provider.ts says why). */
  providerMessageId: string;
  status: ProviderMessageStatus;
  /** err_code as Aliyun wrote it: DELIVERED, or the carrier's code (MK:0001, UNDELIV ...). */
  providerStatus: string;
  errorCode: string | null;
  /** report_time as an instant (Aliyun writes Beijing time without a zone). */
  reportedAt: Date;
  bizId: string;
  /** sms_size: the parts Aliyun billed. */
  parts: number | null;
}

/**
 * Reports in one push: Aliyun batches them. The body's size is bounded before this by the webhook routes'
 * HTTP_WEBHOOK_BODY_MAX_BYTES (16 KB by default: some 60 reports of ~250 bytes).
 */
export const ALIYUN_REPORT_LIMITS = { maxItems: 500 } as const;

const text = (max: number) => z.string().max(max);
const time = z.string().refine((v) => Number.isFinite(parseAliyunTime(v)), 'not a yyyy-MM-dd HH:mm:ss time');

// Aliyun adds fields without notice: the ones we read are checked, the others ignored.
const item = z.object({
  phone_number: text(32),
  send_time: time,
  report_time: time,
  success: z.boolean(),
  err_code: text(64),
  err_msg: text(512).optional(),
  sms_size: z.union([z.string().regex(/^\d{1,3}$/), z.number().int().min(0).max(999)]).optional(),
  biz_id: text(64),
  // We always send OutId; a report without one (another system on the account) is not ours to apply.
  out_id: text(64).optional(),
});
const batch = z.array(z.unknown()).min(1).max(ALIYUN_REPORT_LIMITS.maxItems);

export class AliyunReportError extends Error {
  override readonly name = 'AliyunReportError';
}

export interface ParsedReport {
  receipts: AliyunReceipt[];
  /** Reports without an OutId: acknowledged, never applied. */
  foreign: number;
  /** Reports whose report_time is outside the replay window: acknowledged, never applied. */
  stale: number;
}

export interface ReplayWindow {
  now: Date;
  maxAgeSeconds: number;
  maxFutureSkewSeconds: number;
}

/**
 * An SmsReport push body (a JSON array) into receipts. A malformed body or item refuses the whole batch
 * (AliyunReportError, a 400 naming the item and field); nothing from it is applied. An item whose
 * report_time is older than the replay window or ahead of our clock is counted as stale and skipped: Aliyun
 * signs nothing, so the secret path is the authentication and the window bounds what a captured batch can
 * replay (a replay inside it is deduplicated by the receipt store).
 */
export function parseAliyunReport(body: unknown, window: ReplayWindow): ParsedReport {
  const list = batch.safeParse(body);
  if (!list.success)
    throw new AliyunReportError(`body must be a JSON array of 1 to ${ALIYUN_REPORT_LIMITS.maxItems} reports`);
  const out: ParsedReport = { receipts: [], foreign: 0, stale: 0 };
  const now = window.now.getTime();
  list.data.forEach((raw, i) => {
    const parsed = item.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AliyunReportError(`[${i}].${issue.path.join('.') || '(item)'}: ${issue.message}`);
    }
    const r = parsed.data;
    if (!r.out_id) {
      out.foreign++;
      return;
    }
    const reportedAt = parseAliyunTime(r.report_time);
    if (
      now - reportedAt > window.maxAgeSeconds * 1000 ||
      reportedAt - now > window.maxFutureSkewSeconds * 1000
    ) {
      out.stale++;
      return;
    }
    out.receipts.push({
      providerMessageId: r.out_id,
      status: mapAliyunReport(r.success, r.err_code),
      providerStatus: r.err_code || (r.success ? 'DELIVERED' : 'FAILED'),
      errorCode: r.success ? null : r.err_code || null,
      reportedAt: new Date(reportedAt),
      bizId: r.biz_id,
      parts: r.sms_size === undefined ? null : Number(r.sms_size),
    });
  });
  return out;
}

/**
 * Is `presented` (the last path segment of the request) our ALIYUN_RECEIPT_SECRET? Both sides are hashed
 * first so the comparison takes the same time whatever the length or content of a guess.
 */
export function aliyunReceiptSecretMatches(presented: unknown, secret: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 256) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/** Aliyun's expected answer to a push: anything else makes it push the batch again. */
export const ALIYUN_REPORT_ACK = { code: 0, msg: '接收成功' } as const;
