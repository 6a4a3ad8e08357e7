import { Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';
import { SmsQueue } from '../queue/sms-queue.service';
import { ResendLimitError } from './resend.errors';

const HOUR_S = 3600;

/**
 * Resend budgets (OWASP API4, unrestricted consumption of paid resources): per alert and per API key, in
 * Redis (rate-limiter-flexible, one-hour windows) so every api process counts against the same numbers.
 * It shares the sms queue's Redis connection: without Redis a resend could not be queued anyway, so an
 * unreachable Redis refuses resends (the error propagates) instead of letting them through uncounted.
 */
@Injectable()
export class ResendRateLimiter {
  private readonly perAlert: RateLimiterRedis;
  private readonly perPrincipal: RateLimiterRedis;

  constructor(config: AppConfig, sms: SmsQueue) {
    const prefix = `${config.get('QUEUE_PREFIX')}:resend`;
    const limiter = (scope: string, points: number) =>
      new RateLimiterRedis({
        storeClient: sms.queue.client,
        keyPrefix: `${prefix}:${scope}`,
        points,
        duration: HOUR_S,
      });
    this.perAlert = limiter('alert', config.get('RESEND_LIMIT_PER_HOUR'));
    this.perPrincipal = limiter('principal', config.get('RESEND_LIMIT_PER_PRINCIPAL_PER_HOUR'));
  }

  /**
   * Takes one resend from both budgets or throws ResendLimitError naming the spent one. Returns a refund
   * for a resend that is then refused (404, 409): only resends that go out count.
   */
  async take(principalId: string, alertId: string): Promise<() => Promise<void>> {
    await this.consume(this.perPrincipal, principalId, 'per-principal');
    try {
      await this.consume(this.perAlert, alertId, 'per-alert');
    } catch (err) {
      await this.perPrincipal.reward(principalId, 1);
      throw err;
    }
    return async () => {
      await Promise.all([this.perPrincipal.reward(principalId, 1), this.perAlert.reward(alertId, 1)]);
    };
  }

  private async consume(
    limiter: RateLimiterRedis,
    key: string,
    limit: ResendLimitError['limit'],
  ): Promise<void> {
    try {
      await limiter.consume(key, 1);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new ResendLimitError(limit, limiter.points, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    }
  }
}
