import { randomInt, randomUUID } from 'node:crypto';
import { formatTencentTime } from '../../providers/tencent/tencent.receipt';
import type { ReceiptOutcome } from '../sandbox.faults';
import type { StoredMessage } from '../sandbox.store';

// Pure formatting for the sandbox's Tencent Cloud SMS API 3.0: answers, status reports, records.

export interface TencentReply {
  status: number;
  body: unknown;
}

/** An HTTP 200 answer: `{ Response: { ...fields, RequestId } }`, as API 3.0 wraps everything. */
export function ok(fields: Record<string, unknown>): TencentReply {
  return { status: 200, body: { Response: { ...fields, RequestId: randomUUID() } } };
}

/** A request-level error: still HTTP 200, `Response.Error` (the SDK throws it with `code`). */
export function apiError(code: string, message: string): TencentReply {
  return ok({ Error: { Code: code, Message: message } });
}

/** A SerialNo in Tencent's shape, e.g. `2433:336123456789012345678901234`. */
export function serialNo(): string {
  let digits = '';
  while (digits.length < 27) digits += String(randomInt(1_000_000_000)).padStart(9, '0');
  return `${randomInt(1000, 10000)}:${digits}`;
}

/** The carrier's final word per simulated outcome: report_status, errmsg, description. */
export const REPORT: Record<
  ReceiptOutcome,
  { status: 'SUCCESS' | 'FAIL'; errmsg: string; description: string }
> = {
  delivered: { status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功' },
  undelivered: { status: 'FAIL', errmsg: 'UNDELIV', description: '用户短信未送达' },
  failed: { status: 'FAIL', errmsg: 'UNKNOWN', description: '未知错误' },
  expired: { status: 'FAIL', errmsg: 'EXPIRED', description: '短信过期' },
  rejected: { status: 'FAIL', errmsg: 'REJECTD', description: '短信被运营商拒绝' },
};

/** The E.164 number's country code and national number (`+8613800138000` → 86, 13800138000). */
export function splitNumber(e164: string): { nationcode: string; mobile: string } {
  const digits = e164.replace(/\D/g, '');
  for (const len of [1, 2, 3]) {
    const cc = digits.slice(0, len);
    if (KNOWN_CODES.has(cc)) return { nationcode: cc, mobile: digits.slice(len) };
  }
  return { nationcode: digits.slice(0, 2), mobile: digits.slice(2) };
}
const KNOWN_CODES = new Set(['1', '7', '44', '49', '61', '65', '81', '82', '86', '852', '853', '886']);

/** One status-callback item, the documented fields only. */
export function callbackItem(m: StoredMessage, at: number): Record<string, string> {
  const r = reportOf(m);
  return {
    user_receive_time: formatTencentTime(new Date(at)),
    ...splitNumber(`+${m.to}`),
    report_status: r.status,
    errmsg: m.errorCode ?? r.errmsg,
    description: r.description,
    sid: m.id,
  };
}

/** A PullSmsSendStatus(ByPhoneNumber) item: only for messages the carrier has reported on. */
export function pullItem(m: StoredMessage): Record<string, unknown> {
  const r = reportOf(m);
  const { nationcode, mobile } = splitNumber(`+${m.to}`);
  return {
    UserReceiveTime: Math.floor((m.finalAt ?? m.receivedAt) / 1000),
    CountryCode: nationcode,
    SubscriberNumber: mobile,
    PhoneNumber: `+${m.to}`,
    SerialNo: m.id,
    ReportStatus: r.status,
    Description: r.description,
    SessionContext: m.clientRef ?? '',
  };
}

/**
 * A DescribeSendRecordList item: SendStatus 2 delivered, 3 sending, 4 not delivered. Tencent stores the
 * content with parameters partly masked; the sandbox masks every digit.
 */
export function recordItem(m: StoredMessage): Record<string, unknown> {
  const final = m.finalAt !== undefined;
  const r = reportOf(m);
  return {
    PhoneNumber: `+${m.to}`,
    SerialNo: m.id,
    SendStatus: !final ? 3 : r.status === 'SUCCESS' ? 2 : 4,
    RequestCode: 'Ok',
    StatusCode: final ? (m.errorCode ?? r.errmsg) : '',
    IsoCode: splitNumber(`+${m.to}`).nationcode === '86' ? 'CN' : 'DEF',
    Content: m.body.replace(/\d/g, '*'),
    SendTime: Math.floor(m.receivedAt / 1000),
    UserReceiveTime: final && r.status === 'SUCCESS' ? Math.floor(m.finalAt! / 1000) : 0,
  };
}

function reportOf(m: StoredMessage): (typeof REPORT)[ReceiptOutcome] {
  return REPORT[(m.status as ReceiptOutcome) in REPORT ? (m.status as ReceiptOutcome) : 'delivered'];
}
