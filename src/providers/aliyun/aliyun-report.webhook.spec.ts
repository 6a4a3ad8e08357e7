import { BadRequestException, ForbiddenException } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../../common/clock';
import { webhookGuard } from '../../receipts/testing/webhook-guard';
import { loadConfig } from '../provider-config';
import { ProviderMessageStatus as P } from '../provider.interface';
import { AliyunReportWebhook } from './aliyun-report.webhook';
import { aliyun } from './aliyun.definition';
import { aliyunTime } from './aliyun.wire';

const TOKEN = 'a-test-aliyun-receipt-token-0123456789';
const NOW = Date.parse('2026-12-07T02:00:00Z');

function setup() {
  const config = loadConfig({ ALIYUN_RECEIPT_SECRET: TOKEN });
  const clock: Clock = { now: () => new Date(NOW) };
  const handler = new AliyunReportWebhook(config, clock);
  const guard = webhookGuard(config, aliyun, 'report', handler);
  const refused = async (status: string) =>
    (await guard.metrics.receipts.get()).values.find((v) => v.labels.status === status)?.value ?? 0;
  return { handler, guard, refused };
}

const report = (ageMs: number, over: Record<string, unknown> = {}) => ({
  phone_number: '13800138000',
  send_time: aliyunTime(new Date(NOW - ageMs - 3000)),
  report_time: aliyunTime(new Date(NOW - ageMs)),
  success: true,
  err_code: 'DELIVERED',
  err_msg: '用户接收成功',
  sms_size: '1',
  biz_id: '123456789012345678^0',
  out_id: 'd5b3b3a6-0c41-4a57-9c73-0d0f8f6b9a01',
  ...over,
});

describe('Aliyun SmsReport webhook', () => {
  it('takes a batch with the right token and parses its receipts', async () => {
    const { handler, guard } = setup();
    const body = [report(2000), report(1000, { success: false, err_code: 'MN:0017', out_id: 'x2' })];
    await expect(guard.run({ ip: '203.0.113.9', query: { token: TOKEN }, body })).resolves.toBe(true);
    expect(handler.parse({ query: { token: TOKEN }, body } as unknown as Request)).toEqual([
      {
        providerMessageId: report(0).out_id,
        status: P.DELIVERED,
        providerStatus: 'DELIVERED',
        errorCode: null,
      },
      { providerMessageId: 'x2', status: P.UNDELIVERED, providerStatus: 'MN:0017', errorCode: 'MN:0017' },
    ]);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { token: `${TOKEN}x` }],
    ['a token array', { token: [TOKEN, TOKEN] }],
  ])('refuses %s with 403, counted as BAD_SIGNATURE', async (_, query) => {
    const { guard, refused } = setup();
    await expect(guard.run({ ip: '203.0.113.10', query, body: [report(1000)] })).rejects.toBeInstanceOf(
      ForbiddenException,
    );
    expect(await refused('BAD_SIGNATURE')).toBe(1);
  });

  it('refuses a replayed batch whose reports are all outside the window; skips stale ones in a fresh batch', async () => {
    const { handler, guard, refused } = setup();
    await expect(
      guard.run({ ip: '203.0.113.11', query: { token: TOKEN }, body: [report(301_000), report(900_000)] }),
    ).rejects.toBeInstanceOf(ForbiddenException);
    expect(await refused('STALE_TIMESTAMP')).toBe(1);
    const mixed = [report(301_000, { out_id: 'old' }), report(1000, { out_id: 'new' })];
    const parsed = handler.parse({ query: { token: TOKEN }, body: mixed } as unknown as Request);
    expect(parsed.map((r) => r.providerMessageId)).toEqual(['new']);
  });

  it('answers a malformed authentic batch with 400 naming the field', async () => {
    const { handler, guard } = setup();
    const body = [report(1000, { success: 'true' })];
    await expect(guard.run({ ip: '203.0.113.12', query: { token: TOKEN }, body })).resolves.toBe(true);
    expect(() => handler.parse({ query: { token: TOKEN }, body } as unknown as Request)).toThrow(
      new BadRequestException('[0].success: Invalid input: expected boolean, received string'),
    );
  });
});
