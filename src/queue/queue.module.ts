import { BullModule } from '@nestjs/bull';
import { Global, Module, OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { AppConfig } from '../config/app-config';
import { ReadinessRegistry } from '../health/readiness.registry';
import { BACKOFF_STRATEGY, bullRetryDelay } from './retry-backoff';
import { SMS_QUEUE } from './sms-queue';
import { SmsQueue } from './sms-queue.service';

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
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', async () => {
      const queue = await this.queue.isReady();
      await queue.client.ping();
    });
  }
}
