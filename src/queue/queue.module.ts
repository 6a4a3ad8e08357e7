import { BullModule } from '@nestjs/bull';
import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { ReadinessRegistry } from '../health/readiness.registry';
import { BACKOFF_STRATEGY, bullRetryDelay } from './retry-backoff';
import { SMS_QUEUE } from './sms-queue';
import { SmsQueue } from './sms-queue.service';

const ERROR_LOG_INTERVAL_MS = 5000;

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        redis: config.get('REDIS_URL'),
        prefix: config.get('QUEUE_PREFIX'),
      }),
    }),
    BullModule.registerQueue({
      name: SMS_QUEUE,
      settings: { backoffStrategies: { [BACKOFF_STRATEGY]: bullRetryDelay } },
    }),
  ],
  providers: [SmsQueue],
  exports: [SmsQueue, BullModule],
})
export class QueueModule implements OnModuleInit {
  constructor(
    @InjectQueue(SMS_QUEUE) private readonly queue: Queue,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    // ioredis reports every failed reconnect while Redis is away; one line per interval says it is down,
    // readiness says so too, and Bull reconnects by itself.
    let lastLogged = 0;
    this.queue.on('error', (err: Error) => {
      if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
      lastLogged = Date.now();
      this.logger.warn({ err: err.message }, 'sms queue: redis error');
    });
    this.readiness.register('redis', async () => {
      const queue = await this.queue.isReady();
      await queue.client.ping();
    });
  }
}
