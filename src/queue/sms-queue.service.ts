import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { SEND_JOB, SendJobData, SMS_QUEUE } from './sms-queue';

import { BACKOFF_STRATEGY } from './retry-backoff';

// Retries are bounded by the alert's deadline (the backoff never schedules past it and the next run
// records EXPIRED), not by a count; the count is only a backstop.
const JOB_DEFAULTS: JobOptions = {
  attempts: 10000,
  backoff: { type: BACKOFF_STRATEGY },
  removeOnComplete: true,
  removeOnFail: 5000,
};

/** Adds send jobs. A job id that is still in Redis is ignored by Bull, so adding twice is harmless. */
@Injectable()
export class SmsQueue {
  constructor(@InjectQueue(SMS_QUEUE) readonly queue: Queue<SendJobData>) {}

  async enqueue(notificationIds: string[], opts: JobOptions = {}): Promise<void> {
    if (notificationIds.length === 0) return;
    await this.queue.addBulk(
      notificationIds.map((id) => ({
        name: SEND_JOB,
        data: { notificationId: id },
        opts: { ...JOB_DEFAULTS, ...opts, jobId: id },
      })),
    );
  }
}
