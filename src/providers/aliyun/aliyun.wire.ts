// How Aliyun writes numbers and dates on the wire, shared by the adapter, the receipt parser and the sandbox.

/** Mainland numbers as the 11 bare digits Aliyun wants; others as country code and number, no '+'. */
export function aliyunPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return digits.startsWith('86') && digits.length === 13 ? digits.slice(2) : digits;
}

/** The E.164 form of an Aliyun number (11 digits starting with 1: mainland). */
export function e164FromAliyun(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return /^1\d{10}$/.test(digits) ? `+86${digits}` : `+${digits}`;
}

const BEIJING_MS = 8 * 3_600_000;

/** yyyyMMdd of Aliyun's (Beijing, UTC+8, no daylight saving) day: QuerySendDetails' SendDate. */
export function aliyunDay(at: Date): string {
  return new Date(at.getTime() + BEIJING_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time: SmsReport's send_time / report_time, QuerySendDetails' dates. */
export function aliyunTime(at: Date): string {
  return new Date(at.getTime() + BEIJING_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant of an Aliyun "yyyy-MM-dd HH:mm:ss" Beijing time; NaN when it is not one. */
export function parseAliyunTime(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  // Date.UTC rolls 2026-02-31 over into March: a date that does not exist is not a time.
  if (new Date(ms).getUTCDate() !== +m[3] || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return NaN;
  return ms - BEIJING_MS;
}

/** An endpoint URL split the way the SDK takes it: `endpoint` host[:port] and `protocol`. */
export function sdkEndpoint(url: string): { endpoint: string; protocol: 'http' | 'https' } {
  const u = new URL(url);
  return { endpoint: u.host, protocol: u.protocol === 'http:' ? 'http' : 'https' };
}
