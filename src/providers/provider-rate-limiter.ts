import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';
import { ProviderName } from '../config/config.schema';
import { AppLogger, LOGGER } from '../common/logger.module';
import { WriteBatcher } from '../database/write-batcher';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Messages per second per provider, shared by every dispatcher through Redis (rate-limiter-flexible,
 * fixed one-second windows). A send waits up to PROVIDER_RATE_LIMIT_WAIT_MS for a slot and otherwise the
 * route moves on to the next provider; nothing is dropped. A 429 or SMPP throttle blocks the provider for
 * every dispatcher for a while (`backOff`). If Redis is unreachable, an in-memory limiter with the same
 * rate stands in (per process, so the shared limit is approximate until Redis is back).
 */
@Injectable()
export class ProviderRateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly redis: Redis;
  private readonly limiters = new Map<ProviderName, RateLimiterRedis>();
  private readonly blocks = new Map<ProviderName, WriteBatcher<ProviderName, boolean>>();
  private readonly maxWaitMs: number;
  private readonly backOffMs: number;

  constructor(
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    // No offline queue: while Redis is away a command fails at once and the insurance limiter answers.
    this.redis = new Redis(config.get('REDIS_URL'), { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err: Error) =>
      this.logger.debug({ err: err.message }, 'rate limiter redis error'),
    );
    const rates = config.get('PROVIDER_RATE_LIMITS');
    for (const name of config.get('PROVIDERS')) {
      const points = rates[name];
      if (!points) continue;
      const limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.get('QUEUE_PREFIX')}:provider-rate`,
        points,
        duration: 1,
        insuranceLimiter: new RateLimiterMemory({ points, duration: 1 }),
      });
      this.limiters.set(name, limiter);
      // Sends that ask at the same moment take their permits in one Redis call. A block never exceeds a
      // tenth of the rate: a refused block still counts in Redis, so it may leave at most that much of a
      // window unused.
      const maxBatch = Math.min(config.get('WRITE_BATCH_MAX'), Math.floor(points / 10));
      if (maxBatch > 1) {
        this.blocks.set(
          name,
          new WriteBatcher((asks) => this.consumeBlock(limiter, name, asks.length), {
            maxBatch,
            parallel: 1,
          }),
        );
      }
    }
    this.maxWaitMs = config.get('PROVIDER_RATE_LIMIT_WAIT_MS');
    this.backOffMs = config.get('PROVIDER_THROTTLE_BACKOFF_MS');
  }

  async onModuleInit(): Promise<void> {
    // Connecting is asynchronous; the first sends would otherwise all take the insurance path.
    await new Promise<void>((resolve) => {
      if (this.redis.status === 'ready') return resolve();
      const timer = setTimeout(resolve, 2000);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** True when a send to `provider` may go now; waits for a slot up to the configured time. */
  async acquire(provider: ProviderName): Promise<boolean> {
    const limiter = this.limiters.get(provider);
    if (!limiter) return true;
    if (await this.blocks.get(provider)?.submit(provider)) return true;
    const giveUpAt = Date.now() + this.maxWaitMs;
    for (;;) {
      try {
        await limiter.consume(provider);
        return true;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const wait = err.msBeforeNext + Math.floor(Math.random() * 20);
        if (Date.now() + wait > giveUpAt) return false;
        await sleep(wait);
      }
    }
  }

  private async consumeBlock(
    limiter: RateLimiterRedis,
    provider: ProviderName,
    n: number,
  ): Promise<boolean[]> {
    try {
      await limiter.consume(provider, n);
      return new Array<boolean>(n).fill(true);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // Not enough left in this window for all of them: each waits for its own permit.
      return new Array<boolean>(n).fill(false);
    }
  }

  /** After the provider throttled us: no dispatcher sends to it for `ms` (whole seconds, at least one). */
  async backOff(provider: ProviderName, ms = this.backOffMs): Promise<void> {
    const limiter = this.limiters.get(provider);
    if (!limiter) return;
    try {
      // Redis keys expire in whole seconds; a block of less than one second would never expire.
      await limiter.block(provider, Math.max(1, Math.ceil(ms / 1000)));
    } catch (err) {
      this.logger.warn({ provider, err: (err as Error).message }, 'could not record a provider back-off');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}
