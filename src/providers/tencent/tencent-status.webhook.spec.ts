import { BadRequestException, ForbiddenException } from '@nestjs/common';
import type { Request } from 'express';
import fc from 'fast-check';
import { Clock } from '../../common/clock';
import { webhookGuard } from '../../receipts/testing/webhook-guard';
import { loadConfig } from '../provider-config';
import { ProviderMessageStatus as P } from '../provider.interface';
import { TencentStatusWebhook } from './tencent-status.webhook';
import { tencent } from './tencent.definition';
import { formatTencentTime } from './tencent.receipt';
import { tencentReport } from './testing/tencent-report';

const TOKEN = 'a-configured-tencent-callback-token-0123456789';
const NOW = Date.parse('2026-12-07T02:00:00Z');

function setup() {
  const config = loadConfig({ TENCENT_CALLBACK_TOKEN: TOKEN });
  const clock: Clock = { now: () => new Date(NOW) };
  const handler = new TencentStatusWebhook(config, clock);
  const guard = webhookGuard(config, tencent, 'status', handler);
  const run = (body: unknown, query: Record<string, unknown> = { token: TOKEN }) =>
    guard.run({ ip: '198.51.100.7', query, body });
  const refused = async (status: string) =>
    (await guard.metrics.receipts.get()).values.find((v) => v.labels.status === status)?.value ?? 0;
  return { handler, run, refused };
}

const report = (over: Record<string, unknown> = {}) =>
  tencentReport({ user_receive_time: formatTencentTime(new Date(NOW - 5000)), ...over });

describe('Tencent status callback webhook', () => {
  it('passes the configured token and parses every report', async () => {
    const { handler, run } = setup();
    const body = [report(), report({ sid: 's2', report_status: 'FAIL', errmsg: 'UNDELIV' })];
    await expect(run(body)).resolves.toBe(true);
    expect(handler.parse({ body } as Request)).toEqual([
      { providerMessageId: body[0].sid, status: P.DELIVERED, providerStatus: 'SUCCESS', errorCode: null },
      { providerMessageId: 's2', status: P.UNDELIVERED, providerStatus: 'FAIL', errorCode: 'UNDELIV' },
    ]);
  });

  it('refuses a missing or wrong token (403, BAD_SIGNATURE), whatever the body', async () => {
    const { run, refused } = setup();
    await expect(run([report()], {})).rejects.toThrow(ForbiddenException);
    await expect(run([report()], { token: 'sandbox-tencent-callback-token' })).rejects.toThrow(
      ForbiddenException,
    );
    await expect(run([report()], { token: [TOKEN, TOKEN] })).rejects.toThrow(ForbiddenException);
    await expect(run([report()], { token: `${TOKEN}x` })).rejects.toThrow(
      /missing or wrong Tencent callback token/,
    );
    expect(await refused('BAD_SIGNATURE')).toBe(4);
  });

  it('refuses a callback with a report older than the window or from the future (STALE_TIMESTAMP)', async () => {
    const { run, refused } = setup();
    const old = formatTencentTime(new Date(NOW - 259_201_000));
    await expect(run([report(), report({ user_receive_time: old })])).rejects.toThrow(/report 1: .* s old/);
    const ahead = formatTencentTime(new Date(NOW + 60_000));
    await expect(run([report({ user_receive_time: ahead })])).rejects.toThrow(/ahead of this server's clock/);
    expect(await refused('STALE_TIMESTAMP')).toBe(2);
  });

  it('hostile bodies with the right token: a 400 naming the field, or bounded receipts; never another error', () => {
    const { handler } = setup();
    const value = fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null), fc.boolean());
    const item = fc.oneof(
      fc.record({ ...Object.fromEntries(Object.keys(report()).map((k) => [k, value])) }),
      fc.dictionary(fc.string({ maxLength: 10 }), value),
      value,
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(item, { maxLength: 6 }), item, fc.jsonValue()), (body) => {
        try {
          for (const r of handler.parse({ body } as Request)) {
            expect(typeof r.providerMessageId).toBe('string');
            expect(r.providerMessageId.length).toBeLessThanOrEqual(128);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(BadRequestException);
        }
      }),
      { numRuns: 500 },
    );
  });
});
