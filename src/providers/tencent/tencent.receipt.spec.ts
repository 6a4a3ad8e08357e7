import fc from 'fast-check';
import { ProviderMessageStatus as P } from '../provider.interface';
import {
  formatTencentTime,
  parseTencentCallback,
  parseTencentTime,
  TENCENT_MAX_REPORTS,
  TencentCallbackError,
  tencentReceipt,
  tencentTimeProblem,
  tencentTokenMatches,
} from './tencent.receipt';
import { tencentReport } from './testing/tencent-report';

const report = tencentReport;

describe('Tencent status callback', () => {
  it('reads the documented array, several reports at once', () => {
    const parsed = parseTencentCallback([
      report(),
      report({ report_status: 'FAIL', errmsg: 'UNDELIV', sid: 'b', extra: 'ignored' }),
    ]);
    expect(parsed.map(tencentReceipt)).toEqual([
      {
        providerMessageId: '2433:336123456789012345678901234',
        status: P.DELIVERED,
        providerStatus: 'SUCCESS',
        errorCode: null,
        userReceiveTime: new Date('2026-12-07T02:03:04Z'),
      },
      {
        providerMessageId: 'b',
        status: P.UNDELIVERED,
        providerStatus: 'FAIL',
        errorCode: 'UNDELIV',
        userReceiveTime: new Date('2026-12-07T02:03:04Z'),
      },
    ]);
    expect(parsed[1]).not.toHaveProperty('extra');
  });

  it('names the bad field, never its value', () => {
    expect(() => parseTencentCallback([report({ sid: '' })])).toThrow('Tencent status callback: 0.sid:');
    expect(() => parseTencentCallback([report({ mobile: 13800138000 })])).toThrow(/0\.mobile/);
    expect(() => parseTencentCallback({})).toThrow('(body)');
    expect(() => parseTencentCallback([])).toThrow('(body)');
    const many = Array.from({ length: TENCENT_MAX_REPORTS + 1 }, () => report());
    expect(() => parseTencentCallback(many)).toThrow(TencentCallbackError);
    try {
      parseTencentCallback([report({ mobile: 'x'.repeat(40) + '13800138000' })]);
    } catch (err) {
      expect((err as Error).message).not.toContain('13800138000');
    }
  });

  it('hostile bodies: anything is either a bounded list of reports or a TencentCallbackError', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.double());
    const item = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 20 }), value),
      fc.record({
        user_receive_time: value,
        nationcode: value,
        mobile: value,
        report_status: value,
        errmsg: value,
        description: value,
        sid: value,
      }),
      value,
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(item, { maxLength: 8 }), item, fc.jsonValue()), (body) => {
        let parsed;
        try {
          parsed = parseTencentCallback(body);
        } catch (err) {
          expect(err).toBeInstanceOf(TencentCallbackError);
          return;
        }
        expect(parsed.length).toBeGreaterThan(0);
        for (const r of parsed.map(tencentReceipt)) {
          expect(typeof r.providerMessageId).toBe('string');
          expect(Object.values(P)).toContain(r.status);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads China Standard Time and refuses what is not a real time', () => {
    expect(parseTencentTime('2015-10-17 08:03:04')).toEqual(new Date('2015-10-17T00:03:04Z'));
    for (const bad of ['2015-02-31 08:03:04', '2015-10-17T08:03:04', '', '2015-10-17 24:00:00', 'x'])
      expect(parseTencentTime(bad)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (s) => {
        const at = new Date(s * 1000);
        expect(parseTencentTime(formatTencentTime(at))).toEqual(at);
      }),
    );
  });

  it('a report outside the time window is named, inside is not', () => {
    const now = Date.parse('2026-12-07T02:00:00Z');
    expect(tencentTimeProblem(new Date(now - 10_000), now, 3600, 30)).toBeNull();
    expect(tencentTimeProblem(new Date(now - 3_601_000), now, 3600, 30)).toMatch(/3601 s old/);
    expect(tencentTimeProblem(new Date(now + 31_000), now, 3600, 30)).toMatch(/31 s ahead/);
    expect(tencentTimeProblem(null, now, 3600, 30)).toMatch(/not YYYY-MM-DD/);
  });

  it('the path token matches only itself', () => {
    const token = 'a-long-configured-callback-token-0123456789';
    expect(tencentTokenMatches(token, token)).toBe(true);
    for (const bad of [
      undefined,
      '',
      token.slice(0, -1),
      `${token}x`,
      token.toUpperCase(),
      42,
      'x'.repeat(600),
    ])
      expect(tencentTokenMatches(bad, token)).toBe(false);
    fc.assert(fc.property(fc.string(), (guess) => tencentTokenMatches(guess, token) === (guess === token)));
  });
});
