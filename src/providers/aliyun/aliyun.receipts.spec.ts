import fc from 'fast-check';
import { ProviderMessageStatus as P } from '../provider.interface';
import { aliyunReceiptSecretMatches, AliyunReportError, parseAliyunReport } from './aliyun.receipts';
import { aliyunTime } from './aliyun.wire';

const now = new Date('2026-12-07T02:00:00Z');
const window = { now, maxAgeSeconds: 300, maxFutureSkewSeconds: 30 };
const report = (over: Record<string, unknown> = {}) => ({
  phone_number: '13800138000',
  send_time: aliyunTime(new Date(now.getTime() - 10_000)),
  report_time: aliyunTime(new Date(now.getTime() - 5_000)),
  success: true,
  err_code: 'DELIVERED',
  err_msg: '用户接收成功',
  sms_size: '1',
  biz_id: '900619746936498440^0',
  out_id: '7d2c1a8e-5d6b-4b35-9a55-4f7c0e0d2a11',
  ...over,
});

describe('Aliyun SmsReport push', () => {
  it('reads a batch: delivered and undelivered, times in Beijing time', () => {
    const parsed = parseAliyunReport(
      [report(), report({ success: false, err_code: 'MK:0001', out_id: 'a2', sms_size: '2' })],
      window,
    );
    expect(parsed.receipts).toEqual([
      expect.objectContaining({
        providerMessageId: report().out_id,
        status: P.DELIVERED,
        providerStatus: 'DELIVERED',
        errorCode: null,
        reportedAt: new Date(now.getTime() - 5_000),
        parts: 1,
      }),
      expect.objectContaining({
        providerMessageId: 'a2',
        status: P.UNDELIVERED,
        errorCode: 'MK:0001',
        parts: 2,
      }),
    ]);
  });

  it('skips reports outside the replay window and reports without our OutId', () => {
    const parsed = parseAliyunReport(
      [
        report({ report_time: aliyunTime(new Date(now.getTime() - 301_000)) }),
        report({ report_time: aliyunTime(new Date(now.getTime() + 31_000)) }),
        report({ out_id: undefined }),
        report(),
      ],
      window,
    );
    expect(parsed).toMatchObject({ stale: 2, foreign: 1 });
    expect(parsed.receipts).toHaveLength(1);
  });

  it('refuses a malformed batch as a whole, naming the item and field', () => {
    expect(() => parseAliyunReport([report(), report({ success: 'yes' })], window)).toThrow(/\[1\]\.success/);
    expect(() => parseAliyunReport([report({ report_time: '2026-02-31 00:00:00' })], window)).toThrow(
      /\[0\]\.report_time/,
    );
    expect(() => parseAliyunReport([], window)).toThrow(AliyunReportError);
    expect(() => parseAliyunReport({ not: 'an array' }, window)).toThrow(AliyunReportError);
  });

  it('never throws anything but AliyunReportError on hostile bodies, and applies only well-formed items', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.array(fc.oneof(fc.anything(), fc.record({ out_id: fc.string(), success: fc.boolean() }))),
        ),
        (body) => {
          try {
            const parsed = parseAliyunReport(body, window);
            for (const r of parsed.receipts) {
              expect(typeof r.providerMessageId).toBe('string');
              expect(Number.isFinite(r.reportedAt.getTime())).toBe(true);
            }
          } catch (err) {
            expect(err).toBeInstanceOf(AliyunReportError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts any field Aliyun adds, and mutated valid items either parse or are refused cleanly', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 12 }), fc.anything(), { maxKeys: 4 }), (extra) => {
        const body = [
          { ...extra, ...report() },
          { ...report(), ...extra },
        ];
        try {
          parseAliyunReport(body, window);
        } catch (err) {
          expect(err).toBeInstanceOf(AliyunReportError);
        }
      }),
    );
  });

  it('checks the path secret in constant time', () => {
    const secret = 'a'.repeat(40);
    expect(aliyunReceiptSecretMatches(secret, secret)).toBe(true);
    expect(aliyunReceiptSecretMatches(`${secret}b`, secret)).toBe(false);
    expect(aliyunReceiptSecretMatches(undefined, secret)).toBe(false);
    expect(aliyunReceiptSecretMatches('', secret)).toBe(false);
    fc.assert(
      fc.property(fc.string(), (guess) => aliyunReceiptSecretMatches(guess, secret) === (guess === secret)),
    );
  });
});
