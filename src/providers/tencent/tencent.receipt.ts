import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ProviderMessageStatus } from '../provider.interface';
import { mapTencentReportStatus } from './tencent.codes';

// Tencent Cloud SMS "SMS Sending Status Notification" (https://www.tencentcloud.com/document/api/382/43547):
// a JSON array, possibly of several reports, each with exactly these documented fields. Tencent signs
// nothing and sends no timestamp of its own, and the console takes only a URL: the one secret we can give it
// is in that URL (`?token=`, TENCENT_CALLBACK_TOKEN), checked in constant time (docs/providers.md).

/** Reports in one callback; Tencent batches them, a larger body is refused before anything is applied. */
export const TENCENT_MAX_REPORTS = 500;

const text = (max: number) => z.string().max(max);
const report = z.object({
  user_receive_time: text(32),
  nationcode: text(8),
  mobile: text(32),
  report_status: text(16),
  errmsg: text(64),
  description: text(256),
  sid: z.string().min(1).max(128),
});
// Fields Tencent may add later are ignored (zod strips them); what we read must be there and bounded.
const callbackBody = z.array(report).min(1).max(TENCENT_MAX_REPORTS);

export type TencentStatusReport = z.infer<typeof report>;

export interface TencentReceipt {
  providerMessageId: string;
  status: ProviderMessageStatus;
  providerStatus: string;
  errorCode: string | null;
  /** When the handset got it, per Tencent (China Standard Time in the callback); null when unreadable. */
  userReceiveTime: Date | null;
}

export class TencentCallbackError extends Error {
  override readonly name = 'TencentCallbackError';
}

/** The callback body, checked field by field; the error names the first bad field, never its value. */
export function parseTencentCallback(body: unknown): TencentStatusReport[] {
  const result = callbackBody.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : '(body)';
  throw new TencentCallbackError(`Tencent status callback: ${where}: ${issue.message}`);
}

/** One report as a receipt: SUCCESS delivered; FAIL undelivered with the carrier's `errmsg` as the code. */
export function tencentReceipt(r: TencentStatusReport): TencentReceipt {
  const status = mapTencentReportStatus(r.report_status);
  return {
    providerMessageId: r.sid,
    status,
    providerStatus: r.report_status,
    errorCode: status === ProviderMessageStatus.DELIVERED || r.errmsg === '' ? null : r.errmsg,
    userReceiveTime: parseTencentTime(r.user_receive_time),
  };
}

// Tencent's servers write local time in mainland China (UTC+8, no daylight saving).
const CHINA_OFFSET = '+08:00';

/** `2015-10-17 08:03:04` (China Standard Time) to a Date; null when it is not that shape. */
export function parseTencentTime(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${CHINA_OFFSET}`);
  if (Number.isNaN(at.getTime())) return null;
  // Date rolls 2024-02-31 over to March: a date that does not exist is not a time.
  return formatTencentTime(at) === value ? at : null;
}

/** A Date as Tencent writes it: `YYYY-MM-DD HH:mm:ss` in China Standard Time. */
export function formatTencentTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Why a report's time is outside the window (older than `maxAgeSeconds`, or ahead of our clock by more
 * than `futureSkewSeconds`), or null when it is inside. The time is Tencent's, unsigned: the window keeps
 * an old callback from being applied again much later; within it the receipts' dedupe stops a replay.
 */
export function tencentTimeProblem(
  at: Date | null,
  nowMs: number,
  maxAgeSeconds: number,
  futureSkewSeconds: number,
): string | null {
  if (!at) return 'user_receive_time is not YYYY-MM-DD HH:mm:ss';
  const age = Math.floor((nowMs - at.getTime()) / 1000);
  if (age > maxAgeSeconds)
    return `user_receive_time is ${age} s old; at most ${maxAgeSeconds} s are accepted`;
  if (-age > futureSkewSeconds)
    return `user_receive_time is ${-age} s ahead of this server's clock; at most ${futureSkewSeconds} s are accepted`;
  return null;
}

/**
 * The URL's token against the configured one, in constant time whatever either's length (both are hashed
 * first, so the comparison cannot tell how much of a guess was right, nor how long the token is).
 */
export function tencentTokenMatches(presented: unknown, configured: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(configured, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** What Tencent expects back: `result` 0 means taken (anything else makes it retry). */
export const TENCENT_CALLBACK_OK = { result: 0, errmsg: 'OK' } as const;
