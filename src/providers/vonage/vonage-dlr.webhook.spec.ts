import { ForbiddenException, HttpException } from '@nestjs/common';
import fc from 'fast-check';
import { Clock } from '../../common/clock';
import { webhookGuard } from '../../receipts/testing/webhook-guard';
import { loadConfig } from '../provider-config';
import { signVonageParams } from './vonage-signature';
import { timestampProblem, VonageDlrWebhook } from './vonage-dlr.webhook';
import { vonage } from './vonage.definition';

const SECRET = 'sandbox-vonage-signature-secret';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const nowS = Math.floor(NOW / 1000);

function guardWith(env: Record<string, string> = {}) {
  const config = loadConfig({ VONAGE_SIGNATURE_SECRET: SECRET, ...env });
  const clock: Clock = { now: () => new Date(NOW) };
  const guard = webhookGuard(config, vonage, 'dlr', new VonageDlrWebhook(config, clock));
  const { headers, metrics } = guard;
  const run = (body: Record<string, string>, ip = '198.51.100.1') => guard.run({ ip, query: {}, body });
  const refused = async (status: string) =>
    (await metrics.receipts.get()).values.find((v) => v.labels.status === status)?.value ?? 0;
  return { run, headers, refused, metrics };
}

const dlr = (timestamp: number, nonce = 'n-1') => {
  const params: Record<string, string> = {
    messageId: '0A00000012345678',
    status: 'delivered',
    'err-code': '0',
    timestamp: String(timestamp),
    nonce,
  };
  return { ...params, sig: signVonageParams(params, SECRET, 'sha256') };
};

describe('Vonage DLR timestamp window', () => {
  it('accepts any timestamp from RECEIPT_MAX_AGE_SECONDS ago to the future skew, refuses every other', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100000, max: 100000 }), (age) => {
        const problem = timestampProblem(String(nowS - age), NOW, 300, 30);
        if (age >= -30 && age <= 300) expect(problem).toBeNull();
        else if (age > 300) expect(problem).toMatch(/s old; at most 300 s .*RECEIPT_MAX_AGE_SECONDS/);
        else expect(problem).toMatch(/ahead of this server's clock; .*RECEIPT_MAX_FUTURE_SKEW_SECONDS/);
      }),
    );
  });

  it('refuses a missing timestamp and anything but unix seconds (milliseconds read as far future)', () => {
    for (const bad of [undefined, '', 'yesterday', '-5', '1.5', ['1'], String(NOW)]) {
      expect(timestampProblem(bad, NOW, 300, 30)).not.toBeNull();
    }
  });

  it('passes a fresh signed DLR; refuses a stale or future-dated one despite its valid signature', async () => {
    const g = guardWith();
    await expect(g.run(dlr(nowS - 10))).resolves.toBe(true);
    await expect(g.run(dlr(nowS - 301))).rejects.toThrow(/301 s old.*RECEIPT_MAX_AGE_SECONDS/);
    await expect(g.run(dlr(nowS + 31))).rejects.toThrow(ForbiddenException);
    expect(await g.refused('STALE_TIMESTAMP')).toBe(2);
    expect(await g.refused('BAD_SIGNATURE')).toBe(0);
  });

  it('a captured DLR re-dated to look fresh fails its signature', async () => {
    const g = guardWith();
    const stale = dlr(nowS - 3600);
    await expect(g.run({ ...stale, timestamp: String(nowS) })).rejects.toThrow('invalid Vonage signature');
    expect(await g.refused('BAD_SIGNATURE')).toBe(1);
  });

  it('follows RECEIPT_MAX_AGE_SECONDS', async () => {
    const g = guardWith({ RECEIPT_MAX_AGE_SECONDS: '3600' });
    await expect(g.run(dlr(nowS - 3000))).resolves.toBe(true);
  });
});

describe('refused Vonage DLRs from one source', () => {
  it('answers 429 with Retry-After past REFUSED_REQUESTS_PER_MINUTE; a genuine DLR still passes', async () => {
    const g = guardWith({ REFUSED_REQUESTS_PER_MINUTE: '5' });
    const forged = { ...dlr(nowS), sig: 'f'.repeat(64) };
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const err = await g.run(forged).then(
        () => null,
        (e: unknown) => e,
      );
      statuses.push(err instanceof HttpException ? err.getStatus() : 0);
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    expect(Number(g.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(g.headers['Retry-After'])).toBeLessThanOrEqual(60);
    // Another source is not affected, and a valid signature is never throttled (shared provider pools).
    await expect(g.run(forged, '198.51.100.2')).rejects.toThrow(ForbiddenException);
    await expect(g.run(dlr(nowS))).resolves.toBe(true);
    const throttled = (await g.metrics.refusedThrottled.get()).values.find(
      (v) => v.labels.surface === 'webhook',
    );
    expect(throttled?.value).toBe(3);
  });
});
